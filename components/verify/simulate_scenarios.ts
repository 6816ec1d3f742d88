/**
 * The reference phone's scenarios offered by the test-mode "simulate the phone" panel (docs/api.md#test-and-live:
 * synthetic sandbox passports, good and deliberately broken), labelled by their descriptions.
 * Server-side only: the panel receives the list as props.
 */
import { SCENARIO_NAMES, SCENARIOS } from "../../phone/mod.ts";

/** One scenario the panel offers. */
export interface SimulateScenarioOption {
  id: string;
  label: string;
}

/** The scenarios, success first, each labelled with what it plays and what it should lead to. */
export function simulateScenarioOptions(): SimulateScenarioOption[] {
  return SCENARIO_NAMES.map((name) => {
    const scenario = SCENARIOS[name];
    const outcome = scenario.expected === null ? "succeeds" : `fails: ${scenario.expected}`;
    return { id: name, label: `${name} — ${scenario.description} (${outcome})` };
  });
}

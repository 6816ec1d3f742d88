/**
 * Test mode only (docs/api.md#test-and-live): "simulate the phone" runs one of the reference phone client's
 * scenarios against this session from the browser, through the public, test-mode-only
 * `POST /v1/verify/session/:id/test_simulate`. The live status shows the result.
 */
import { useState } from "preact/hooks";
import { verifyCopyFor } from "../lib/i18n/verify_copy.ts";
import { refreshNow, useLiveStatus } from "../components/verify/status_store.ts";
import type { PublicStatus } from "../components/verify/verify_status.ts";
import type { SimulateScenarioOption } from "../components/verify/simulate_scenarios.ts";

/** Props: the session, the scenarios offered and the server-rendered status. */
export interface SimulatePanelProps {
  sessionId: string;
  scenarios: SimulateScenarioOption[];
  initialStatus: PublicStatus;
}

type RunState = "idle" | "running" | "done" | "error";

export default function SimulatePanel(props: SimulatePanelProps) {
  const copy = verifyCopyFor();
  const terminal = useLiveStatus(props.initialStatus).is_terminal;
  const [scenario, setScenario] = useState(props.scenarios[0]?.id ?? "");
  const [state, setState] = useState<RunState>("idle");
  const [errorCode, setErrorCode] = useState("");
  if (terminal) return <div class="simulate-gone" hidden />;
  const run = async (event: Event) => {
    event.preventDefault();
    setState("running");
    const result = await postSimulate(props.sessionId, scenario);
    setErrorCode(result === "ok" ? "" : result);
    setState(result === "ok" ? "done" : "error");
    await refreshNow();
  };
  return (
    <section class="card simulate" aria-labelledby="simulate-heading" data-testid="simulate">
      <h2 id="simulate-heading">{copy.simulate.heading}</h2>
      <p>{copy.simulate.intro}</p>
      <form class="row" onSubmit={run}>
        <label for="simulate-scenario">{copy.simulate.scenarioLabel}</label>
        <select
          id="simulate-scenario"
          value={scenario}
          onChange={(e) => setScenario((e.currentTarget as HTMLSelectElement).value)}
        >
          {props.scenarios.map((s) => <option key={s.id} value={s.id}>{s.label}</option>)}
        </select>
        <button type="submit" class="secondary" disabled={state === "running"}>
          {state === "running" ? copy.simulate.running : copy.simulate.run}
        </button>
      </form>
      <p class="form-message" role="status" aria-live="polite">
        {state === "done" ? copy.simulate.started : ""}
        {state === "error" ? `${copy.simulate.failed} (${errorCode})` : ""}
      </p>
    </section>
  );
}

async function postSimulate(sessionId: string, scenario: string): Promise<string> {
  try {
    const response = await fetch(
      `/v1/verify/session/${encodeURIComponent(sessionId)}/test_simulate`,
      {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ scenario }),
      },
    );
    if (response.ok) return "ok";
    const body = await response.json().catch(() => null) as { error?: { code?: string } } | null;
    return body?.error?.code ?? `HTTP_${response.status}`;
  } catch {
    return "NETWORK_ERROR";
  }
}

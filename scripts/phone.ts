/**
 * `deno task phone <verification_url | deep link> [--scenario <name>] [--device-id <id>] [--json]`:
 * the reference phone. Acts as the user (consents to every requested field through the public
 * endpoint), takes the handoff, and plays a synthetic passport over the WebSocket. With a deep
 * link (`kayleid://verify?…`) it skips consent and handoff: the link already carries the token.
 *
 * Exit codes: 0 the server answered (the scenario's expected outcome or not: see the output),
 * 1 the phone was refused (the message has the server's code), 2 usage error.
 */
import { parseArgs } from "node:util";
import {
  httpPhoneApi,
  PhoneProtocolError,
  type PhoneResult,
  resolvePhoneLink,
  runPhone,
  SCENARIO_NAMES,
  scenarioByName,
} from "../phone/mod.ts";

const USAGE =
  `usage: deno task phone <verification_url | kayleid:// deep link | short link …/h#…> [--scenario <name>] [--device-id <id>] [--json]
scenarios: ${SCENARIO_NAMES.join(", ")}`;

/** Runs the CLI with its arguments; returns the text to print. */
export async function runPhoneCli(
  argv: string[],
  log: (line: string) => void = () => {},
): Promise<string> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      scenario: { type: "string", default: "success" },
      "device-id": { type: "string" },
      json: { type: "boolean", default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new TypeError(USAGE);
  const link = await resolvePhoneLink(positionals[0]);
  const scenario = scenarioByName(values.scenario!);
  const result = await runPhone({
    api: httpPhoneApi(link.baseUrl),
    sessionId: link.sessionId,
    scenario: scenario.name,
    handoff: link.token && link.mobileUrl
      ? { token: link.token, mobileUrl: link.mobileUrl }
      : undefined,
    deviceId: values["device-id"],
    log,
  });
  return values.json ? JSON.stringify(result) : describe(result, scenario.expected);
}

function describe(result: PhoneResult, expected: string | null): string {
  const outcome = result.failureCode ? `${result.status} (${result.failureCode})` : result.status;
  const matches = (result.failureCode ?? null) === expected
    ? "as the scenario expects"
    : `expected ${expected ?? "success"}`;
  return [
    `attempt ${result.attemptId}: ${outcome} — ${matches}`,
    `session ${result.sessionId}: ${result.sessionStatus}, ${result.attemptsRemaining} attempt(s) remaining`,
  ].join("\n");
}

if (import.meta.main) {
  try {
    console.log(await runPhoneCli(Deno.args, (line) => console.error(`phone: ${line}`)));
  } catch (error) {
    if (error instanceof TypeError) {
      console.error(error.message);
      Deno.exitCode = 2;
    } else if (error instanceof PhoneProtocolError) {
      console.error(`refused: ${error.code}: ${error.message}`);
      Deno.exitCode = 1;
    } else {
      throw error;
    }
  }
}

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
  const deviceId = values["device-id"] ?? `reference-phone-${crypto.randomUUID()}`;
  log(`device ${deviceId}`);
  let result: PhoneResult;
  try {
    result = await runPhone({
      api: httpPhoneApi(link.baseUrl),
      sessionId: link.sessionId,
      scenario: scenario.name,
      handoff: link.token && link.mobileUrl
        ? { token: link.token, mobileUrl: link.mobileUrl }
        : undefined,
      deviceId,
      log,
    });
  } catch (error) {
    throw explainRefusal(error, values["device-id"] !== undefined);
  }
  return values.json ? JSON.stringify(result) : describe(result, scenario.expected);
}

/**
 * A refusal with what to do about it: a session continues on the device that made its first
 * attempt, so a retry from a new run (a new random device id) is refused as another device.
 */
export function explainRefusal(error: unknown, gaveDeviceId: boolean): unknown {
  if (!(error instanceof PhoneProtocolError) || error.code !== "HANDOFF_DEVICE_MISMATCH") {
    return error;
  }
  const hint = gaveDeviceId
    ? "This session is bound to the device of its first attempt: pass the same --device-id as " +
      "that run (it printed `phone: device <id>`)."
    : "This session is bound to the device of its first attempt, and every run is a new device " +
      "unless you say otherwise: run again with --device-id <the id the first run printed as " +
      "`phone: device <id>`>, and give the same --device-id on every run of one session.";
  return new PhoneProtocolError(error.code, `${error.message} ${hint}`, error.closeCode);
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

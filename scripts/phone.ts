/**
 * `deno task phone <verification_url | deep link> [--scenario <name>] [--device-id <id>] [--json]`:
 * the reference phone. Acts as the user (consents to every requested field through the public
 * endpoint), takes the handoff, and plays a synthetic passport over the WebSocket. With a deep
 * link (`kayleid://verify?…`) it skips consent and handoff: the link already carries the token.
 *
 * With `--reader pcsc[:<name>]` it reads a real passport on a USB (PC/SC) NFC reader instead of
 * a synthetic one (through phone/chip/ and phone/pcsc/), with the access key from
 * `--document-number --date-of-birth --date-of-expiry` or `--can`, and uploads the person's own
 * selfie: `--selfie <jpeg>` faces the camera, `--frames <pose>=<jpeg>` (left, right, up, down)
 * show the poses the server may ask for; a pose without a frame gets the selfie.
 *
 * Exit codes: 0 the server answered (the scenario's expected outcome or not: see the output),
 * 1 the phone was refused (the message has the server's code) or the chip could not be read
 * (`<code>: <what to do>`), 2 usage error.
 */
import { parseArgs } from "node:util";
import {
  httpPhoneApi,
  PhoneProtocolError,
  type PhoneResult,
  resolvePhoneLink,
  runPhone,
  type RunPhoneOptions,
  SCENARIO_NAMES,
  scenarioByName,
  type SelfieFrames,
} from "../phone/mod.ts";
import { ChipError, chipErrorMessage } from "../phone/chip/mod.ts";
import { openPcscReader, PcscError, type PcscTransport } from "../phone/pcsc/mod.ts";
import type { Pose } from "../verify/biometric/mod.ts";
import { accessKeyFrom, progressPrinter, UsageError } from "./chip.ts";

const USAGE =
  `usage: deno task phone <verification_url | kayleid:// deep link | short link …/h#…> [--scenario <name>] [--device-id <id>] [--json]
       deno task phone <verification_url> --reader pcsc[:<name>] --document-number <no>
         --date-of-birth <YYMMDD> --date-of-expiry <YYMMDD> [--can <digits>]
         --selfie <jpeg> [--frames <pose>=<jpeg>]...
scenarios: ${SCENARIO_NAMES.join(", ")}`;

const POSES: readonly Pose[] = ["left", "right", "up", "down"];

/** The person's selfie frames from `--selfie` and `--frames <pose>=<jpeg>`. */
export async function readSelfieFrames(
  selfie: string | undefined,
  frames: string[],
): Promise<SelfieFrames> {
  if (!selfie) throw new UsageError("--selfie <jpeg> is required with --reader");
  const poses: Partial<Record<Pose, Uint8Array>> = {};
  for (const frame of frames) {
    const [pose, path] = frame.split(/=(.*)/s);
    if (!POSES.includes(pose as Pose) || !path) {
      throw new UsageError(
        `--frames ${frame}: expected <pose>=<jpeg> with pose ${POSES.join("|")}`,
      );
    }
    poses[pose as Pose] = await readJpeg(path);
  }
  return { centre: await readJpeg(selfie), poses };
}

async function readJpeg(path: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch {
    throw new UsageError(`${path}: cannot read the file`);
  }
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new UsageError(`${path}: not a JPEG`);
  return bytes;
}

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
      reader: { type: "string" },
      "document-number": { type: "string" },
      "date-of-birth": { type: "string" },
      "date-of-expiry": { type: "string" },
      can: { type: "string" },
      selfie: { type: "string" },
      frames: { type: "string", multiple: true, default: [] },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new TypeError(USAGE);
  const link = await resolvePhoneLink(positionals[0]);
  const scenario = scenarioByName(values.scenario!);
  const deviceId = values["device-id"] ?? `reference-phone-${crypto.randomUUID()}`;
  log(`device ${deviceId}`);
  const options: RunPhoneOptions = {
    api: httpPhoneApi(link.baseUrl),
    sessionId: link.sessionId,
    scenario: scenario.name,
    handoff: link.token && link.mobileUrl
      ? { token: link.token, mobileUrl: link.mobileUrl }
      : undefined,
    deviceId,
    log,
  };
  let transport: PcscTransport | undefined;
  if (values.reader) {
    const key = accessKeyFrom(values);
    options.selfie = await readSelfieFrames(values.selfie, values.frames!);
    transport = await openPcscReader(values.reader, {
      waitForCardMs: 15_000,
      onWaiting: () => log("place the document on the reader…"),
      onCardAway: () => log("the document left the reader: put it back to continue…"),
    });
    log(`reader: ${transport.reader} (${transport.protocol})`);
    options.reader = { transport, key };
    const print = (text: string) => Deno.stderr.writeSync(new TextEncoder().encode(text));
    options.onProgress = progressPrinter(print, Deno.stderr.isTerminal());
  }
  try {
    let result: PhoneResult;
    try {
      result = await runPhone(options);
    } catch (error) {
      throw explainRefusal(error, values["device-id"] !== undefined);
    }
    return values.json ? JSON.stringify(result) : describe(result, scenario.expected);
  } finally {
    transport?.close();
  }
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
    } else if (error instanceof ChipError) {
      const detail = error.detail ? ` (${error.detail})` : "";
      console.error(`${error.code}: ${chipErrorMessage(error.code)}${detail}`);
      Deno.exitCode = 1;
    } else if (error instanceof PcscError) {
      console.error(error.message);
      Deno.exitCode = 1;
    } else {
      throw error;
    }
  }
}

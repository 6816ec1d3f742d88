/**
 * The reference phone: acts as the user (consent), takes the handoff, and plays a synthetic
 * passport over the phone protocol v1 exactly as a native app must (docs/mobile-protocol.md):
 * hello → document files (DG14 last, which starts Chip Authentication) → Active Authentication →
 * Chip Authentication relay → selfie frames for the pose challenge → result.
 */
import { encodeChipAuthenticationRelay } from "../verify/chip/relay_message.ts";
import type { PoseChallenge } from "../verify/biometric/mod.ts";
import type { SyntheticPassport } from "../verify/mod.ts";
import type { PhoneApi } from "./api.ts";
import { type PhoneChannel, PhoneProtocolError, type ServerMessage } from "./channel.ts";
import { passportFor, selfieFramesFor } from "./media.ts";
import { type Scenario, scenarioByName } from "./scenarios.ts";

/** The protocol version this client speaks. */
export const PHONE_PROTOCOL_VERSION = 1;

/** Raw bytes per chunk (well under the 256 KiB frame limit once in base64). */
export const CHUNK_BYTES = 96 * 1024;

/** Options of {@link runPhone}. */
export interface RunPhoneOptions {
  api: PhoneApi;
  sessionId: string;
  /** Scenario name (default `success`). */
  scenario?: string;
  /** From a deep link: skip consent and handoff. */
  handoff?: { token: string; mobileUrl: string };
  deviceId?: string;
  appVersion?: string;
  /** Issue time of the synthetic passport (the server's clock in tests). */
  now?: Date;
  /** Progress lines (no personal data). */
  log?: (line: string) => void;
}

/** What the server answered. */
export interface PhoneResult {
  sessionId: string;
  attemptId: string;
  scenario: string;
  status: string;
  failureCode: string | null;
  sessionStatus: string | null;
  attemptsRemaining: number;
}

/** Expects a message of `type`; a server `error` becomes a {@link PhoneProtocolError}. */
export async function expectMessage(channel: PhoneChannel, type: string): Promise<ServerMessage> {
  const message = await channel.next();
  if (message.type === "error") {
    throw new PhoneProtocolError(String(message.code), String(message.message));
  }
  if (message.type !== type) {
    throw new PhoneProtocolError("UNEXPECTED_MESSAGE", `Expected ${type}, got ${message.type}.`);
  }
  return message;
}

/** Says hello; resolves with `hello_ok`. */
export async function sayHello(
  channel: PhoneChannel,
  hello: { sessionId: string; token: string; deviceId: string; appVersion?: string },
): Promise<ServerMessage> {
  channel.send({
    v: PHONE_PROTOCOL_VERSION,
    type: "hello",
    session_id: hello.sessionId,
    token: hello.token,
    device_id: hello.deviceId,
    app_version: hello.appVersion ?? "reference-phone/1",
  });
  return await expectMessage(channel, "hello_ok");
}

/** Uploads one artifact in chunks with its SHA-256; resolves with `artifact_received`. */
export async function uploadArtifact(
  channel: PhoneChannel,
  artifact: string,
  bytes: Uint8Array,
  index = 0,
): Promise<ServerMessage> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  const sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  const v = PHONE_PROTOCOL_VERSION;
  channel.send({ v, type: "artifact_begin", artifact, index, size: bytes.length, sha256 });
  for (let seq = 0, offset = 0; offset < bytes.length; seq++, offset += CHUNK_BYTES) {
    const data = base64(bytes.subarray(offset, offset + CHUNK_BYTES));
    channel.send({ v, type: "artifact_chunk", artifact, index, seq, data });
  }
  channel.send({ v, type: "artifact_end", artifact, index });
  return await expectMessage(channel, "artifact_received");
}

/** Standard base64 with padding. */
export function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/**
 * Plays the chip part: the files not yet received (DG14 last: its acknowledgement carries the
 * Chip Authentication start), then AA over the server's challenge, then CA (always last on a
 * real chip). Returns after the relay was accepted.
 */
export async function playChip(
  channel: PhoneChannel,
  passport: SyntheticPassport,
  helloOk: ServerMessage,
) {
  const received = new Set(helloOk.received as string[]);
  const files: Array<[string, Uint8Array]> = [["sod", passport.files.sod]];
  for (
    const [number, bytes] of [...passport.files.dataGroups].sort((
      [a],
      [b],
    ) => (a === 14 ? 1 : b === 14 ? -1 : a - b))
  ) {
    files.push([`dg${number}`, bytes]);
  }
  let chipAuthentication = helloOk.chip_authentication as Record<string, unknown> | null;
  for (const [name, bytes] of files) {
    if (received.has(name)) continue;
    const ack = await uploadArtifact(channel, name, bytes);
    if (name === "dg14") {
      chipAuthentication = ack.chip_authentication as Record<string, unknown> | null;
    }
  }
  if (passport.files.dataGroups.has(15)) {
    const signature = await passport.chip.signActiveAuthentication(
      fromBase64(String(helloOk.aa_challenge)),
    );
    channel.send({
      v: PHONE_PROTOCOL_VERSION,
      type: "active_authentication",
      signature: base64(signature),
    });
    await expectMessage(channel, "active_authentication_received");
  }
  if (chipAuthentication) await relayChipAuthentication(channel, passport, chipAuthentication);
}

async function relayChipAuthentication(
  channel: PhoneChannel,
  passport: SyntheticPassport,
  start: Record<string, unknown>,
): Promise<void> {
  const exchange = await passport.chip.runChipAuthentication(
    fromBase64(String(start.terminal_public_key)),
    fromBase64(String(start.command)),
  );
  const keyId = typeof start.key_id === "number" ? start.key_id : undefined;
  const relay = encodeChipAuthenticationRelay(exchange, {
    protocolOid: String(start.protocol_oid),
    keyId,
  });
  channel.send({ v: PHONE_PROTOCOL_VERSION, type: "chip_authentication_relay", relay });
  await expectMessage(channel, "chip_authentication_relay_received");
}

/** The selfie step: asks for the pose challenge and uploads one frame per pose. */
export async function playSelfie(channel: PhoneChannel, scenario: Scenario): Promise<void> {
  channel.send({ v: PHONE_PROTOCOL_VERSION, type: "selfie_start" });
  const challenge = await expectMessage(channel, "pose_challenge") as unknown as PoseChallenge;
  const frames = await selfieFramesFor(scenario, challenge);
  for (const [index, frame] of frames.entries()) {
    await uploadArtifact(channel, "selfie_frame", frame, index);
  }
}

/** Asks for the result; resolves with the `result` message. */
export async function requestResult(
  channel: PhoneChannel,
  consentConfirmed = true,
): Promise<ServerMessage> {
  channel.send({ v: PHONE_PROTOCOL_VERSION, type: "result", consent_confirmed: consentConfirmed });
  return await expectMessage(channel, "result");
}

/**
 * What the server's `result` says about the chip: authenticated only when the attempt succeeded
 * (every check passed, Chip Authentication included when the document has DG14).
 */
export function chipVerdict(result: ServerMessage, hasChipAuthentication: boolean): string {
  const code = (result.failure_code as string | null) ?? null;
  if (result.status === "succeeded") {
    return hasChipAuthentication
      ? "server: chip authenticated (passive authentication and Chip Authentication passed)"
      : "server: chip data verified (passive authentication passed; no Chip Authentication on this document)";
  }
  if (code?.startsWith("document_")) return `server: chip not authenticated (${code})`;
  return `server: attempt ${String(result.status)}${code ? ` (${code})` : ""}`;
}

/** Runs a whole verification as the user and the phone. */
export async function runPhone(options: RunPhoneOptions): Promise<PhoneResult> {
  const scenario = scenarioByName(options.scenario ?? "success");
  const log = options.log ?? (() => {});
  const passport = passportFor(scenario, options.now ?? new Date());
  let handoff = options.handoff;
  if (!handoff) {
    await options.api.consent(options.sessionId);
    log("consent recorded");
    handoff = await options.api.handoff(options.sessionId);
    log("handoff taken");
  }
  const channel = await options.api.openMobile(handoff.mobileUrl, options.sessionId);
  try {
    const deviceId = options.deviceId ?? `reference-phone-${crypto.randomUUID()}`;
    const helloOk = await sayHello(channel, {
      ...handoff,
      sessionId: options.sessionId,
      deviceId,
      appVersion: options.appVersion,
    });
    log(`attempt ${helloOk.attempt_id} claimed`);
    const document = await passport;
    await playChip(channel, document, helloOk);
    // The server checks the chip with the result: nothing is "authenticated" before it says so.
    log("chip data sent (the server checks it with the result)");
    await playSelfie(channel, scenario);
    log("selfie frames sent");
    const result = await requestResult(channel, scenario.consentConfirmed);
    log(chipVerdict(result, document.files.dataGroups.has(14)));
    return {
      sessionId: options.sessionId,
      attemptId: String(result.attempt_id),
      scenario: scenario.name,
      status: String(result.status),
      failureCode: (result.failure_code as string | null) ?? null,
      sessionStatus: (result.session_status as string | null) ?? null,
      attemptsRemaining: Number(result.attempts_remaining ?? 0),
    };
  } finally {
    channel.close();
  }
}

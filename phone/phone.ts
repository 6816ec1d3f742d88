/**
 * The reference phone: acts as the user (consent), takes the handoff, reads a synthetic passport
 * through the portable reader core and an emulated chip (APDUs, secure messaging), and plays it
 * over the phone protocol v1 exactly as a native app must (docs/mobile-protocol.md):
 * hello → document files (DG14 last, which starts Chip Authentication) → Active Authentication →
 * Chip Authentication relay → selfie frames for the pose challenge → result.
 */
import {
  type AccessKey,
  type ChipAuthenticationStart,
  ChipReader,
  type ChipTransport,
  type ReadProgress,
} from "./chip/mod.ts";
import {
  accessKeyFor,
  type EmulatedPassportOptions,
  emulatedTransportFor,
} from "./emulated_passport.ts";
import type { PoseChallenge } from "../verify/biometric/mod.ts";
import type { SyntheticPassport } from "../verify/mod.ts";
import type { PhoneApi } from "./api.ts";
import { type PhoneChannel, PhoneProtocolError, type ServerMessage } from "./channel.ts";
import { passportFor, type SelfieFrames, selfieFramesFor, selfieFramesFromFiles } from "./media.ts";
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
  /** How the emulated chip behaves (default: PACE-GM ECDH P-256 AES-128, BAC too). */
  chip?: EmulatedPassportOptions;
  /** Read a real chip through this transport and key instead of the scenario's passport. */
  reader?: PlayChipOptions["reader"];
  onProgress?: PlayChipOptions["onProgress"];
  /** The person's own selfie frames instead of the scenario's (a real passport on a reader). */
  selfie?: SelfieFrames;
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
  return bytes.toBase64();
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.fromBase64(text);
}

/** Options of {@link playChip}. */
export interface PlayChipOptions {
  /** How the emulated chip behaves (access protocols, faults); default PACE-GM P-256 + BAC. */
  chip?: EmulatedPassportOptions;
  /** A real chip instead of the emulated passport (e.g. a PC/SC reader) and its access key. */
  reader?: { transport: ChipTransport; key: AccessKey };
  /** Read progress for a UI. */
  onProgress?: (progress: ReadProgress) => void;
  /** Progress lines (no personal data). */
  log?: (line: string) => void;
}

/**
 * Plays the chip part through the reader core (`phone/chip/`) against an emulated chip of the
 * passport: PACE or BAC with the MRZ, every file over secure messaging, then the files not yet
 * received (DG14 last: its acknowledgement carries the Chip Authentication start), AA over the
 * server's challenge, and CA (always last on a real chip). Returns after the relay was accepted.
 */
export async function playChip(
  channel: PhoneChannel,
  passport: SyntheticPassport | null,
  helloOk: ServerMessage,
  options: PlayChipOptions = {},
): Promise<{ chipAuthenticationRelayed: boolean }> {
  const received = new Set(helloOk.received as string[]);
  if (!options.reader && !passport) throw new TypeError("playChip needs a passport or a reader");
  const transport = options.reader?.transport ?? emulatedTransportFor(passport!, options.chip);
  const reader = new ChipReader(transport, { log: options.log, onProgress: options.onProgress });
  await reader.open(options.reader?.key ?? accessKeyFor(passport!));
  const read = await reader.readPassport();
  const files: Array<[string, Uint8Array]> = [];
  for (const name of ["sod", "dg1", "dg2", "dg11", "dg12", "dg15", "dg14"] as const) {
    if (read[name]) files.push([name, read[name]!]);
  }
  let chipAuthentication = helloOk.chip_authentication as Record<string, unknown> | null;
  for (const [name, bytes] of files) {
    if (received.has(name)) continue;
    const ack = await uploadArtifact(channel, name, bytes);
    if (name === "dg14") {
      chipAuthentication = ack.chip_authentication as Record<string, unknown> | null;
    }
  }
  if (read.dg15) {
    const signature = await reader.activeAuthentication(fromBase64(String(helloOk.aa_challenge)));
    channel.send({
      v: PHONE_PROTOCOL_VERSION,
      type: "active_authentication",
      signature: base64(signature),
    });
    await expectMessage(channel, "active_authentication_received");
  }
  if (chipAuthentication) {
    const relay = await reader.chipAuthentication(
      chipAuthentication as unknown as ChipAuthenticationStart,
    );
    channel.send({ v: PHONE_PROTOCOL_VERSION, type: "chip_authentication_relay", relay });
    await expectMessage(channel, "chip_authentication_relay_received");
  }
  return { chipAuthenticationRelayed: chipAuthentication !== null };
}

/** The selfie step: asks for the pose challenge and uploads one frame per pose. */
export async function playSelfie(
  channel: PhoneChannel,
  scenario: Scenario,
  selfie?: SelfieFrames,
): Promise<void> {
  channel.send({ v: PHONE_PROTOCOL_VERSION, type: "selfie_start" });
  const challenge = await expectMessage(channel, "pose_challenge") as unknown as PoseChallenge;
  const frames = selfie
    ? selfieFramesFromFiles(selfie, challenge)
    : await selfieFramesFor(scenario, challenge);
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
  const passport = options.reader ? null : passportFor(scenario, options.now ?? new Date());
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
    const chip = await playChip(channel, await passport, helloOk, {
      log,
      chip: options.chip,
      reader: options.reader,
      onProgress: options.onProgress,
    });
    // The server checks the chip with the result: nothing is "authenticated" before it says so.
    log("chip data sent (the server checks it with the result)");
    await playSelfie(channel, scenario, options.selfie);
    log("selfie frames sent");
    const result = await requestResult(channel, scenario.consentConfirmed);
    log(chipVerdict(result, chip.chipAuthenticationRelayed));
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

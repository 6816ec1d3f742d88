/**
 * The phone's WebSocket protocol, version 1 (docs/mobile-protocol.md; the full reference for native apps is
 * `docs/mobile-protocol.md`): message names, limits, stable error codes and close codes, and the
 * total parser that turns one text frame into a typed message or a typed error (never a throw).
 */

/** Protocol version carried as `v` in every message. */
export const PROTOCOL_VERSION = 1;

/** Limits of docs/mobile-protocol.md (bytes unless said otherwise). */
export const LIMITS = {
  /** One WebSocket frame (a whole JSON message). */
  maxFrameBytes: 256 * 1024,
  /** One document artifact (EF.SOD, a data group). */
  maxArtifactBytes: 1024 * 1024,
  /** One selfie frame. */
  maxSelfieFrameBytes: 2 * 1024 * 1024,
  /** Selfie frames per attempt. */
  maxSelfieFrames: 5,
  /** Raw bytes in one chunk (base64 in the frame stays under the frame limit). */
  maxChunkBytes: 128 * 1024,
  /** Typed errors on one connection before the server gives up on it. */
  maxErrorsPerConnection: 32,
} as const;

/** Document artifacts the phone uploads (data groups by their usual names). */
export const DOCUMENT_ARTIFACTS = ["sod", "dg1", "dg2", "dg11", "dg12", "dg14", "dg15"] as const;

/** Every artifact kind the upload accepts. */
export const ARTIFACT_KINDS = [...DOCUMENT_ARTIFACTS, "selfie_frame"] as const;

/** An artifact kind. */
export type ArtifactKind = typeof ARTIFACT_KINDS[number];

/** Stable error codes sent in `error` messages. */
export const MOBILE_ERROR_CODES = [
  "MALFORMED_MESSAGE",
  "UNKNOWN_MESSAGE_TYPE",
  "BINARY_NOT_SUPPORTED",
  "FRAME_TOO_LARGE",
  "PROTOCOL_VERSION_UNSUPPORTED",
  "HELLO_REQUIRED",
  "ALREADY_HELLO",
  "HANDOFF_TOKEN_INVALID",
  "HANDOFF_TOKEN_EXPIRED",
  "HANDOFF_TOKEN_CONSUMED",
  "HANDOFF_DEVICE_MISMATCH",
  "SESSION_NOT_FOUND",
  "ATTEMPT_ENDED",
  "OUT_OF_ORDER",
  "UNKNOWN_ARTIFACT_KIND",
  "ARTIFACT_TOO_LARGE",
  "TOO_MANY_SELFIE_FRAMES",
  "CHECKSUM_MISMATCH",
  "INVALID_CHIP_AUTHENTICATION_RELAY",
  "RESULT_IN_PROGRESS",
  "IDLE_TIMEOUT",
  "HELLO_TIMEOUT",
  "CONNECTION_REPLACED",
  "TOO_MANY_ERRORS",
  "SERVER_SHUTTING_DOWN",
  "INTERNAL_ERROR",
] as const;

/** A stable error code of the phone protocol. */
export type MobileErrorCode = typeof MOBILE_ERROR_CODES[number];

/**
 * WebSocket close codes (4000–4999 are the application's). A fatal error is sent as an `error`
 * message first, then the socket closes with the code below; 1000 follows a delivered result.
 */
export const CLOSE_CODES: Readonly<Partial<Record<MobileErrorCode, number>>> = {
  PROTOCOL_VERSION_UNSUPPORTED: 4000,
  HELLO_REQUIRED: 4001,
  SESSION_NOT_FOUND: 4004,
  HANDOFF_TOKEN_INVALID: 4003,
  HANDOFF_TOKEN_EXPIRED: 4005,
  HANDOFF_TOKEN_CONSUMED: 4006,
  HANDOFF_DEVICE_MISMATCH: 4007,
  IDLE_TIMEOUT: 4008,
  HELLO_TIMEOUT: 4009,
  ATTEMPT_ENDED: 4010,
  CONNECTION_REPLACED: 4011,
  TOO_MANY_ERRORS: 4012,
  SERVER_SHUTTING_DOWN: 4013,
  INTERNAL_ERROR: 4500,
};

/**
 * A hello refused in the protocol's own terms (a bad, expired or consumed token, another device).
 * The connection sends it as it is; the layers' coded errors go through `lib/http/error_table.ts`.
 */
export class HelloRefused extends Error {
  /** Creates the refusal with its protocol code. */
  constructor(readonly code: MobileErrorCode, message: string) {
    super(message);
    this.name = "HelloRefused";
  }
}

/** The normal close after the result was sent. */
export const CLOSE_NORMAL = 1000;

/** Messages the phone sends. */
export type PhoneMessage =
  | {
    type: "hello";
    session_id: string;
    token: string;
    device_id: string;
    app_version: string;
  }
  | {
    type: "artifact_begin";
    artifact: ArtifactKind;
    index: number;
    size: number;
    sha256: string;
  }
  | { type: "artifact_chunk"; artifact: ArtifactKind; index: number; seq: number; data: string }
  | { type: "artifact_end"; artifact: ArtifactKind; index: number }
  | { type: "active_authentication"; signature: string }
  | { type: "chip_authentication_relay"; relay: Record<string, unknown> }
  | { type: "selfie_start" }
  | { type: "result"; consent_confirmed: boolean }
  | { type: "ping" };

/** A parse failure: the code and a message a developer can act on. */
export interface ProtocolViolation {
  code: MobileErrorCode;
  message: string;
}

/** Result of {@link parsePhoneMessage}. */
export type ParsedFrame = { ok: true; message: PhoneMessage } | {
  ok: false;
  error: ProtocolViolation;
};

const fail = (code: MobileErrorCode, message: string): ParsedFrame => ({
  ok: false,
  error: { code, message },
});

const isString = (v: unknown, max: number): v is string =>
  typeof v === "string" && v.length > 0 && v.length <= max;
const isIndex = (v: unknown): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= 0 && v < 1_000_000;

/**
 * Byte length of a text frame (UTF-8), computed only when it could matter; past the frame limit,
 * any number above it (counting stops there).
 */
export function frameBytes(text: string): number {
  if (text.length * 3 <= LIMITS.maxFrameBytes) return text.length;
  // Counted, not encoded: a frame of chunk data is ~170 KB, and a copy per frame adds up over
  // hundreds of phones uploading at once (docs/performance.md, "Phones"). Stops past the limit.
  let bytes = 0;
  for (let i = 0; i < text.length && bytes <= LIMITS.maxFrameBytes; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next < 0xe000) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Parses one text frame. Total: any input gives a message or a violation. */
export function parsePhoneMessage(text: string): ParsedFrame {
  if (frameBytes(text) > LIMITS.maxFrameBytes) {
    return fail("FRAME_TOO_LARGE", `A frame is limited to ${LIMITS.maxFrameBytes} bytes.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return fail("MALFORMED_MESSAGE", "The frame is not JSON.");
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return fail("MALFORMED_MESSAGE", "A message is a JSON object.");
  }
  const m = raw as Record<string, unknown>;
  if (m.v !== PROTOCOL_VERSION) {
    return fail(
      "PROTOCOL_VERSION_UNSUPPORTED",
      `This server speaks protocol v${PROTOCOL_VERSION}.`,
    );
  }
  return parseByType(m);
}

function parseByType(m: Record<string, unknown>): ParsedFrame {
  switch (m.type) {
    case "hello":
      return parseHello(m);
    case "artifact_begin":
    case "artifact_chunk":
    case "artifact_end":
      return parseArtifactMessage(m);
    case "active_authentication":
      return isString(m.signature, 4096)
        ? { ok: true, message: { type: "active_authentication", signature: m.signature } }
        : fail("MALFORMED_MESSAGE", "signature must be base64.");
    case "chip_authentication_relay":
      return typeof m.relay === "object" && m.relay !== null && !Array.isArray(m.relay)
        ? {
          ok: true,
          message: { type: "chip_authentication_relay", relay: m.relay as Record<string, unknown> },
        }
        : fail("MALFORMED_MESSAGE", "relay must be the relay object.");
    case "selfie_start":
    case "ping":
      return { ok: true, message: { type: m.type } };
    case "result":
      if (m.consent_confirmed !== undefined && typeof m.consent_confirmed !== "boolean") {
        return fail("MALFORMED_MESSAGE", "consent_confirmed must be a boolean.");
      }
      return {
        ok: true,
        message: { type: "result", consent_confirmed: m.consent_confirmed !== false },
      };
    default:
      return typeof m.type === "string"
        ? fail("UNKNOWN_MESSAGE_TYPE", "Unknown message type.")
        : fail("MALFORMED_MESSAGE", "type is missing.");
  }
}

function parseHello(m: Record<string, unknown>): ParsedFrame {
  if (!isString(m.session_id, 200) || !isString(m.token, 200)) {
    return fail("MALFORMED_MESSAGE", "hello needs session_id and token.");
  }
  if (!isString(m.device_id, 200) || !isString(m.app_version, 64)) {
    return fail("MALFORMED_MESSAGE", "hello needs device_id (1–200) and app_version (1–64).");
  }
  return {
    ok: true,
    message: {
      type: "hello",
      session_id: m.session_id,
      token: m.token,
      device_id: m.device_id,
      app_version: m.app_version,
    },
  };
}

function parseArtifactMessage(m: Record<string, unknown>): ParsedFrame {
  if (typeof m.artifact !== "string") return fail("MALFORMED_MESSAGE", "artifact is missing.");
  if (!(ARTIFACT_KINDS as readonly string[]).includes(m.artifact)) {
    return fail("UNKNOWN_ARTIFACT_KIND", `artifact must be one of ${ARTIFACT_KINDS.join(", ")}.`);
  }
  const artifact = m.artifact as ArtifactKind;
  const index = m.index ?? 0;
  if (!isIndex(index)) return fail("MALFORMED_MESSAGE", "index must be a non-negative integer.");
  if (m.type === "artifact_begin") {
    const size = m.size;
    if (typeof size !== "number" || !Number.isSafeInteger(size) || size <= 0) {
      return fail("MALFORMED_MESSAGE", "size must be a positive integer.");
    }
    if (typeof m.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(m.sha256)) {
      return fail("MALFORMED_MESSAGE", "sha256 must be 64 lowercase hex digits.");
    }
    return {
      ok: true,
      message: { type: "artifact_begin", artifact, index, size, sha256: m.sha256 },
    };
  }
  if (m.type === "artifact_chunk") {
    if (!isIndex(m.seq)) return fail("MALFORMED_MESSAGE", "seq must be a non-negative integer.");
    if (typeof m.data !== "string" || m.data.length === 0) {
      return fail("MALFORMED_MESSAGE", "data must be non-empty base64.");
    }
    return {
      ok: true,
      message: { type: "artifact_chunk", artifact, index, seq: m.seq, data: m.data },
    };
  }
  return { ok: true, message: { type: "artifact_end", artifact, index } };
}

/** Standard base64 (with padding) to bytes, or null when it is not valid base64. */
export function decodeBase64(text: string): Uint8Array | null {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  try {
    // Decoded in one pass into one buffer (no intermediate binary string or array).
    return Uint8Array.fromBase64(text);
  } catch {
    return null;
  }
}

/** Bytes to standard base64 with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  return bytes.toBase64();
}

/** The artifact's name in `received` lists: `dg1`, or `selfie_frame:2`. */
export function artifactName(kind: ArtifactKind, index: number): string {
  return kind === "selfie_frame" ? `selfie_frame:${index}` : kind;
}

/** The data group number of a document artifact (`dg14` → 14), or null for `sod`. */
export function dataGroupNumber(kind: ArtifactKind): number | null {
  return kind.startsWith("dg") ? Number(kind.slice(2)) : null;
}

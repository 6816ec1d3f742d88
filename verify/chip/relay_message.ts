/**
 * The JSON message in which the phone relays Chip Authentication evidence (see
 * `docs/chip-authentication-relay.md`). Parsing is total: any input gives a relay or a typed
 * failure, never an exception.
 */
import type { ChipAuthenticationRelay } from "./chip_authentication.ts";

/** Current relay format version. */
export const RELAY_VERSION = 1;

/** Largest APDU accepted (extended-length READ BINARY responses stay far below). */
const MAX_APDU_BYTES = 65_546;

/** Why a relay message was rejected. */
export type RelayMessageFailure =
  | "relay_malformed"
  | "relay_version_unsupported"
  | "relay_mismatch";

/** What the server expects the relay to echo (from `startChipAuthentication`). */
export interface RelayExpectation {
  protocolOid: string;
  keyId?: number;
}

function decodeBase64(value: unknown): Uint8Array | undefined {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_APDU_BYTES * 2) {
    return undefined;
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) return undefined;
  try {
    return Uint8Array.fromBase64(value);
  } catch {
    return undefined;
  }
}

/**
 * Parses `{v: 1, protocol_oid, key_id?, command, response}` (base64 APDUs). When `expected` is
 * given, the echoed protocol and key id must match what the server asked for.
 */
export function parseChipAuthenticationRelay(
  message: unknown,
  expected?: RelayExpectation,
): { ok: true; relay: ChipAuthenticationRelay } | {
  ok: false;
  reason: RelayMessageFailure;
  detail: string;
} {
  if (typeof message !== "object" || message === null || Array.isArray(message)) {
    return { ok: false, reason: "relay_malformed", detail: "the relay must be a JSON object" };
  }
  const fields = message as Record<string, unknown>;
  if (fields.v !== RELAY_VERSION) {
    return { ok: false, reason: "relay_version_unsupported", detail: "v must be 1" };
  }
  const command = decodeBase64(fields.command);
  const response = decodeBase64(fields.response);
  if (!command || !response) {
    return {
      ok: false,
      reason: "relay_malformed",
      detail: "command and response must be non-empty base64",
    };
  }
  const keyId = fields.key_id;
  if (
    keyId !== undefined && keyId !== null && (!Number.isInteger(keyId) || (keyId as number) < 0)
  ) {
    return {
      ok: false,
      reason: "relay_malformed",
      detail: "key_id must be a non-negative integer",
    };
  }
  if (expected) {
    const sameProtocol = fields.protocol_oid === expected.protocolOid;
    const sameKey = (keyId ?? undefined) === expected.keyId;
    if (!sameProtocol || !sameKey) {
      return {
        ok: false,
        reason: "relay_mismatch",
        detail: "protocol_oid or key_id differs from the server's",
      };
    }
  }
  return { ok: true, relay: { command, response } };
}

/** Encodes a relay message (what the reference phone client sends). */
export function encodeChipAuthenticationRelay(
  relay: ChipAuthenticationRelay,
  started: RelayExpectation,
): Record<string, unknown> {
  const base64 = (bytes: Uint8Array) => bytes.toBase64();
  const message: Record<string, unknown> = {
    v: RELAY_VERSION,
    protocol_oid: started.protocolOid,
    command: base64(relay.command),
    response: base64(relay.response),
  };
  if (started.keyId !== undefined) message.key_id = started.keyId;
  return message;
}

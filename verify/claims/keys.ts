/**
 * Organization-scoped keys for the derived identifiers. Each organization gets its own pair of
 * HMAC keys, derived from the server key with HKDF-SHA256, so the same document or person gives
 * unrelated identifiers in two organizations and nobody can correlate them.
 */
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";

/** The two HMAC keys of one organization. Secret: never log them. */
export interface OrgClaimKeys {
  /** Key of `kayle_document_id`. */
  documentIdKey: Uint8Array;
  /** Key of `kayle_human_id` (a different key, so the two ids cannot be linked). */
  humanIdKey: Uint8Array;
}

/** Stable codes of the claim errors. */
export type ClaimErrorCode = "server_key_too_short" | "organization_id_empty" | "unknown_claim_key";

/** A typed error of the claims module; `code` is stable. */
export class ClaimError extends Error {
  /** Creates the error with its stable code and a message a developer can act on. */
  constructor(readonly code: ClaimErrorCode, message: string) {
    super(message);
    this.name = "ClaimError";
  }
}

/** Versioned domain separation: changing any of these changes every identifier. */
const HKDF_SALT = new TextEncoder().encode("kayle-id/org-claim-keys/v1");
const DOCUMENT_INFO = "kayle_document_id/v1/";
const HUMAN_INFO = "kayle_human_id/v1/";
const KEY_LENGTH = 32;
const MIN_SERVER_KEY_LENGTH = 16;

/**
 * Derives an organization's claim keys: HKDF-SHA256(ikm = server key, salt =
 * "kayle-id/org-claim-keys/v1", info = "kayle_document_id/v1/<orgId>" or
 * "kayle_human_id/v1/<orgId>", 32 bytes). Throws {@link ClaimError} for a server key shorter
 * than 16 bytes or an empty organization id.
 */
export function deriveOrgClaimKeys(serverKey: Uint8Array, orgId: string): OrgClaimKeys {
  if (serverKey.length < MIN_SERVER_KEY_LENGTH) {
    throw new ClaimError("server_key_too_short", "the server key must be at least 16 bytes");
  }
  if (orgId === "") throw new ClaimError("organization_id_empty", "organization id is empty");
  const derive = (info: string) =>
    hkdf(sha256, serverKey, HKDF_SALT, new TextEncoder().encode(info + orgId), KEY_LENGTH);
  return { documentIdKey: derive(DOCUMENT_INFO), humanIdKey: derive(HUMAN_INFO) };
}

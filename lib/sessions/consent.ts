/**
 * Consent (docs/api.md#the-public-verify-surface): the user's choice of share fields on the consent screen, recorded with its
 * time and a hash of the contract it answered (so a later check can prove which contract the
 * user saw). It must include every required field and only requested ones. The choice may change
 * until a phone claims an attempt; after that it is fixed for the session.
 *
 * Key: `["consents", sessionId]` → {@link ConsentRecord}.
 */
import type { AppDeps } from "../deps.ts";
import { toHex } from "../core/keys.ts";
import { expireSession, isExpiryDue, RETRY, retryOnConflict } from "./lifecycle.ts";
import { requiredKeys, type ShareFields } from "./share_fields.ts";
import { isTerminal, sessionKeys, type SessionRecord, SessionStateError } from "./types.ts";
import { CodedError } from "../core/errors.ts";

/** A recorded consent. */
export interface ConsentRecord {
  sessionId: string;
  /** Selected keys in the session's canonical (share-field) order. */
  selectedFieldKeys: string[];
  /** SHA-256 (hex) of the contract version and share fields the user saw. */
  contractHash: string;
  consentedAt: string;
}

/** Stable codes of a refused consent (400). */
export type ConsentCode = "CONSENT_REQUIRED_FIELD_MISSING" | "CONSENT_FIELD_NOT_REQUESTED";

/** The selection breaks the contract; `code` is the API error code. */
export class ConsentError extends CodedError<ConsentCode> {}

/** SHA-256 hex of the contract a session presents (version and ordered share fields). */
export async function contractHash(contractVersion: number, fields: ShareFields): Promise<string> {
  const canonical = JSON.stringify([
    contractVersion,
    Object.entries(fields).map(([key, f]) => [key, f.required, f.reason, f.source]),
  ]);
  return toHex(
    new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical))),
  );
}

/** Orders a selection canonically; throws {@link ConsentError} when it breaks the contract. */
export function checkSelection(fields: ShareFields, selected: readonly string[]): string[] {
  const chosen = new Set(selected);
  const unknown = [...chosen].find((key) => !Object.hasOwn(fields, key));
  if (unknown !== undefined) {
    throw new ConsentError(
      "CONSENT_FIELD_NOT_REQUESTED",
      `${unknown} was not requested by this session.`,
    );
  }
  const missing = requiredKeys(fields).find((key) => !chosen.has(key));
  if (missing !== undefined) {
    throw new ConsentError(
      "CONSENT_REQUIRED_FIELD_MISSING",
      `${missing} is required and must be selected.`,
    );
  }
  return Object.keys(fields).filter((key) => chosen.has(key));
}

/**
 * Records (or replaces, before any claim) the consent of a session. Throws
 * {@link ConsentError}, or {@link SessionStateError}: `session_not_found`, `session_terminal`,
 * `session_in_progress` (a phone already claimed an attempt: consent is fixed).
 */
export async function recordConsent(
  deps: AppDeps,
  sessionId: string,
  selected: readonly string[],
): Promise<ConsentRecord> {
  return await retryOnConflict(async () => {
    const entry = await deps.kv.get<SessionRecord>(sessionKeys.session(sessionId));
    let session = entry.value;
    if (!session) throw new SessionStateError("session_not_found", "No such session.");
    if (isExpiryDue(session, deps.clock.now())) session = (await expireSession(deps, sessionId))!;
    if (isTerminal(session.status)) {
      throw new SessionStateError("session_terminal", `The session is ${session.status}.`);
    }
    if (session.status !== "created") {
      throw new SessionStateError(
        "session_in_progress",
        "Consent cannot change once a phone has started.",
      );
    }
    const record: ConsentRecord = {
      sessionId,
      selectedFieldKeys: checkSelection(session.shareFields, selected),
      contractHash: await contractHash(session.contractVersion, session.shareFields),
      consentedAt: deps.clock.now().toISOString(),
    };
    const ok =
      (await deps.kv.atomic().check(entry).set(sessionKeys.consent(sessionId), record).commit()).ok;
    return ok ? record : RETRY;
  });
}

/** The recorded consent of a session, or null. */
export async function getConsent(kv: Deno.Kv, sessionId: string): Promise<ConsentRecord | null> {
  return (await kv.get<ConsentRecord>(sessionKeys.consent(sessionId))).value;
}

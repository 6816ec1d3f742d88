/**
 * The one-shot cancel token of a session (docs/mobile-protocol.md, seed 001): issued at creation (plaintext only
 * in the create response and the verification URL), stored only as a keyed hash, consumed by the
 * first successful public cancel in the SAME commit that cancels the session.
 *
 * Key: `["cancel_tokens", sessionId]` → {@link CancelTokenRecord}.
 */
import type { AppDeps } from "../deps.ts";
import { constantTimeEqual } from "../core/keys.ts";
import {
  addEndSessionWrites,
  checkedOp,
  expireSession,
  isExpiryDue,
  readSessionState,
  RETRY,
  retryOnConflict,
} from "./lifecycle.ts";
import { isTerminal, sessionKeys, type SessionRecord } from "./types.ts";
import { CodedError } from "../core/errors.ts";

/** The stored token: its keyed hash and when it was consumed. */
export interface CancelTokenRecord {
  hash: string;
  consumedAt: string | null;
}

/** Stable codes of a refused public cancel. */
export type CancelTokenCode = "CANCEL_TOKEN_INVALID" | "CANCEL_TOKEN_USED";

/** A public cancel was refused; `code` is the API error code. */
export class CancelTokenError extends CodedError<CancelTokenCode> {}

async function hashCancelToken(
  deps: Pick<AppDeps, "keys">,
  sessionId: string,
  token: string,
): Promise<string> {
  // Bound to the session id, so a token can never cancel another session.
  return await deps.keys.hash(`cancel-token:${sessionId}:${token}`);
}

/** The record stored for a freshly issued token. */
export async function cancelTokenRecord(
  deps: AppDeps,
  sessionId: string,
  token: string,
): Promise<CancelTokenRecord> {
  return { hash: await hashCancelToken(deps, sessionId, token), consumedAt: null };
}

/** What a public cancel did. */
export type PublicCancelOutcome = "cancelled" | "already_terminal";

/**
 * The public cancel: a wrong token throws `CANCEL_TOKEN_INVALID`; a fresh token cancels the
 * session (by the user) and is consumed in the same commit; a consumed token, or any valid token
 * of a session that is already terminal, answers `already_terminal` when the session is terminal,
 * else throws `CANCEL_TOKEN_USED`. Returns null when the session does not exist.
 */
export async function cancelSessionWithToken(
  deps: AppDeps,
  sessionId: string,
  token: string,
): Promise<PublicCancelOutcome | null> {
  return await retryOnConflict(async () => {
    const state = await readSessionState(deps.kv, sessionId);
    const tokenEntry = await deps.kv.get<CancelTokenRecord>(sessionKeys.cancelToken(sessionId));
    let session: SessionRecord | null = state.entry.value;
    if (!session) return null;
    const presented = await hashCancelToken(deps, sessionId, token);
    if (!tokenEntry.value || !constantTimeEqual(presented, tokenEntry.value.hash)) {
      throw new CancelTokenError(
        "CANCEL_TOKEN_INVALID",
        "This cancel token is not valid for the session.",
      );
    }
    if (isExpiryDue(session, deps.clock.now())) session = await expireSession(deps, sessionId);
    if (session && isTerminal(session.status)) return "already_terminal";
    if (tokenEntry.value.consumedAt) {
      throw new CancelTokenError("CANCEL_TOKEN_USED", "This cancel token was already used.");
    }
    const op = checkedOp(deps.kv, state).check(tokenEntry);
    const now = deps.clock.now().toISOString();
    op.set(sessionKeys.cancelToken(sessionId), { ...tokenEntry.value, consumedAt: now });
    await addEndSessionWrites(deps, op, session!, state.attemptEntry?.value ?? null, {
      status: "cancelled",
      by: "user",
    });
    return (await op.commit()).ok ? "cancelled" : RETRY;
  });
}

/**
 * Marks a session's token consumed without cancelling (for layers that spend the token on
 * another one-shot action, and for tests of the `CANCEL_TOKEN_USED` answer). Returns false when
 * there is no token.
 */
export async function consumeCancelToken(
  deps: Pick<AppDeps, "kv" | "clock">,
  sessionId: string,
): Promise<boolean> {
  return await retryOnConflict(async () => {
    const entry = await deps.kv.get<CancelTokenRecord>(sessionKeys.cancelToken(sessionId));
    if (!entry.value) return false;
    if (entry.value.consumedAt) return true;
    const next = { ...entry.value, consumedAt: deps.clock.now().toISOString() };
    const ok = (await deps.kv.atomic().check(entry).set(entry.key, next).commit()).ok;
    return ok ? true : RETRY;
  });
}

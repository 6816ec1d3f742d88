/**
 * Session state changes (docs/api.md#lifecycle). Every change is a read → decide → KV atomic commit that
 * re-checks the versionstamps of what it read, retried when another writer got there first.
 * A terminal transition writes the session, its indexes, the ended attempt, the analytics
 * counters and the event record (`addEventToCommit`) in ONE commit, so a session gets at most one
 * terminal event whatever races (cancel vs success vs expiry): the loser re-reads, sees a
 * terminal session and returns it unchanged.
 *
 * Functions for other layers:
 * - {@link expireSession} — lazy expiry on reads and the sweep.
 * - {@link cancelSession} — integrator (API) or user cancel without a token.
 * - `cancelSessionWithToken` (cancel_tokens.ts), `createAttempt` / `claimAttempt` /
 *   `completeAttempt` (attempts.ts) build on the helpers here.
 */
import type { AppDeps } from "../deps.ts";
import { addEventToCommit } from "../events/events.ts";
import { groupCommitterOf } from "../core/group_commit.ts";
import { putAttempt, putSession } from "./records.ts";
import { inScope, type OrgLookup } from "../core/org_mode.ts";
import { countSessionClaimed, countSessionEnded } from "./analytics.ts";
import {
  type AttemptRecord,
  type CancelledBy,
  type CancelReason,
  isTerminal,
  sessionKeys,
  type SessionRecord,
  SessionStateError,
} from "./types.ts";

/** Attempts of a read-decide-commit loop before giving up with `contention`. */
export const MAX_COMMIT_TRIES = 64;

/** Returned by a loop body to ask for another try (its commit lost a race). */
export const RETRY = Symbol("retry");

/** Runs `body` until it returns something other than {@link RETRY}. */
export async function retryOnConflict<T>(body: () => Promise<T | typeof RETRY>): Promise<T> {
  for (let i = 0; i < MAX_COMMIT_TRIES; i++) {
    const result = await body();
    if (result !== RETRY) return result as T;
  }
  throw new SessionStateError("contention", "The session changed too often to commit; retry.");
}

/** A session and its newest attempt as read, with versionstamps for the commit's checks. */
export interface SessionState {
  entry: Deno.KvEntryMaybe<SessionRecord>;
  attemptEntry: Deno.KvEntryMaybe<AttemptRecord> | null;
}

/** Reads a session and its newest attempt. */
export async function readSessionState(kv: Deno.Kv, sessionId: string): Promise<SessionState> {
  const entry = await kv.get<SessionRecord>(sessionKeys.session(sessionId));
  const latest = entry.value?.latestAttemptId;
  const attemptEntry = latest ? await kv.get<AttemptRecord>(sessionKeys.attempt(latest)) : null;
  return { entry, attemptEntry };
}

/**
 * An atomic operation that fails when anything in `state` changed since it was read. State changes
 * made at once (a burst of verdicts, the expiry sweep) share KV commits, each keeping its own
 * checks (`lib/core/group_commit.ts`).
 */
export function checkedOp(kv: Deno.Kv, state: SessionState): Deno.AtomicOperation {
  const op = groupCommitterOf(kv).atomic().check(state.entry);
  if (state.attemptEntry) op.check(state.attemptEntry);
  return op;
}

/** True when the session is past its expiry and not yet terminal. */
export function isExpiryDue(session: SessionRecord, now: Date): boolean {
  return !isTerminal(session.status) && Date.parse(session.expiresAt) <= now.getTime();
}

/** Writes `after` over `before` in `op`, moving its status and expiry indexes and counters. */
export function writeSession(
  op: Deno.AtomicOperation,
  before: SessionRecord,
  after: SessionRecord,
): void {
  putSession(op, before, after);
  if (before.status === after.status) return;
  if (isTerminal(after.status)) {
    op.delete(sessionKeys.byExpiry(before))
      .set(sessionKeys.toMinimise(after), after.id)
      .set(sessionKeys.toDelete(after), after.id);
    countSessionEnded(op, before.status, after);
  } else if (before.status === "created") {
    countSessionClaimed(op, after);
  }
}

/** How a session ends without a verdict. */
export type EndKind =
  | { status: "expired" }
  | { status: "cancelled"; by: CancelledBy; reason?: CancelReason };

/**
 * Adds to `op` the end of `session` as expired or cancelled: the session and its indexes, its
 * in-progress attempt ended `cancelled` with `session_expired` / `session_cancelled`, and the
 * terminal event. The caller has checked what it read and commits. Returns the new session.
 */
export async function addEndSessionWrites(
  deps: AppDeps,
  op: Deno.AtomicOperation,
  session: SessionRecord,
  latestAttempt: AttemptRecord | null,
  kind: EndKind,
): Promise<SessionRecord> {
  const now = deps.clock.now().toISOString();
  const reason: CancelReason = kind.status === "cancelled"
    ? kind.reason ?? (session.failedAttempts > 0 ? "cancelled_after_failed_attempt" : "cancelled")
    : "cancelled";
  const after: SessionRecord = {
    ...session,
    status: kind.status,
    // An expired session ended at its expiry time, whenever the sweep commits it (reads show the
    // same before it does, lib/sessions/effective.ts).
    completedAt: kind.status === "expired" && session.expiresAt < now ? session.expiresAt : now,
    updatedAt: now,
    cancelReason: kind.status === "cancelled" ? reason : null,
    cancelledBy: kind.status === "cancelled" ? kind.by : null,
  };
  writeSession(op, session, after);
  if (latestAttempt?.status === "in_progress") {
    putAttempt(op, latestAttempt, {
      ...latestAttempt,
      status: "cancelled",
      failureCode: kind.status === "expired" ? "session_expired" : "session_cancelled",
      completedAt: after.completedAt,
      updatedAt: now,
    });
  }
  await addEventToCommit(deps, op, {
    orgId: session.orgId,
    mode: session.mode,
    sessionId: session.id,
    webhookEndpointId: session.webhookEndpointId,
    ...(kind.status === "expired"
      ? { type: "verification.session.expired", data: {} }
      : { type: "verification.session.cancelled", data: { reason, cancelled_by: kind.by } }),
  });
  return after;
}

/**
 * Expires a session whose 60 minutes have passed (lazy on reads, and the sweep). Emits
 * `verification.session.expired` exactly once; returns the session as it now is (unchanged
 * when not due or already terminal), or null when it does not exist. `now: true` (the test
 * helper `POST /v1/test_helpers/sessions/:id/expire`, docs/api.md) expires a session that is not
 * yet due, its `expires_at` moved to now.
 */
export async function expireSession(
  deps: AppDeps,
  sessionId: string,
  options: { now?: boolean } = {},
): Promise<SessionRecord | null> {
  return await retryOnConflict(async () => {
    const state = await readSessionState(deps.kv, sessionId);
    const session = state.entry.value;
    if (!session || isTerminal(session.status)) return session;
    if (!options.now && !isExpiryDue(session, deps.clock.now())) return session;
    const op = checkedOp(deps.kv, state);
    const after = await addEndSessionWrites(deps, op, session, state.attemptEntry?.value ?? null, {
      status: "expired",
    });
    const due = Date.parse(session.expiresAt) <= deps.clock.now().getTime();
    const result = due ? after : { ...after, expiresAt: after.completedAt! };
    if (!due) putSession(op, after, result);
    return (await op.commit()).ok ? result : RETRY;
  });
}

/** The result of a cancel: the session as it is, and whether this call ended it. */
export interface CancelResult {
  session: SessionRecord;
  cancelled: boolean;
}

/**
 * Cancels a session (POST /v1/sessions/:id/cancel, or a user cancel the caller already
 * authorised). Idempotent: a terminal session is returned unchanged with `cancelled: false`;
 * a session past its expiry is expired instead. The reason is `cancelled_after_failed_attempt`
 * when an attempt already failed, else `cancelled`. Returns null when the session does not
 * exist or is outside `scope` (another organization's, or another mode's: a test key can never
 * end a live session nor make it send a live webhook).
 */
export async function cancelSession(
  deps: AppDeps,
  sessionId: string,
  options: { by: CancelledBy; scope: OrgLookup | "public" },
): Promise<CancelResult | null> {
  return await retryOnConflict(async () => {
    const state = await readSessionState(deps.kv, sessionId);
    const session = state.entry.value;
    if (!session || (options.scope !== "public" && !inScope(session, options.scope))) return null;
    if (isExpiryDue(session, deps.clock.now())) {
      return { session: (await expireSession(deps, sessionId))!, cancelled: false };
    }
    if (isTerminal(session.status)) return { session, cancelled: false };
    const op = checkedOp(deps.kv, state);
    const after = await addEndSessionWrites(deps, op, session, state.attemptEntry?.value ?? null, {
      status: "cancelled",
      by: options.by,
    });
    return (await op.commit()).ok ? { session: after, cancelled: true } : RETRY;
  });
}

/**
 * Verification attempts (docs/api.md#lifecycle): created by a handoff, claimed by the phone's hello,
 * completed with a verdict by the verification pipeline. These are the functions the handoff
 * and WebSocket layer calls; each is one versionstamp-checked commit (see `lifecycle.ts`):
 *
 * - {@link createAttempt}(deps, sessionId) — a handoff minted a credential: new `va_` attempt;
 *   an older unclaimed attempt ends `cancelled` / `handoff_superseded`; a claimed in-progress one
 *   refuses with `session_in_progress`; a terminal (or due) session with `session_terminal`.
 * - {@link claimAttempt}(deps, attemptId, {deviceId}) — the phone's first hello: the session
 *   moves to `in_progress` and is bound to that device (`same_device_only`); the same device
 *   resumes, another gets `device_mismatch`.
 * - {@link completeAttempt}(deps, attemptId, verdict) — success, or failure with its code: the
 *   attempt, the session and the events (`verification.attempt.*`, and on success or the third
 *   failure `verification.session.succeeded|failed`) in one commit.
 */
import type { AppDeps } from "../deps.ts";
import { newId } from "../core/ids.ts";
import { getManyValues } from "../core/kv.ts";
import { addEventToCommit } from "../events/events.ts";
import { countAttemptFailed } from "./analytics.ts";
import { putAttempt } from "./records.ts";
import {
  checkedOp,
  expireSession,
  isExpiryDue,
  readSessionState,
  RETRY,
  retryOnConflict,
  type SessionState,
  writeSession,
} from "./lifecycle.ts";
import {
  type AttemptRecord,
  attemptsRemaining,
  isTerminal,
  MAX_FAILED_ATTEMPTS,
  sessionKeys,
  type SessionRecord,
  SessionStateError,
} from "./types.ts";

/** A session and one of its attempts after a change. */
export interface SessionAndAttempt {
  session: SessionRecord;
  attempt: AttemptRecord;
}

/** Reads an attempt. */
export async function getAttempt(kv: Deno.Kv, id: string): Promise<AttemptRecord | null> {
  return (await kv.get<AttemptRecord>(sessionKeys.attempt(id))).value;
}

// Reads the session (expiring it when due) and refuses a missing or terminal one.
async function liveState(
  deps: AppDeps,
  sessionId: string,
): Promise<SessionState & { session: SessionRecord }> {
  const state = await readSessionState(deps.kv, sessionId);
  let session = state.entry.value;
  if (!session) throw new SessionStateError("session_not_found", "No such session.");
  if (isExpiryDue(session, deps.clock.now())) session = (await expireSession(deps, sessionId))!;
  if (isTerminal(session.status)) {
    throw new SessionStateError("session_terminal", `The session is ${session.status}.`);
  }
  return { ...state, session };
}

/**
 * Starts a new attempt for a handoff. Returns the session, the new attempt and the superseded
 * unclaimed attempt (ended `cancelled` / `handoff_superseded`) if there was one.
 * Throws {@link SessionStateError}: `session_not_found`, `session_terminal`, `session_in_progress`.
 */
export async function createAttempt(
  deps: AppDeps,
  sessionId: string,
): Promise<SessionAndAttempt & { superseded: AttemptRecord | null }> {
  return await retryOnConflict(async () => {
    const state = await liveState(deps, sessionId);
    const previous = state.attemptEntry?.value ?? null;
    if (previous?.status === "in_progress" && previous.claimedAt) {
      throw new SessionStateError("session_in_progress", "An attempt is in progress on a phone.");
    }
    const now = deps.clock.now().toISOString();
    const attempt: AttemptRecord = {
      id: newId("va", deps.random),
      sessionId,
      orgId: state.session.orgId,
      mode: state.session.mode,
      status: "in_progress",
      failureCode: null,
      riskScore: null,
      deviceIdHash: null,
      claimedAt: null,
      completedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    const session = { ...state.session, latestAttemptId: attempt.id, updatedAt: now };
    const op = checkedOp(deps.kv, state);
    putAttempt(op, null, attempt);
    writeSession(op, state.session, session);
    let superseded: AttemptRecord | null = null;
    if (previous?.status === "in_progress") {
      superseded = {
        ...previous,
        status: "cancelled",
        failureCode: "handoff_superseded",
        completedAt: now,
        updatedAt: now,
      };
      putAttempt(op, previous, superseded);
    }
    return (await op.commit()).ok ? { session, attempt, superseded } : RETRY;
  });
}

/**
 * Claims an attempt for a device (the phone's first hello; a repeat from the same device is a
 * resume and changes nothing). The device id is stored only as a keyed hash.
 * Throws {@link SessionStateError}: `attempt_not_found`, `session_terminal`,
 * `attempt_not_current`, `attempt_not_in_progress`, `device_mismatch`.
 */
export async function claimAttempt(
  deps: AppDeps,
  attemptId: string,
  options: { deviceId: string },
): Promise<SessionAndAttempt> {
  const deviceIdHash = await deps.keys.hash(`device-id:${options.deviceId}`);
  return await retryOnConflict(async () => {
    const { state, attempt } = await currentAttempt(deps, attemptId);
    const boundDevice = attempt.deviceIdHash ?? state.session.deviceIdHash;
    if (boundDevice && boundDevice !== deviceIdHash) {
      throw new SessionStateError("device_mismatch", "The session is bound to another device.");
    }
    if (attempt.claimedAt) return { session: state.session, attempt };
    const now = deps.clock.now().toISOString();
    const claimed: AttemptRecord = { ...attempt, deviceIdHash, claimedAt: now, updatedAt: now };
    const session: SessionRecord = {
      ...state.session,
      status: "in_progress",
      deviceIdHash,
      updatedAt: now,
    };
    const op = checkedOp(deps.kv, state);
    putAttempt(op, attempt, claimed);
    writeSession(op, state.session, session);
    return (await op.commit()).ok ? { session, attempt: claimed } : RETRY;
  });
}

// The attempt must be the session's newest and still in progress, on a live session.
async function currentAttempt(deps: AppDeps, attemptId: string) {
  const found = await getAttempt(deps.kv, attemptId);
  if (!found) throw new SessionStateError("attempt_not_found", "No such attempt.");
  const state = await liveState(deps, found.sessionId);
  const attempt = state.attemptEntry?.value;
  if (!attempt || attempt.id !== attemptId) {
    throw new SessionStateError("attempt_not_current", "A newer attempt replaced this one.");
  }
  if (attempt.status !== "in_progress") {
    throw new SessionStateError("attempt_not_in_progress", `The attempt is ${attempt.status}.`);
  }
  return { state, attempt };
}

/** The pipeline's verdict on an attempt. */
export type AttemptVerdict =
  | {
    outcome: "succeeded";
    riskScore: number;
    /** Consented claims only (delivered encrypted; never stored in clear). */
    claims: Record<string, unknown>;
    /** Their keys in the session's share-field order. */
    selectedFieldKeys: string[];
  }
  | { outcome: "failed"; failureCode: string; riskScore?: number | null };

/**
 * Records the verdict of a claimed, in-progress attempt. Success completes the session
 * (`outcome: succeeded`); a failure counts toward the limit of 3, and the third completes it with
 * `outcome: failed`. Throws {@link SessionStateError} (`session_terminal` when a cancel or the
 * expiry won the race: the verdict is then discarded, as the session already ended), plus
 * `attempt_not_claimed` for an attempt no phone claimed.
 */
export async function completeAttempt(
  deps: AppDeps,
  attemptId: string,
  verdict: AttemptVerdict,
): Promise<SessionAndAttempt> {
  return await retryOnConflict(async () => {
    const { state, attempt } = await currentAttempt(deps, attemptId);
    if (!attempt.claimedAt) {
      throw new SessionStateError("attempt_not_claimed", "No phone claimed this attempt.");
    }
    const now = deps.clock.now().toISOString();
    const ended: AttemptRecord = {
      ...attempt,
      status: verdict.outcome,
      failureCode: verdict.outcome === "failed" ? verdict.failureCode : null,
      riskScore: verdict.riskScore ?? null,
      completedAt: now,
      updatedAt: now,
    };
    const session = sessionAfterVerdict(state.session, verdict, now);
    const op = checkedOp(deps.kv, state);
    putAttempt(op, attempt, ended);
    writeSession(op, state.session, session);
    if (verdict.outcome === "failed") countAttemptFailed(op, session, verdict.failureCode, now);
    await addVerdictEvents(deps, op, session, ended, verdict);
    return (await op.commit()).ok ? { session, attempt: ended } : RETRY;
  });
}

function sessionAfterVerdict(
  before: SessionRecord,
  verdict: AttemptVerdict,
  now: string,
): SessionRecord {
  const attemptsUsed = before.attemptsUsed + 1;
  if (verdict.outcome === "succeeded") {
    return {
      ...before,
      status: "completed",
      outcome: "succeeded",
      attemptsUsed,
      completedAt: now,
      updatedAt: now,
    };
  }
  const failedAttempts = before.failedAttempts + 1;
  const exhausted = failedAttempts >= MAX_FAILED_ATTEMPTS;
  return {
    ...before,
    attemptsUsed,
    failedAttempts,
    ...(exhausted
      ? {
        status: "completed",
        outcome: "failed",
        failureCode: verdict.failureCode,
        completedAt: now,
      }
      : {}),
    updatedAt: now,
  };
}

async function addVerdictEvents(
  deps: AppDeps,
  op: Deno.AtomicOperation,
  session: SessionRecord,
  attempt: AttemptRecord,
  verdict: AttemptVerdict,
): Promise<void> {
  const base = {
    orgId: session.orgId,
    mode: session.mode,
    sessionId: session.id,
    attemptId: attempt.id,
    webhookEndpointId: session.webhookEndpointId,
  };
  if (verdict.outcome === "succeeded") {
    const data = { claims: verdict.claims, selected_field_keys: verdict.selectedFieldKeys };
    await addEventToCommit(deps, op, { ...base, type: "verification.attempt.succeeded", data });
    await addEventToCommit(deps, op, { ...base, type: "verification.session.succeeded", data });
    return;
  }
  await addEventToCommit(deps, op, {
    ...base,
    type: "verification.attempt.failed",
    data: { failure_code: verdict.failureCode, attempts_remaining: attemptsRemaining(session) },
  });
  if (session.status === "completed") {
    await addEventToCommit(deps, op, {
      ...base,
      type: "verification.session.failed",
      data: { failure_code: verdict.failureCode, attempts_used: session.attemptsUsed },
    });
  }
}

/** A session's attempts, newest first. */
export async function listSessionAttempts(
  kv: Deno.Kv,
  sessionId: string,
): Promise<AttemptRecord[]> {
  const ids: string[] = [];
  for await (
    const e of kv.list<string>({ prefix: sessionKeys.attemptsBySessionPrefix(sessionId) })
  ) {
    ids.push(e.value);
  }
  const out = await getManyValues<AttemptRecord>(kv, ids.map(sessionKeys.attempt));
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
}

/**
 * Retention of ended sessions (docs/privacy.md): 7 days after a session ends it is minimised (its
 * redirect URL, device binding, consent record and cancel-token hash are dropped: nothing is
 * needed from them any more), and 30 days after it ends it is deleted with its attempts. Counts in
 * analytics stay. Events and deliveries have their own retention in the webhooks layer.
 *
 * An hourly scheduled task (`lib/jobs/scheduled.ts`, once per hour across instances) runs both
 * under a KV lease, working through each queue in commits of {@link COMMIT_SESSIONS} sessions
 * until it is empty, the run's budget is spent or {@link MAX_PER_RUN} sessions were changed
 * (docs/performance.md, "Sweeps"). Tests call the functions with a clock.
 * Keys read: `["sessions_to_minimise", endedAtMs, id]`, `["sessions_to_delete", endedAtMs, id]`,
 * written by the terminal transition (`writeSession`).
 */
import type { AppDeps } from "../deps.ts";
import { withLease } from "../core/lease.ts";
import { getManyEntries } from "../core/kv.ts";
import type { ScheduledTask } from "../jobs/scheduled.ts";
import { listSessionAttempts } from "./attempts.ts";
import { RETRY, retryOnConflict } from "./lifecycle.ts";
import { putAttempt, putSession } from "./records.ts";
import { type AttemptRecord, sessionKeys, type SessionRecord } from "./types.ts";

/** Ended sessions are minimised this long after their end. */
export const MINIMISE_AFTER_MS = 7 * 24 * 3600_000;
/** Ended sessions are deleted this long after their end. */
export const DELETE_AFTER_MS = 30 * 24 * 3600_000;
/** Name of the cron job and its lease. */
export const RETENTION_NAME = "sessions_retention";

/** Sessions changed per commit: 25 × (≤ 19 mutations, ≤ 1 KiB of keys) stays far inside KV's
 * 100 checks, 1 000 mutations, 80 KiB of keys and 800 KiB per commit. */
export const COMMIT_SESSIONS = 25;
/** Sessions minimised plus deleted per run at most (hourly; goal ≥ 200 000 a day). */
export const MAX_PER_RUN = 50_000;
/** Wall time one run may spend (its lease is 10 minutes). */
export const RUN_BUDGET_MS = 8 * 60_000;

type Change = (op: Deno.AtomicOperation, session: SessionRecord, attempts: AttemptRecord[]) => void;

/** What one queue's pass did. */
interface Pass {
  done: number;
  left: boolean;
}

// Works through one retention queue, a page at a time, until it is empty, `limit` sessions were
// changed or `deadline` passed.
async function drainQueue(
  deps: AppDeps,
  queue: Deno.KvKey,
  ageMs: number,
  limit: number,
  deadline: number,
  change: Change,
): Promise<Pass> {
  let done = 0;
  for (;;) {
    const cutoff = deps.clock.now().getTime() - ageMs;
    const take = Math.min(COMMIT_SESSIONS * 8, limit - done);
    if (take <= 0) return { done, left: true };
    const due: Deno.KvEntry<string>[] = [];
    const selector = { start: queue, end: [...queue, cutoff + 1] };
    for await (const e of deps.kv.list<string>(selector, { limit: take, batchSize: take })) {
      due.push(e);
    }
    if (!due.length) return { done, left: false };
    let progressed = 0;
    for (let i = 0; i < due.length; i += COMMIT_SESSIONS) {
      progressed += await changeBatch(deps, due.slice(i, i + COMMIT_SESSIONS), change);
    }
    done += progressed;
    if (due.length < take) return { done, left: false };
    if (!progressed || deps.clock.now().getTime() >= deadline) return { done, left: true };
  }
}

// Changes the sessions of `entries` (queue entries) in one commit checked against every session
// read; on a conflict (a session changed meanwhile) each is retried alone. Returns how many.
async function changeBatch(
  deps: AppDeps,
  entries: Deno.KvEntry<string>[],
  change: Change,
): Promise<number> {
  const ids = entries.map((e) => e.value);
  const sessions = await getManyEntries<SessionRecord>(deps.kv, ids.map(sessionKeys.session));
  const attempts = await Promise.all(ids.map((id) => listSessionAttempts(deps.kv, id)));
  const op = deps.kv.atomic();
  sessions.forEach((entry, i) => {
    if (!entry.value) {
      // The session is gone: its queue entry would stay due forever.
      op.check(entries[i]).delete(entries[i].key);
      return;
    }
    op.check(entry);
    change(op, entry.value, attempts[i]);
  });
  if ((await op.commit()).ok) return entries.length;
  for (const id of ids) await changeEndedSession(deps, id, change);
  return entries.length;
}

/** Minimises sessions that ended 7 days ago or more; returns how many. */
export async function minimiseEndedSessions(
  deps: AppDeps,
  options: { limit?: number; deadline?: number } = {},
): Promise<number> {
  const deadline = options.deadline ?? deps.clock.now().getTime() + RUN_BUDGET_MS;
  return (await drainQueue(
    deps,
    sessionKeys.toMinimisePrefix(),
    MINIMISE_AFTER_MS,
    options.limit ?? MAX_PER_RUN,
    deadline,
    minimise(deps),
  )).done;
}

// Re-reads the session and commits `change` with a versionstamp check, retrying on conflict.
// Attempts are final once the session ended, so they need no check of their own.
async function changeEndedSession(deps: AppDeps, id: string, change: Change): Promise<void> {
  const attempts = await listSessionAttempts(deps.kv, id);
  await retryOnConflict(async () => {
    const entry = await deps.kv.get<SessionRecord>(sessionKeys.session(id));
    if (!entry.value) return null;
    const op = deps.kv.atomic().check(entry);
    change(op, entry.value, attempts);
    return (await op.commit()).ok ? null : RETRY;
  });
}

function minimise(deps: AppDeps): Change {
  return (op, session, attempts) => {
    const id = session.id;
    // The list indexes' copies are minimised with the records (records.ts).
    putSession(op, session, {
      ...session,
      redirectUrl: null,
      deviceIdHash: null,
      minimisedAt: deps.clock.now().toISOString(),
    });
    op.delete(sessionKeys.consent(id))
      .delete(sessionKeys.cancelToken(id))
      .delete(sessionKeys.toMinimise(session));
    for (const a of attempts) {
      if (a.deviceIdHash) putAttempt(op, a, { ...a, deviceIdHash: null });
    }
  };
}

/** Deletes sessions (and their attempts) that ended 30 days ago or more; returns how many. */
export async function deleteEndedSessions(
  deps: AppDeps,
  options: { limit?: number; deadline?: number } = {},
): Promise<number> {
  const deadline = options.deadline ?? deps.clock.now().getTime() + RUN_BUDGET_MS;
  return (await drainQueue(
    deps,
    sessionKeys.toDeletePrefix(),
    DELETE_AFTER_MS,
    options.limit ?? MAX_PER_RUN,
    deadline,
    remove,
  )).done;
}

const remove: Change = (op, session, attempts) => {
  const id = session.id;
  op.delete(sessionKeys.session(id))
    .delete(sessionKeys.byOrg(session))
    .delete(sessionKeys.byOrgStatus(session))
    .delete(sessionKeys.toMinimise(session))
    .delete(sessionKeys.toDelete(session))
    .delete(sessionKeys.consent(id))
    .delete(sessionKeys.cancelToken(id));
  for (const a of attempts) {
    op.delete(sessionKeys.attempt(a.id)).delete(sessionKeys.attemptBySession(a))
      .delete(sessionKeys.attemptByOrg(a)).delete(sessionKeys.attemptByOrgStatus(a));
  }
};

async function retain(deps: AppDeps): Promise<void> {
  const started = performance.now();
  const deadline = deps.clock.now().getTime() + RUN_BUDGET_MS;
  // Deletion first: a session due for both is deleted, never minimised then deleted.
  const deleted = await deleteEndedSessions(deps, { deadline });
  const minimised = await minimiseEndedSessions(deps, {
    limit: Math.max(0, MAX_PER_RUN - deleted),
    deadline,
  });
  if (minimised || deleted) {
    deps.logger.info("sessions_retention", {
      minimised,
      deleted,
      ms: Math.round(performance.now() - started),
    });
  }
}

/** One retention run under the lease; returns whether this instance held it. */
export async function runRetention(deps: AppDeps, holder: string): Promise<boolean> {
  return await withLease(
    deps.kv,
    RETENTION_NAME,
    holder,
    10 * 60_000,
    deps.clock,
    () => retain(deps),
  );
}

/** Retention as a scheduled task (run by the scheduler `lib/platform.ts` starts). */
export const RETENTION_TASK: ScheduledTask = {
  name: RETENTION_NAME,
  periodMs: 3600_000,
  leaseMs: 10 * 60_000,
  run: retain,
};

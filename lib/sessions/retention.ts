/**
 * Retention of ended sessions (docs/privacy.md): 7 days after a session ends it is minimised (its
 * redirect URL, device binding, consent record and cancel-token hash are dropped: nothing is
 * needed from them any more), and 30 days after it ends it is deleted with its attempts. Counts in
 * analytics stay. Events and deliveries have their own retention in the webhooks layer.
 *
 * An hourly scheduled task (`lib/jobs/scheduled.ts`, once per hour across instances) runs both
 * under a KV lease. Tests call the functions with a clock.
 * Keys read: `["sessions_to_minimise", endedAtMs, id]`, `["sessions_to_delete", endedAtMs, id]`,
 * written by the terminal transition (`writeSession`).
 */
import type { AppDeps } from "../deps.ts";
import { withLease } from "../core/lease.ts";
import type { ScheduledTask } from "../jobs/scheduled.ts";
import { listSessionAttempts } from "./attempts.ts";
import { RETRY, retryOnConflict } from "./lifecycle.ts";
import { type AttemptRecord, sessionKeys, type SessionRecord } from "./types.ts";

/** Ended sessions are minimised this long after their end. */
export const MINIMISE_AFTER_MS = 7 * 24 * 3600_000;
/** Ended sessions are deleted this long after their end. */
export const DELETE_AFTER_MS = 30 * 24 * 3600_000;
/** Name of the cron job and its lease. */
export const RETENTION_NAME = "sessions_retention";

async function dueIds(
  deps: AppDeps,
  queue: string,
  ageMs: number,
  limit: number,
): Promise<string[]> {
  const cutoff = deps.clock.now().getTime() - ageMs;
  const ids: string[] = [];
  const selector = { start: [queue], end: [queue, cutoff + 1] };
  for await (const e of deps.kv.list<string>(selector, { limit })) ids.push(e.value);
  return ids;
}

/** Minimises sessions that ended 7 days ago or more; returns how many. */
export async function minimiseEndedSessions(
  deps: AppDeps,
  options: { limit?: number } = {},
): Promise<number> {
  const ids = await dueIds(deps, "sessions_to_minimise", MINIMISE_AFTER_MS, options.limit ?? 500);
  for (const id of ids) await minimiseSession(deps, id);
  return ids.length;
}

// Re-reads the session and commits `change` with a versionstamp check, retrying on conflict.
// Attempts are final once the session ended, so they need no check of their own.
async function changeEndedSession(
  deps: AppDeps,
  id: string,
  change: (op: Deno.AtomicOperation, session: SessionRecord, attempts: AttemptRecord[]) => void,
): Promise<void> {
  const attempts = await listSessionAttempts(deps.kv, id);
  await retryOnConflict(async () => {
    const entry = await deps.kv.get<SessionRecord>(sessionKeys.session(id));
    if (!entry.value) return null;
    const op = deps.kv.atomic().check(entry);
    change(op, entry.value, attempts);
    return (await op.commit()).ok ? null : RETRY;
  });
}

async function minimiseSession(deps: AppDeps, id: string): Promise<void> {
  await changeEndedSession(deps, id, (op, session, attempts) => {
    op.set(
      sessionKeys.session(id),
      {
        ...session,
        redirectUrl: null,
        deviceIdHash: null,
        minimisedAt: deps.clock.now().toISOString(),
      } satisfies SessionRecord,
    )
      .delete(sessionKeys.consent(id))
      .delete(sessionKeys.cancelToken(id))
      .delete(sessionKeys.toMinimise(session));
    for (const a of attempts) {
      if (a.deviceIdHash) op.set(sessionKeys.attempt(a.id), { ...a, deviceIdHash: null });
    }
  });
}

/** Deletes sessions (and their attempts) that ended 30 days ago or more; returns how many. */
export async function deleteEndedSessions(
  deps: AppDeps,
  options: { limit?: number } = {},
): Promise<number> {
  const ids = await dueIds(deps, "sessions_to_delete", DELETE_AFTER_MS, options.limit ?? 200);
  for (const id of ids) await deleteSession(deps, id);
  return ids.length;
}

async function deleteSession(deps: AppDeps, id: string): Promise<void> {
  await changeEndedSession(deps, id, (op, session, attempts) => {
    op.delete(sessionKeys.session(id))
      .delete(sessionKeys.byOrg(session))
      .delete(sessionKeys.byOrgStatus(session))
      .delete(sessionKeys.toMinimise(session))
      .delete(sessionKeys.toDelete(session))
      .delete(sessionKeys.consent(id))
      .delete(sessionKeys.cancelToken(id));
    for (const a of attempts) {
      op.delete(sessionKeys.attempt(a.id)).delete(sessionKeys.attemptBySession(a))
        .delete(sessionKeys.attemptByOrg(a));
    }
  });
}

async function retain(deps: AppDeps): Promise<void> {
  const minimised = await minimiseEndedSessions(deps);
  const deleted = await deleteEndedSessions(deps);
  if (minimised || deleted) deps.logger.info("sessions_retention", { minimised, deleted });
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

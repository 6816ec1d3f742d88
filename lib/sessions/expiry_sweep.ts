/**
 * The expiry sweep (docs/api.md#lifecycle): a scheduled task (`lib/jobs/scheduled.ts`) run once a minute
 * across all instances, under the `sessions_expiry_sweep` lease, expires every session past its 60 minutes, emitting
 * `verification.session.expired` once per session (the transition itself is race-safe, the lease
 * only avoids duplicate work). Reads also expire lazily, so the sweep is what makes the event
 * arrive on time for sessions nobody reads. Tests call {@link expireDueSessions} directly with a
 * `ManualClock`.
 *
 * Key read: `["sessions_by_expiry", expiresAtMs, id]` (removed by the terminal transition).
 */
import type { AppDeps } from "../deps.ts";
import { withLease } from "../core/lease.ts";
import type { ScheduledTask } from "../jobs/scheduled.ts";
import { expireSession } from "./lifecycle.ts";

/** Name of the cron job and of its lease. */
export const EXPIRY_SWEEP_NAME = "sessions_expiry_sweep";

/** Sessions expired per sweep run at most (the next minute continues). */
export const SWEEP_BATCH = 1000;

/** Expires sessions whose expiry time has passed; returns how many it found expired. */
export async function expireDueSessions(
  deps: AppDeps,
  options: { limit?: number } = {},
): Promise<number> {
  const now = deps.clock.now().getTime();
  const due: string[] = [];
  const selector = { start: ["sessions_by_expiry"], end: ["sessions_by_expiry", now + 1] };
  for await (const e of deps.kv.list<string>(selector, { limit: options.limit ?? SWEEP_BATCH })) {
    due.push(e.value);
  }
  let expired = 0;
  for (const id of due) {
    const session = await expireSession(deps, id);
    if (session?.status === "expired") expired++;
  }
  return expired;
}

async function sweep(deps: AppDeps): Promise<void> {
  const expired = await expireDueSessions(deps);
  if (expired) deps.logger.info("sessions.expired", { count: expired });
}

/** Runs one sweep under the lease; returns whether this instance held it. */
export async function runExpirySweep(deps: AppDeps, holder: string): Promise<boolean> {
  return await withLease(deps.kv, EXPIRY_SWEEP_NAME, holder, 55_000, deps.clock, () => sweep(deps));
}

/** The sweep as a scheduled task (run by the scheduler `lib/platform.ts` starts). */
export const EXPIRY_SWEEP_TASK: ScheduledTask = {
  name: EXPIRY_SWEEP_NAME,
  periodMs: 60_000,
  leaseMs: 55_000,
  run: sweep,
};

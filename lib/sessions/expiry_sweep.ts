/**
 * The expiry sweep (docs/api.md, "Sessions"): a scheduled task (`lib/jobs/scheduled.ts`) run once a minute
 * across all instances, under the `sessions_expiry_sweep` lease, expires every session past its
 * 60 minutes, emitting `verification.session.expired` once per session (the transition itself is
 * race-safe, the lease only avoids duplicate work). Reads compute the expired status without
 * writing (`effective.ts`), so the sweep is the one writer and the event arrives on time.
 *
 * It works through the due index in pages of {@link PAGE} ids, {@link CONCURRENCY} transitions at
 * a time, until the backlog is empty, the run's budget ({@link RUN_BUDGET_MS}, inside the 55 s
 * lease) is spent, or {@link MAX_PER_RUN} sessions were expired (bounded work per run; the next
 * minute continues). Progress is logged as counts (docs/performance.md, "Sweeps").
 * Tests call {@link expireDueSessions} directly with a `ManualClock`.
 *
 * Key read: `["sessions_by_expiry", expiresAtMs, id]` (removed by the terminal transition).
 */
import type { AppDeps } from "../deps.ts";
import { withLease } from "../core/lease.ts";
import type { ScheduledTask } from "../jobs/scheduled.ts";
import { expireSession } from "./lifecycle.ts";
import { sessionKeys } from "./types.ts";

/** Name of the scheduled task and of its lease. */
export const EXPIRY_SWEEP_NAME = "sessions_expiry_sweep";

/** Due ids read per page. */
export const PAGE = 500;
/** Transitions committed at once. */
export const CONCURRENCY = 16;
/** Sessions expired per run at most (goal: ≥ 10 000 a minute). */
export const MAX_PER_RUN = 60_000;
/** Wall time one run may spend (its lease is 55 s). */
export const RUN_BUDGET_MS = 45_000;

/** What a sweep did. */
export interface SweepProgress {
  expired: number;
  /** Whether due sessions are left when the run stopped (the next run continues). */
  backlog: boolean;
}

/**
 * Expires sessions whose expiry time has passed, page after page; returns how many it expired.
 * `limit` bounds the run (default {@link MAX_PER_RUN}).
 */
export async function expireDueSessions(
  deps: AppDeps,
  options: { limit?: number; budgetMs?: number } = {},
): Promise<number> {
  return (await sweepDue(deps, options)).expired;
}

/** {@link expireDueSessions} with what is left. */
export async function sweepDue(
  deps: AppDeps,
  options: { limit?: number; budgetMs?: number } = {},
): Promise<SweepProgress> {
  const limit = options.limit ?? MAX_PER_RUN;
  const started = deps.clock.now().getTime();
  const deadline = started + (options.budgetMs ?? RUN_BUDGET_MS);
  let expired = 0;
  for (;;) {
    const now = deps.clock.now().getTime();
    const queue = sessionKeys.byExpiryPrefix();
    const selector = { start: queue, end: [...queue, now + 1] };
    const due: Deno.KvEntry<string>[] = [];
    const take = Math.min(PAGE, limit - expired);
    for await (
      const e of deps.kv.list<string>(selector, { limit: take + 1, batchSize: take + 1 })
    ) {
      due.push(e);
    }
    const page = due.slice(0, take);
    if (!page.length) return { expired, backlog: due.length > 0 };
    let progressed = 0;
    for (let i = 0; i < page.length; i += CONCURRENCY) {
      const results = await Promise.all(
        page.slice(i, i + CONCURRENCY).map(async (entry) => {
          const session = await expireSession(deps, entry.value);
          // An index entry whose session is gone would stay due forever: drop it.
          if (!session) await deps.kv.atomic().check(entry).delete(entry.key).commit();
          return session?.status === "expired" ? 1 : session ? 0 : -1;
        }),
      );
      for (const r of results) {
        if (r === 1) expired++;
        if (r !== 0) progressed++;
      }
    }
    const more = due.length > take || page.length === PAGE;
    if (!more) return { expired, backlog: false };
    if (!progressed || expired >= limit || deps.clock.now().getTime() >= deadline) {
      return { expired, backlog: true };
    }
  }
}

async function sweep(deps: AppDeps): Promise<void> {
  const started = performance.now();
  const { expired, backlog } = await sweepDue(deps);
  if (expired || backlog) {
    deps.logger.info("sessions.expired", {
      count: expired,
      backlog_left: backlog,
      ms: Math.round(performance.now() - started),
    });
  }
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

/**
 * Scheduled tasks (the expiry sweep, session retention, webhook maintenance): each runs once per
 * period across every instance sharing the KV, whatever the number of instances.
 *
 * Every instance wakes at each period boundary (plus a small per-instance offset) and tries to
 * claim the period: one commit that creates `["scheduled_runs", name, period]` (it must not exist:
 * at most one run per period) and takes the task's lease `["leases", name]` (free, expired, or
 * held by an instance whose heartbeat stopped — see `lib/core/instances.ts`), so a slow run is
 * never overlapped by the next period's. The lease carries the period as its fencing token: a
 * run that outlived its lease cannot release the lease of the run that took over.
 *
 * `Deno.cron` is not used: outside Deno Deploy it runs in every process, and its one-minute
 * granularity hides the period from tests. `KAYLE_SCHEDULE_PERIOD_MS` replaces every task's
 * period (tests, demos); the run log (`["scheduled_runs", …]`, kept 7 days) and the
 * `scheduled.run` log line show which instance ran which period.
 */
import type { AppDeps } from "../deps.ts";
import { errorFields } from "../core/error_fields.ts";
import { instanceId, isInstanceAlive } from "../core/instances.ts";
import type { Lease } from "../core/lease.ts";
import { coreKeys } from "../core/kv.ts";
import { jobKeys } from "./types.ts";

/** A task run once per period. */
export interface ScheduledTask {
  name: string;
  /** The period in production (ms). */
  periodMs: number;
  /** How long one run may hold the task's lease (ms). */
  leaseMs: number;
  run(deps: AppDeps): Promise<void>;
}

/** One entry of the run log. */
export interface ScheduledRun {
  holder: string;
  startedAt: string;
  periodMs: number;
}

/** How long the run log is kept. */
export const RUN_LOG_TTL_MS = 7 * 24 * 3600_000;

/** The period a task runs with under this configuration. */
export function effectivePeriodMs(deps: Pick<AppDeps, "config">, task: ScheduledTask): number {
  return deps.config.schedulePeriodMs ?? task.periodMs;
}

/** What an attempt at one period did: ran it, found it run, or found the lease held. */
export type PeriodOutcome = "ran" | "taken" | "busy";

/**
 * Claims period `period` of `task` (default: the current one) for this instance and runs it.
 * "taken" when the period was claimed already; "busy" when another live instance still holds the
 * task's lease (a slow run of an earlier period): try again shortly.
 */
export async function runScheduledTask(
  deps: AppDeps,
  task: ScheduledTask,
  period?: number,
): Promise<PeriodOutcome> {
  const holder = instanceId(deps);
  const periodMs = effectivePeriodMs(deps, task);
  const now = deps.clock.now().getTime();
  period ??= Math.floor(now / periodMs);
  const runKey = jobKeys.scheduledRun(task.name, period);
  const leaseKey = coreKeys.lease(task.name);
  const [run, lease] = await deps.kv.getMany<[ScheduledRun, Lease & { period?: number }]>([
    runKey,
    leaseKey,
  ]);
  if (run.value) return "taken";
  const held = lease.value;
  if (
    held && held.holder !== holder && held.expiresAt > now &&
    (await isInstanceAlive(deps.kv, held.holder))
  ) {
    return "busy";
  }
  const record: ScheduledRun = { holder, startedAt: new Date(now).toISOString(), periodMs };
  const claimed = await deps.kv.atomic()
    .check({ key: runKey, versionstamp: null })
    .check(lease)
    .set(runKey, record, { expireIn: RUN_LOG_TTL_MS })
    .set(leaseKey, { holder, expiresAt: now + task.leaseMs, period }, { expireIn: task.leaseMs })
    .commit();
  // Lost the race: someone claimed the period or took the lease in between; look again.
  if (!claimed.ok) return (await deps.kv.get(runKey)).value ? "taken" : "busy";
  deps.logger.info("scheduled.run", { task: task.name, period, holder });
  try {
    await task.run(deps);
  } finally {
    // Release only our own lease of this period (the fencing token): a run that outlived its
    // lease leaves the next holder's alone.
    const mine = await deps.kv.get<Lease & { period?: number }>(leaseKey);
    if (mine.value?.holder === holder && mine.value.period === period) {
      await deps.kv.atomic().check(mine).delete(leaseKey).commit();
    }
  }
  return "ran";
}

/** Periods an instance late by more than this (a blocked event loop, a suspend) skips. */
export const MAX_CATCH_UP_PERIODS = 10;

/**
 * Runs every task of `tasks` (listed by `lib/platform.ts`) once per period until stopped. Each instance walks the periods in
 * order: a timer that fires late still tries the period it was set for (so a period is missed
 * only if every instance is late by more than `MAX_CATCH_UP_PERIODS`), and a period whose lease
 * is still held by a slow earlier run is tried again until someone runs it.
 */
export function startScheduler(
  deps: AppDeps,
  tasks: readonly ScheduledTask[],
): { stop(): Promise<void> } {
  let stopped = false;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const running = new Set<Promise<unknown>>();
  const loop = (task: ScheduledTask) => {
    const periodMs = effectivePeriodMs(deps, task);
    // Instances wake a little apart, so the first one's claim is usually seen by the others.
    const offset = Math.floor(Math.random() * Math.min(1000, periodMs / 10));
    let period = Math.floor(deps.clock.now().getTime() / periodMs) + 1;
    const at = (delay: number) => {
      if (stopped) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        const current = Math.floor(deps.clock.now().getTime() / periodMs);
        period = Math.max(period, current - MAX_CATCH_UP_PERIODS);
        const run = runScheduledTask(deps, task, period).catch((error) => {
          deps.logger.error("scheduled.failed", { task: task.name, ...errorFields(error) });
          return "ran" as const; // a failed run is not retried within its period
        }).then((outcome) => {
          running.delete(run);
          if (outcome === "busy") return at(Math.max(50, Math.floor(periodMs / 10)));
          period++;
          at(Math.max(0, period * periodMs + offset - deps.clock.now().getTime()));
        });
        running.add(run);
      }, delay);
      timers.add(timer);
    };
    at(Math.max(0, period * periodMs + offset - deps.clock.now().getTime()));
  };
  for (const task of tasks) loop(task);
  return {
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...running]);
    },
  };
}

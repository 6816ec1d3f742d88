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

const tasks: ScheduledTask[] = [];

/** Registers a task (called at module load by the layers that own one). */
export function registerScheduledTask(task: ScheduledTask): void {
  if (!tasks.some((t) => t.name === task.name)) tasks.push(task);
}

/** The registered tasks. */
export function scheduledTasks(): readonly ScheduledTask[] {
  return tasks;
}

/** The period a task runs with under this configuration. */
export function effectivePeriodMs(deps: AppDeps, task: ScheduledTask): number {
  return deps.config.schedulePeriodMs ?? task.periodMs;
}

/**
 * Claims the current period of `task` for this instance and runs it. Returns the period number
 * when this instance ran it, null when the period was already claimed or the lease is held.
 */
export async function runScheduledTask(deps: AppDeps, task: ScheduledTask): Promise<number | null> {
  const holder = instanceId(deps);
  const periodMs = effectivePeriodMs(deps, task);
  const now = deps.clock.now().getTime();
  const period = Math.floor(now / periodMs);
  const runKey = ["scheduled_runs", task.name, period];
  const leaseKey = ["leases", task.name];
  const [run, lease] = await deps.kv.getMany<[ScheduledRun, Lease & { period?: number }]>([
    runKey,
    leaseKey,
  ]);
  if (run.value) return null;
  const held = lease.value;
  if (
    held && held.holder !== holder && held.expiresAt > now &&
    (await isInstanceAlive(deps.kv, held.holder))
  ) {
    return null;
  }
  const record: ScheduledRun = { holder, startedAt: new Date(now).toISOString(), periodMs };
  const claimed = await deps.kv.atomic()
    .check({ key: runKey, versionstamp: null })
    .check(lease)
    .set(runKey, record, { expireIn: RUN_LOG_TTL_MS })
    .set(leaseKey, { holder, expiresAt: now + task.leaseMs, period }, { expireIn: task.leaseMs })
    .commit();
  if (!claimed.ok) return null;
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
  return period;
}

/** Runs every registered task at each of its period boundaries until stopped. */
export function startScheduler(deps: AppDeps): { stop(): Promise<void> } {
  let stopped = false;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const running = new Set<Promise<unknown>>();
  const loop = (task: ScheduledTask) => {
    const periodMs = effectivePeriodMs(deps, task);
    // Instances wake a little apart, so the first one's claim is usually seen by the others.
    const offset = Math.floor(Math.random() * Math.min(1000, periodMs / 10));
    const next = () => {
      if (stopped) return;
      const delay = periodMs - (deps.clock.now().getTime() % periodMs) + offset;
      const timer = setTimeout(() => {
        timers.delete(timer);
        const run = runScheduledTask(deps, task).catch((error) =>
          deps.logger.error("scheduled.failed", { task: task.name, ...errorFields(error) })
        ).finally(() => {
          running.delete(run);
          next();
        });
        running.add(run);
      }, delay);
      timers.add(timer);
    };
    next();
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

/**
 * The job-table backend, for KV without queues (a remote KV Connect server, Deno Deploy, several
 * instances): jobs are KV records polled by due time and claimed under a lease with a
 * versionstamp check, so one instance runs a job at a time; a claimed job's due time becomes its
 * lease expiry, so a job whose instance died is simply due again when the lease runs out.
 *
 * Keys: `["jobs", id]` → `JobRecord`; `["jobs_due", dueAtMs, id]` → id (runAt, or leaseUntil
 * while claimed); `["jobs_dead", id]` → the record after `maxAttempts` failures.
 */
import type { AppDeps } from "../deps.ts";
import { newId, randomAlphanumeric } from "../core/ids.ts";
import { instanceId } from "../core/instances.ts";
import { errorFields } from "../core/error_fields.ts";
import { JobHandlers } from "./handlers.ts";
import { ImmediateRuns, onCommitted, RUN_NOW_FALLBACK_MS } from "./run_now.ts";
import { GroupCommitter } from "../core/group_commit.ts";
import type { JobMap, JobPayload, JobQueue, JobRequest, PlatformJobs } from "./types.ts";
import { jobKeys } from "./types.ts";

/** A stored job. */
export interface JobRecord {
  id: string;
  type: string;
  payload: JobPayload;
  runAt: number;
  /** Claims so far (a crash or a thrown error leads to another claim). */
  attempts: number;
  holder: string | null;
  leaseUntil: number | null;
}

/** Tuning of the job table. */
export interface KvTableOptions {
  /** How often an idle instance looks for due jobs (real time). Default 250 ms. */
  pollIntervalMs?: number;
  /**
   * How long a claim lasts before another instance may take the job; renewed every third of it
   * while the job runs, so a dead instance's jobs are due again within one lease. Default 15 s.
   */
  leaseMs?: number;
  /** Jobs listed and claimed per poll. Default 32. */
  batchSize?: number;
  /**
   * Claimed jobs run at once per instance. A poll claims more while fewer run, and each job
   * frees its slot when it ends, so one slow job (a webhook try waiting out its timeout) never
   * holds the others back. Default 256.
   */
  maxRunning?: number;
  /** Claims before a job is moved to `jobs_dead`. Default 10. */
  maxAttempts?: number;
  /** When the stored copy of a job run at once is due (`run_now.ts`). Default 30 s. */
  runNowFallbackMs?: number;
}

/** The job-table backend also exposes one polling round, for tests and tools. */
export interface KvTableJobQueue<M extends JobMap = PlatformJobs> extends JobQueue<M> {
  /** Claims every job due now (by the injected clock), runs them and waits; returns the count. */
  pollOnce(): Promise<number>;
}

const dueOf = (job: JobRecord) => job.leaseUntil ?? job.runAt;

/** Delay of the extra poll after a job is added in this instance (ms). */
const NUDGE_MS = 15;

/** Backoff after a handler throws: 1 s, 2 s, 4 s … capped at 15 min. */
export function tableBackoffMs(attempts: number): number {
  return Math.min(900_000, 1000 * 2 ** Math.max(0, attempts - 1));
}

/** Creates the job-table backend on `deps.kv`. */
export function createKvTableJobs<M extends JobMap = PlatformJobs>(
  deps: Pick<AppDeps, "kv" | "clock" | "random" | "logger"> & Partial<Pick<AppDeps, "services">>,
  options: KvTableOptions = {},
): KvTableJobQueue<M> {
  const {
    pollIntervalMs = 250,
    leaseMs = 15_000,
    batchSize = 32,
    maxRunning = 256,
    maxAttempts = 10,
    runNowFallbackMs = RUN_NOW_FALLBACK_MS,
  } = options;
  const kv = deps.kv;
  // The instance's id (its heartbeat's) when running inside the app; standalone, its own.
  const holder = deps.services
    ? instanceId({ services: deps.services, random: deps.random })
    : `inst_${randomAlphanumeric(16, deps.random)}`;
  const handlers = new JobHandlers(deps.logger);
  const immediate = new ImmediateRuns(handlers, deps.logger);
  // Claims, finishes and the drops of jobs run at once: a burst's commits share KV commits.
  const commits = new GroupCommitter(kv);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let polling: Promise<number> | null = null;
  let pumping: Promise<void> | null = null;
  /** Claimed jobs running in this instance (each with its finishing commit). */
  const inFlight = new Set<Promise<void>>();
  let waitingForSlot = false;
  let stopped = true;
  let nudgeTimer: ReturnType<typeof setTimeout> | null = null;

  // The caller commits right after adding a job: look again shortly rather than a full interval
  // later (other instances still find it by polling).
  const nudge = (runAt: number) => {
    if (stopped || nudgeTimer !== null || runAt > deps.clock.now().getTime() + NUDGE_MS) return;
    nudgeTimer = setTimeout(() => {
      nudgeTimer = null;
      if (!stopped) pump();
    }, NUDGE_MS);
  };

  const add = (op: Deno.AtomicOperation, job: JobRequest<M>): string => {
    const now = deps.clock.now().getTime();
    const runNow = !stopped && immediate.admits(job, now);
    const record: JobRecord = {
      id: newId("job", deps.random),
      type: job.type,
      payload: job.payload,
      runAt: runNow ? now + runNowFallbackMs : job.runAt ?? now,
      attempts: 0,
      holder: null,
      leaseUntil: null,
    };
    op.set(jobKeys.job(record.id), record).set(jobKeys.due(record.runAt, record.id), record.id);
    if (runNow) {
      onCommitted(op, (versionstamp) => {
        // Stopped meanwhile (shutdown): the row is due later, or the restart's recovery runs it.
        if (!stopped) immediate.start(record, versionstamp, () => dropRanNow(record, versionstamp));
      });
    } else {
      nudge(record.runAt);
    }
    return record.id;
  };

  // After an immediate run finished: the stored job is deleted unless a poll claimed it meanwhile
  // (that claim then finds the run done, or its handler finds nothing left to do).
  const dropRanNow = async (record: JobRecord, versionstamp: string) => {
    try {
      await commits.atomic().check({ key: jobKeys.job(record.id), versionstamp })
        .delete(jobKeys.job(record.id)).delete(jobKeys.due(record.runAt, record.id)).commit();
    } finally {
      immediate.forget(record.id);
    }
  };

  const claim = async (id: string): Promise<Deno.KvEntry<JobRecord> | null> => {
    const entry = await kv.get<JobRecord>(jobKeys.job(id));
    const now = deps.clock.now().getTime();
    if (!entry.value || dueOf(entry.value) > now) return null;
    const job = entry.value;
    const claimed: JobRecord = {
      ...job,
      attempts: job.attempts + 1,
      holder,
      leaseUntil: now + leaseMs,
    };
    const result = await commits.atomic().check(entry)
      .delete(jobKeys.due(dueOf(job), id))
      .set(jobKeys.job(id), claimed)
      .set(jobKeys.due(claimed.leaseUntil!, id), id)
      .commit();
    return result.ok ? { ...entry, value: claimed, versionstamp: result.versionstamp } : null;
  };

  const finish = async (entry: Deno.KvEntry<JobRecord>, failed: boolean): Promise<void> => {
    const job = entry.value;
    const op = commits.atomic().check(entry).delete(jobKeys.due(dueOf(job), job.id));
    if (!failed) {
      op.delete(jobKeys.job(job.id));
    } else if (job.attempts >= maxAttempts) {
      op.delete(jobKeys.job(job.id)).set(jobKeys.dead(job.id), job);
    } else {
      const runAt = deps.clock.now().getTime() + tableBackoffMs(job.attempts);
      op.set(jobKeys.job(job.id), { ...job, runAt, holder: null, leaseUntil: null })
        .set(jobKeys.due(runAt, job.id), job.id);
    }
    // A failed check means our lease expired and another instance took the job: leave it to it.
    await op.commit();
  };

  // Extends the claim of a running job (moving its due index), so a long handler keeps its job
  // while a dead instance's jobs come back after one short lease. Null when the claim was lost.
  const renew = async (entry: Deno.KvEntry<JobRecord>) => {
    const job = entry.value;
    const renewed: JobRecord = { ...job, leaseUntil: deps.clock.now().getTime() + leaseMs };
    const result = await kv.atomic().check(entry)
      .delete(jobKeys.due(dueOf(job), job.id))
      .set(jobKeys.job(job.id), renewed)
      .set(jobKeys.due(renewed.leaseUntil!, job.id), job.id)
      .commit();
    return result.ok ? { ...entry, value: renewed, versionstamp: result.versionstamp } : null;
  };

  const runClaimed = async (claimed: Deno.KvEntry<JobRecord>): Promise<void> => {
    let entry: Deno.KvEntry<JobRecord> | null = claimed;
    let renewing: Promise<void> = Promise.resolve();
    const timer = setInterval(() => {
      renewing = renewing.then(async () => {
        if (entry) entry = await renew(entry).catch(() => entry);
      });
    }, Math.max(10, Math.floor(leaseMs / 3)));
    let failed = false;
    try {
      // Run at once by this instance after its commit: done if that run finished.
      const ranNow = immediate.take(claimed.value.id);
      if (!ranNow || !(await ranNow)) {
        await handlers.run(claimed.value.payload, {
          jobId: claimed.value.id,
          type: claimed.value.type,
        });
      }
    } catch {
      failed = true;
    } finally {
      clearInterval(timer);
      await renewing;
    }
    if (entry) await finish(entry, failed);
  };

  // Lists up to `limit` due jobs and claims them; each claimed job starts at once and runs on its
  // own (a slow one holds only its own slot). Returns how many were listed — a full listing means
  // more may be due — and the runs started.
  const claimDue = async (limit: number): Promise<{ listed: number; runs: Promise<void>[] }> => {
    const now = deps.clock.now().getTime();
    const ids: string[] = [];
    const due = kv.list<string>({
      start: jobKeys.duePrefix(),
      end: [...jobKeys.duePrefix(), now + 1],
    }, {
      limit,
    });
    for await (const e of due) ids.push(e.value);
    const claimed = (await Promise.all(ids.map(claim))).filter((e) => e !== null);
    const runs = claimed.map((entry) => {
      const run = runClaimed(entry).finally(() => {
        inFlight.delete(run);
        // The pump stopped for want of a free slot: this one is free. A pump still winding down
        // (it returned but has not let go yet) would not see it: start the next one after it.
        if (waitingForSlot) {
          waitingForSlot = false;
          (pumping ?? Promise.resolve()).then(() => pump());
        }
      });
      inFlight.add(run);
      return run;
    });
    return { listed: ids.length, runs };
  };

  // Claims jobs while some are due and fewer than `maxRunning` run; the interval timer, an added
  // job's nudge and a finished job (when the pump had stopped for want of a slot) start it.
  const pump = (): Promise<void> => {
    pumping ??= (async () => {
      try {
        while (!stopped) {
          const free = maxRunning - inFlight.size;
          if (free <= 0) {
            waitingForSlot = true;
            return;
          }
          const limit = Math.min(free, batchSize);
          if ((await claimDue(limit)).listed < limit) return;
        }
      } catch (error) {
        deps.logger.error("jobs.poll_failed", errorFields(error));
      }
    })().finally(() => (pumping = null));
    return pumping;
  };

  const pollOnce = (): Promise<number> => {
    // One round at a time per instance; callers share the running round.
    polling ??= (async () => {
      const { runs } = await claimDue(batchSize);
      await Promise.all(runs);
      return runs.length;
    })().finally(() => (polling = null));
    return polling;
  };

  const loop = async () => {
    timer = null;
    if (stopped) return;
    await pump();
    if (!stopped) timer = setTimeout(loop, pollIntervalMs);
  };

  return {
    backend: "kv_table",
    addToCommit: add,
    willRunNow: (job) => !stopped && immediate.admits(job, deps.clock.now().getTime()),
    async enqueue(job) {
      const op = kv.atomic();
      const id = add(op, job);
      await op.commit();
      return id;
    },
    register: (type, handler) => handlers.register(type, handler),
    start() {
      if (stopped) {
        stopped = false;
        timer = setTimeout(loop, 0);
      }
      return Promise.resolve();
    },
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      if (nudgeTimer !== null) clearTimeout(nudgeTimer);
      timer = nudgeTimer = null;
      await pumping;
      await polling;
      await Promise.all(inFlight);
      await handlers.drain();
    },
    running: () => handlers.running(),
    pollOnce,
  };
}

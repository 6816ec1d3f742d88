/**
 * Jobs run at once by the instance that committed them (`runNow` of a `JobRequest`,
 * docs/performance.md "Webhooks"): right after the caller's commit succeeds, this instance runs
 * the job's handler in-process, without the backend's hop (Deno KV's queue takes ~45 ms before a
 * handler runs). The stored job stays the durable fallback, due `RUN_NOW_FALLBACK_MS` later (so
 * it does not compete with the immediate run for the KV file): when its copy reaches this
 * instance it first waits for the immediate run and is dropped if that run finished; after a
 * crash, a thrown handler, or on another instance, the copy runs as any job does. Handlers are
 * idempotent, so a copy that still runs does nothing the immediate run did.
 */
import type { Logger } from "../core/logger.ts";
import { errorFields } from "../core/error_fields.ts";
import type { JobHandlers } from "./handlers.ts";
import type { JobPayload } from "./types.ts";

/** Immediate runs at once in one instance; beyond it a job is stored as usual, due now. */
export const MAX_IMMEDIATE_RUNS = 256;

/**
 * When the stored copy of a job run at once is due: after the immediate run has had the time
 * to finish (a webhook try's 15 s timeout and its claim's 10 s margin, `webhooks/worker.ts`).
 */
export const RUN_NOW_FALLBACK_MS = 30_000;

/** How long an immediate run is remembered for its stored copy (which may go to another instance). */
const REMEMBER_MS = 10 * 60_000;

/**
 * Calls `then` with the commit's versionstamp once `op` commits successfully (the caller's
 * `commit()` resolves first; `then` runs on its own and must not throw).
 */
export function onCommitted(op: Deno.AtomicOperation, then: (versionstamp: string) => void): void {
  let callbacks = pending.get(op);
  if (!callbacks) {
    callbacks = [];
    pending.set(op, callbacks);
    const list = callbacks;
    const commit = op.commit.bind(op);
    op.commit = async () => {
      const result = await commit();
      if (result.ok) { for (const callback of list) callback(result.versionstamp); }
      return result;
    };
  }
  callbacks.push(then);
}

const pending = new WeakMap<Deno.AtomicOperation, Array<(versionstamp: string) => void>>();

interface Run {
  /** Resolves true when the handler finished, false when it threw. */
  done: Promise<boolean>;
  startedAt: number;
}

/** The immediate runs of one job queue. */
export class ImmediateRuns {
  #runs = new Map<string, Run>();
  #running = 0;

  constructor(private readonly handlers: JobHandlers, private readonly logger: Logger) {}

  /**
   * Whether a job added at `now` is run at once after its commit (the queue decides before the
   * commit): it asks for it, is due, has a handler and finds a free slot.
   */
  admits(job: { type: string; runNow?: boolean; runAt?: number }, now: number): boolean {
    return !!job.runNow && (job.runAt ?? now) <= now && this.#running < MAX_IMMEDIATE_RUNS &&
      this.handlers.has(job.type);
  }

  /**
   * Runs the job's handler now, telling it the versionstamp of the commit that added the job;
   * `finished` is called after a run that did not throw. Returns false when nothing handles its
   * type (its stored copy will run).
   */
  start(
    job: { id: string; type: string; payload: JobPayload },
    committed: string,
    finished?: () => Promise<void>,
  ): boolean {
    if (!this.handlers.has(job.type)) return false;
    this.#forgetOld();
    this.#running++;
    const done = this.handlers.run(job.payload, { jobId: job.id, type: job.type, committed })
      .then(async () => {
        await finished?.().catch((error) =>
          this.logger.warn("job.immediate_cleanup_failed", {
            job_id: job.id,
            ...errorFields(error),
          })
        );
        return true;
      }, () => false) // the handler's error is logged by JobHandlers; the stored copy retries
      .finally(() => this.#running--);
    this.#runs.set(job.id, { done, startedAt: Date.now() });
    return true;
  }

  /**
   * For the stored copy of a job reaching this instance: null when it was not run at once here,
   * else whether the immediate run finished (after waiting for it). Forgets the run either way.
   */
  take(jobId: string): Promise<boolean> | null {
    const run = this.#runs.get(jobId);
    if (!run) return null;
    this.#runs.delete(jobId);
    return run.done;
  }

  /** Forgets a run (its stored copy is gone, or went to another instance). */
  forget(jobId: string): void {
    this.#runs.delete(jobId);
  }

  /** Immediate runs in flight. */
  running(): number {
    return this.#running;
  }

  // Runs whose copy went to another instance are never taken here: forget them after a while
  // (the map is in start order, so the oldest come first).
  #forgetOld(): void {
    const before = Date.now() - REMEMBER_MS;
    for (const [id, run] of this.#runs) {
      if (run.startedAt > before) break;
      this.#runs.delete(id);
    }
  }
}

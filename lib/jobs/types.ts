/**
 * The jobs interface: background work (webhook deliveries, and any later layer's jobs) is
 * enqueued, possibly inside the same atomic commit as the state that needs it, and run by
 * handlers registered by type. Two backends implement it (`kv_queue.ts`, `kv_table.ts`); both
 * deliver at least once, so every handler must be idempotent.
 */
import type { JobBackend } from "../core/config.ts";

/** The KV keys of jobs (`kv_table.ts`, `kv_queue.ts`, `scheduled.ts`). */
export const jobKeys = {
  job: (id: string) => ["jobs", id] as const,
  allJobsPrefix: () => ["jobs"] as const,
  /** The due index: `dueAtMs` is the run time, or the lease's end while claimed. */
  due: (dueAtMs: number, id: string) => ["jobs_due", dueAtMs, id] as const,
  duePrefix: () => ["jobs_due"] as const,
  /** A job that failed `maxAttempts` times. */
  dead: (id: string) => ["jobs_dead", id] as const,
  /** A KV-queue message the queue gave up on. */
  undelivered: (id: string) => ["jobs_undelivered", id] as const,
  /** A scheduled task's run of one period (at most one). */
  scheduledRun: (name: string, period: number) => ["scheduled_runs", name, period] as const,
  scheduledRunsPrefix: (name: string) => ["scheduled_runs", name] as const,
};

/** JSON payload of a job (kept small: ids, numbers, flags). */
export type JobPayload = Record<string, string | number | boolean | null>;

/** Job types with the payload of each. */
export type JobMap = Record<string, JobPayload>;

/**
 * The platform's jobs, one row per type (`lib/platform.ts` registers a handler for each). A new
 * kind of background job adds its row here, so enqueuing and handling it are type-checked.
 */
export type PlatformJobs = {
  /** One try of a webhook delivery (`webhooks/worker.ts`). */
  "webhook.delivery": {
    delivery_id: string;
    /** The try number this job makes; a job whose try was already made is stale and ignored. */
    seq: number;
  };
};

/** A job to run: a type of `M` and that type's payload. */
export type JobRequest<M extends JobMap = PlatformJobs> = {
  [T in keyof M & string]: {
    /** Handler type, e.g. `webhook.delivery`. */
    type: T;
    payload: M[T];
    /** When to run, in ms since the epoch by the injected clock; default now. */
    runAt?: number;
    /**
     * When due now and the queue is started: this instance also runs the job right after the
     * caller's commit, the stored job staying the fallback (`run_now.ts`). `addToCommit` only.
     */
    runNow?: boolean;
  };
}[keyof M & string];

/** What a handler learns about the job it runs. */
export interface JobContext {
  jobId: string;
  type: string;
  /**
   * On the run this instance makes right after the commit that added the job (`runNow`): that
   * commit's versionstamp, so the handler can tell the state it committed with the job from a
   * later change. Absent on every other run.
   */
  committed?: string;
}

/** Runs one job; throwing makes the backend run it again later (with backoff). */
export type JobHandler<P extends JobPayload = JobPayload> = (
  payload: P,
  context: JobContext,
) => Promise<void>;

/** The one interface every background job goes through, whatever the backend. */
export interface JobQueue<M extends JobMap = PlatformJobs> {
  readonly backend: JobBackend;
  /** Adds the job to `op`: it exists only if the caller's commit succeeds. Returns the job id. */
  addToCommit(op: Deno.AtomicOperation, job: JobRequest<M>): string;
  /**
   * Whether `addToCommit` of this job, called now, would also run it at once after the commit
   * (`runNow` asked, the queue started, a free immediate slot, a handler, due now). Asked and
   * followed by `addToCommit` in the same synchronous step, the answer holds.
   */
  willRunNow(job: JobRequest<M>): boolean;
  /** Enqueues the job in its own commit. Returns the job id. */
  enqueue(job: JobRequest<M>): Promise<string>;
  /** Registers the handler of a job type (one per type; the last registration wins). */
  register<T extends keyof M & string>(type: T, handler: JobHandler<M[T]>): void;
  /** Starts running jobs in this instance (idempotent). */
  start(): Promise<void>;
  /** Stops taking jobs and waits for the running ones to finish. */
  stop(): Promise<void>;
  /** Number of jobs running now in this instance. */
  running(): number;
}

/** Thrown by a backend that is asked to run a job of a type nobody registered. */
export class UnknownJobTypeError extends Error {
  constructor(readonly jobType: string) {
    super(`no handler registered for job type ${jobType}`);
    this.name = "UnknownJobTypeError";
  }
}

/**
 * The jobs interface: background work (webhook deliveries, and any later layer's jobs) is
 * enqueued, possibly inside the same atomic commit as the state that needs it, and run by
 * handlers registered by type. Two backends implement it (`kv_queue.ts`, `kv_table.ts`); both
 * deliver at least once, so every handler must be idempotent.
 */
import type { JobBackend } from "../core/config.ts";

/** JSON payload of a job (kept small: ids, numbers, flags). */
export type JobPayload = Record<string, string | number | boolean | null>;

/** A job to run. */
export interface JobRequest {
  /** Handler type, e.g. `webhook.delivery`. */
  type: string;
  payload: JobPayload;
  /** When to run, in ms since the epoch by the injected clock; default now. */
  runAt?: number;
}

/** What a handler learns about the job it runs. */
export interface JobContext {
  jobId: string;
  type: string;
}

/** Runs one job; throwing makes the backend run it again later (with backoff). */
export type JobHandler = (payload: JobPayload, context: JobContext) => Promise<void>;

/** The one interface every background job goes through, whatever the backend. */
export interface JobQueue {
  readonly backend: JobBackend;
  /** Adds the job to `op`: it exists only if the caller's commit succeeds. Returns the job id. */
  addToCommit(op: Deno.AtomicOperation, job: JobRequest): string;
  /** Enqueues the job in its own commit. Returns the job id. */
  enqueue(job: JobRequest): Promise<string>;
  /** Registers the handler of a job type (one per type; the last registration wins). */
  register(type: string, handler: JobHandler): void;
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

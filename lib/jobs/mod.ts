/**
 * Entry point of the jobs layer: picks the backend from `config.jobBackend` and keeps one queue
 * per set of dependencies (`deps.services.jobs`), so every layer enqueues into, and registers
 * handlers on, the same queue.
 */
import type { AppDeps } from "../deps.ts";
import { createKvQueueJobs } from "./kv_queue.ts";
import { createKvTableJobs, type KvTableOptions } from "./kv_table.ts";
import type { JobQueue } from "./types.ts";

export type {
  JobContext,
  JobHandler,
  JobMap,
  JobPayload,
  JobQueue,
  JobRequest,
  PlatformJobs,
} from "./types.ts";
export { createKvQueueJobs } from "./kv_queue.ts";
export { createKvTableJobs, type KvTableJobQueue, type KvTableOptions } from "./kv_table.ts";

/** Builds a queue for the configured backend (a new one each call; prefer `getJobQueue`). */
export function createJobQueue(deps: AppDeps, tableOptions: KvTableOptions = {}): JobQueue {
  return deps.config.jobBackend === "kv_table"
    ? createKvTableJobs(deps, tableOptions)
    : createKvQueueJobs(deps);
}

/** The queue of these dependencies, created on first use. */
export function getJobQueue(deps: AppDeps): JobQueue {
  let queue = deps.services.jobs;
  if (!queue) {
    queue = createJobQueue(deps);
    deps.services.jobs = queue;
  }
  return queue;
}

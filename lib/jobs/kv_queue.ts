/**
 * The default job backend: Deno KV queues (`enqueue` with `delay`, `listenQueue`). Jobs enqueued
 * inside a caller's atomic commit exist exactly when the commit does; a handler that throws, or
 * a process killed while a handler runs, gets the message again. Single instance: KV queues are
 * only available on a local KV file (a remote KV Connect server has none; use `kv_table`).
 */
import type { AppDeps } from "../deps.ts";
import { newId } from "../core/ids.ts";
import { JobHandlers } from "./handlers.ts";
import { ImmediateRuns, onCommitted, RUN_NOW_FALLBACK_MS } from "./run_now.ts";
import type { JobMap, JobPayload, JobQueue, JobRequest, PlatformJobs } from "./types.ts";
import { jobKeys } from "./types.ts";

/** The message stored in the KV queue. */
interface QueueMessage {
  kayle_job: 1;
  id: string;
  type: string;
  payload: JobPayload;
}

/** Backoff of KV's own redelivery when a handler throws (ms; KV allows at most 5). */
export const QUEUE_BACKOFF_MS = [1_000, 5_000, 30_000, 120_000, 600_000];

function isQueueMessage(value: unknown): value is QueueMessage {
  const m = value as QueueMessage | null;
  return !!m && m.kayle_job === 1 && typeof m.id === "string" && typeof m.type === "string";
}

/** Creates the KV-queue backend on `deps.kv`. */
export function createKvQueueJobs<M extends JobMap = PlatformJobs>(
  deps: Pick<AppDeps, "kv" | "clock" | "random" | "logger">,
  options: { runNowFallbackMs?: number } = {},
): JobQueue<M> {
  const { runNowFallbackMs = RUN_NOW_FALLBACK_MS } = options;
  const handlers = new JobHandlers(deps.logger);
  const immediate = new ImmediateRuns(handlers, deps.logger);
  let listening = false;
  let stopped = true;

  const build = (job: JobRequest<M>, fallbackMs = 0) => {
    const id = newId("job", deps.random);
    const message: QueueMessage = { kayle_job: 1, id, type: job.type, payload: job.payload };
    const delay = fallbackMs ||
      Math.max(0, Math.round((job.runAt ?? 0) - deps.clock.now().getTime()));
    const options = {
      delay,
      backoffSchedule: QUEUE_BACKOFF_MS,
      keysIfUndelivered: [jobKeys.undelivered(id)],
    };
    return { id, message, options };
  };

  const onMessage = async (value: unknown) => {
    if (!isQueueMessage(value)) return;
    // Throwing hands the message back to KV, which redelivers it after its backoff.
    if (stopped) {
      deps.logger.debug("job.deferred_while_stopped", { job_id: value.id, job_type: value.type });
      throw new Error("job queue stopped");
    }
    // This instance ran the job at once after its commit: the copy is done if that run finished.
    const ranNow = immediate.take(value.id);
    if (ranNow && await ranNow) return;
    await handlers.run(value.payload, { jobId: value.id, type: value.type });
  };

  return {
    backend: "kv_queue",
    addToCommit(op, job) {
      const runNow = !stopped && immediate.admits(job, deps.clock.now().getTime());
      const { id, message, options } = build(job, runNow ? runNowFallbackMs : 0);
      op.enqueue(message, options);
      // Stopped meanwhile (shutdown): the stored copy runs later, or the restart's recovery.
      if (runNow) {
        onCommitted(
          op,
          (versionstamp) => void (!stopped && immediate.start(message, versionstamp)),
        );
      }
      return id;
    },
    willRunNow: (job) => !stopped && immediate.admits(job, deps.clock.now().getTime()),
    async enqueue(job) {
      const { id, message, options } = build(job);
      await deps.kv.enqueue(message, options);
      return id;
    },
    register: (type, handler) => handlers.register(type, handler),
    start() {
      stopped = false;
      if (!listening) {
        listening = true;
        // listenQueue may be called once per KV handle; it ends when the handle is closed.
        deps.kv.listenQueue(onMessage).catch(() => {});
      }
      return Promise.resolve();
    },
    async stop() {
      stopped = true;
      await handlers.drain();
    },
    running: () => handlers.running(),
  };
}

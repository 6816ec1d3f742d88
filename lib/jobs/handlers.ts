/**
 * The handler table and the running-job count shared by both job backends, so that dispatch,
 * unknown types and `stop()` draining behave the same whichever backend is configured.
 */
import type { Logger } from "../core/logger.ts";
import { errorFields } from "../core/error_fields.ts";
import type { JobContext, JobHandler, JobPayload } from "./types.ts";

/** Handlers by type plus the jobs in flight. */
export class JobHandlers {
  #handlers = new Map<string, JobHandler>();
  #inFlight = new Set<Promise<unknown>>();

  constructor(private readonly logger: Logger) {}

  /**
   * Registers (or replaces) the handler of a type. The queue's type map ties the payload type to
   * the job type, so the handler receives what was enqueued under that type.
   */
  register<P extends JobPayload>(type: string, handler: JobHandler<P>): void {
    this.#handlers.set(type, handler as unknown as JobHandler);
  }

  /** True when a handler exists for the type. */
  has(type: string): boolean {
    return this.#handlers.has(type);
  }

  /** Runs the job's handler; rethrows its error so the backend retries it. */
  async run(payload: JobPayload, context: JobContext): Promise<void> {
    const handler = this.#handlers.get(context.type);
    if (!handler) {
      // Dropping would lose work registered by a newer version; leave it for a retry instead.
      this.logger.warn("job.unknown_type", { job_id: context.jobId, job_type: context.type });
      throw new Error(`no handler for job type ${context.type}`);
    }
    // A handler that throws before returning its promise fails like one that rejects.
    const running = (async () => await handler(payload, context))();
    this.#inFlight.add(running);
    try {
      await running;
    } catch (error) {
      this.logger.warn("job.failed", {
        job_id: context.jobId,
        job_type: context.type,
        ...errorFields(error),
      });
      throw error;
    } finally {
      this.#inFlight.delete(running);
    }
  }

  /** Jobs running now. */
  running(): number {
    return this.#inFlight.size;
  }

  /** Waits for every running job to settle. */
  async drain(): Promise<void> {
    while (this.#inFlight.size) await Promise.allSettled([...this.#inFlight]);
  }
}

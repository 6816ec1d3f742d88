/**
 * How the webhooks layer joins a platform, called by the composition root (`lib/platform.ts`):
 * `wireWebhooks` installs the event fan-out (deliveries in the event's commit), the endpoint
 * lookup of `webhook_endpoint_id` and the delivery job's handler; `startWebhookWorker` is the
 * background work (the job queue, recovery at start); maintenance is `WEBHOOK_MAINTENANCE_TASK`,
 * a scheduled task run once a minute across instances.
 */
import type { BackgroundHandle } from "../lib/background.ts";
import type { AppDeps } from "../lib/deps.ts";
import { getJobQueue } from "../lib/jobs/mod.ts";
import { getEndpointEntry } from "./endpoints.ts";
import { fanOutEvent } from "./fanout.ts";
import { DELIVERY_JOB_TYPE } from "./model.ts";
import { runDeliveryJob } from "./worker.ts";
import { MAINTENANCE_NAME, maintenanceRound, recoverDeliveries } from "./maintenance.ts";
import type { ScheduledTask } from "../lib/jobs/scheduled.ts";
import { errorFields } from "../lib/core/error_fields.ts";
import { HEARTBEAT_MS, STALE_AFTER_MS } from "../lib/core/instances.ts";

/** How often maintenance runs (a scheduled task: once per period across instances). */
export const MAINTENANCE_INTERVAL_MS = 60_000;

/** Registers the delivery handler on the deps' job queue (also used by tests without a worker loop). */
export function registerDeliveryHandler(deps: AppDeps): void {
  getJobQueue(deps).register(DELIVERY_JOB_TYPE, async (payload, context) => {
    await runDeliveryJob(deps, payload, context.committed);
  });
}

/** Wires the webhooks layer into these dependencies: fan-out, endpoint lookup, job handler. */
export function wireWebhooks(deps: AppDeps): void {
  deps.services.eventFanout = fanOutEvent;
  // A session may name an endpoint of its organization and mode (the fan-out delivers an event
  // only to endpoints of its mode, so another mode's endpoint would silently receive nothing).
  deps.services.webhookEndpoints = async (kv, scope, endpointId) =>
    (await getEndpointEntry(kv, scope, endpointId)) !== null;
  registerDeliveryHandler(deps);
}

/** Starts delivering: the job queue, recovery of what a previous process left, maintenance. */
export async function startWebhookWorker(deps: AppDeps): Promise<BackgroundHandle> {
  registerDeliveryHandler(deps);
  const jobs = getJobQueue(deps);
  await jobs.start();
  // Whatever was due or being sent when the last process stopped is picked up now — without
  // waiting for the maintenance lease, which a killed process may still hold for minutes.
  const recover = () =>
    recoverDeliveries(deps, 0).catch((error) =>
      deps.logger.error("webhooks.recovery_failed", errorFields(error))
    );
  await recover();
  // A delivery a crashed process was sending stays claimed until that process's heartbeat goes
  // stale: look once more when it has, so a restart after a crash resumes those deliveries within
  // seconds instead of at the next maintenance period (up to a minute later).
  let followUp: Promise<unknown> | null = null;
  const timer = setTimeout(() => followUp = recover(), STALE_AFTER_MS + HEARTBEAT_MS);
  return {
    async stop() {
      clearTimeout(timer);
      await followUp;
      await jobs.stop();
    },
  };
}

/** Webhook maintenance as a scheduled task (run by the scheduler `lib/platform.ts` starts). */
export const WEBHOOK_MAINTENANCE_TASK: ScheduledTask = {
  name: MAINTENANCE_NAME,
  periodMs: MAINTENANCE_INTERVAL_MS,
  leaseMs: 5 * 60_000,
  run: (deps) => maintenanceRound(deps),
};

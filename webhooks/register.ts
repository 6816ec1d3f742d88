/**
 * Side-effect registration of the webhooks layer, imported once by `main.ts` and the test
 * harness: the event fan-out (deliveries in the event's commit) and the background work (the
 * job queue with the delivery handler, recovery at start; maintenance is a scheduled task run
 * once a minute across instances).
 */
import { registerEventFanout } from "../lib/events/events.ts";
import { type BackgroundHandle, registerBackgroundWork } from "../lib/background.ts";
import type { AppDeps } from "../lib/deps.ts";
import { getJobQueue } from "../lib/jobs/mod.ts";
import { registerWebhookEndpointLookup } from "../lib/sessions/sessions.ts";
import { getEndpointEntry } from "./endpoints.ts";
import { fanOutEvent } from "./fanout.ts";
import { DELIVERY_JOB_TYPE } from "./model.ts";
import { runDeliveryJob } from "./worker.ts";
import { MAINTENANCE_NAME, maintenanceRound, recoverDeliveries } from "./maintenance.ts";
import { registerScheduledTask } from "../lib/jobs/scheduled.ts";
import { errorFields } from "../lib/core/error_fields.ts";

/** How often maintenance runs (a scheduled task: once per period across instances). */
export const MAINTENANCE_INTERVAL_MS = 60_000;

/** Registers the delivery handler on the deps' job queue (also used by tests without a worker loop). */
export function registerDeliveryHandler(deps: AppDeps): void {
  getJobQueue(deps).register(DELIVERY_JOB_TYPE, async (payload) => {
    await runDeliveryJob(deps, payload);
  });
}

/** Starts delivering: the job queue, recovery of what a previous process left, maintenance. */
export async function startWebhookWorker(deps: AppDeps): Promise<BackgroundHandle> {
  registerDeliveryHandler(deps);
  const jobs = getJobQueue(deps);
  await jobs.start();
  // Whatever was due or being sent when the last process stopped is picked up now — without
  // waiting for the maintenance lease, which a killed process may still hold for minutes.
  await recoverDeliveries(deps, 0).catch((error) =>
    deps.logger.error("webhooks.recovery_failed", errorFields(error))
  );
  return {
    async stop() {
      await jobs.stop();
    },
  };
}

registerEventFanout(fanOutEvent);
// A session may name an endpoint of its organization and mode (the fan-out delivers an event only
// to endpoints of its mode, so another mode's endpoint would silently receive nothing).
registerWebhookEndpointLookup(async (kv, scope, endpointId) =>
  (await getEndpointEntry(kv, scope, endpointId)) !== null
);
registerBackgroundWork("webhooks", startWebhookWorker);
registerScheduledTask({
  name: MAINTENANCE_NAME,
  periodMs: MAINTENANCE_INTERVAL_MS,
  leaseMs: 5 * 60_000,
  run: (deps) => maintenanceRound(deps),
});

/**
 * The event fan-out registered with `lib/events/events.ts`: runs inside the caller's atomic
 * operation, before its commit, and adds one delivery per enabled endpoint of the event's
 * organization and mode that subscribes to the event type (only the session's named endpoint
 * when it named one), with the payload encrypted for that endpoint and its first job — so the
 * event and its deliveries exist together or not at all. When this instance makes the first try
 * right after the commit, the delivery is born claimed by it (`delivering`), so that try commits
 * no claim of its own (`webhooks/worker.ts`).
 */
import type { AppDeps } from "../lib/deps.ts";
import type { EventPayload, EventRecord } from "../lib/events/events.ts";
import { getJobQueue } from "../lib/jobs/mod.ts";
import { listEndpoints } from "./endpoints.ts";
import { addDeliveryToCommit, deliveryJob, newDelivery } from "./deliveries.ts";
import { claimedBy } from "./worker.ts";
import { webhookRuntime } from "./runtime.ts";
import type { EncryptionKeyRecord, EndpointRecord } from "./model.ts";
import { webhookKeys } from "./model.ts";

/** The endpoints an event goes to. */
export async function endpointsForEvent(
  kv: Deno.Kv,
  event: EventRecord,
): Promise<EndpointRecord[]> {
  const endpoints = await listEndpoints(kv, { orgId: event.orgId, mode: event.mode });
  return endpoints.filter((e) =>
    e.enabled &&
    (e.subscribedEventTypes as readonly string[]).includes(event.type) &&
    (!event.webhookEndpointId || e.id === event.webhookEndpointId)
  );
}

async function activeKey(
  kv: Deno.Kv,
  endpoint: EndpointRecord,
): Promise<EncryptionKeyRecord | null> {
  if (!endpoint.activeKeyId) return null;
  const key = (await kv.get<EncryptionKeyRecord>(webhookKeys.key(endpoint.activeKeyId))).value;
  return key?.status === "active" ? key : null;
}

/** Adds the event's deliveries (and their first jobs) to `op`. */
export async function fanOutEvent(
  deps: AppDeps,
  op: Deno.AtomicOperation,
  event: EventRecord,
  payload: EventPayload,
): Promise<void> {
  const endpoints = await endpointsForEvent(deps.kv, event);
  if (endpoints.length === 0) return;
  const jobs = getJobQueue(deps);
  const now = deps.clock.now();
  for (const endpoint of endpoints) {
    const key = await activeKey(deps.kv, endpoint);
    const delivery = await newDelivery(deps, event, endpoint, key, payload, now);
    if (!key) {
      addDeliveryToCommit(op, delivery);
      continue;
    }
    // The first try is made by this instance right after the commit (its job is the fallback),
    // under a claim born with the delivery; otherwise the delivery waits, pending, for its job.
    const job = deliveryJob(delivery, now.getTime(), true);
    const runsNow = jobs.willRunNow(job);
    addDeliveryToCommit(op, runsNow ? claimedBy(delivery, webhookRuntime(deps), now) : delivery);
    jobs.addToCommit(op, job);
  }
}

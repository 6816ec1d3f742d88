/**
 * "Send test event" (docs/webhooks.md "Test events"): a `webhook.test` event for one endpoint,
 * written with its delivery and first job in one commit and then delivered by the real worker —
 * signed with the endpoint's secret and encrypted to its active key, with the usual retries —
 * so it shows in the endpoint's deliveries like any other. It goes to that endpoint only,
 * whatever its subscriptions; it is not sent to a disabled endpoint.
 */
import type { AppDeps } from "../lib/deps.ts";
import { newId } from "../lib/core/ids.ts";
import {
  addEventRecord,
  CONTRACT_VERSION,
  type EventPayload,
  type EventRecord,
  TEST_EVENT_TYPE,
} from "../lib/events/events.ts";
import { getJobQueue } from "../lib/jobs/mod.ts";
import { addDeliveryJob, addDeliveryToCommit, newDelivery } from "./deliveries.ts";
import type { DeliveryRecord, EncryptionKeyRecord, EndpointRecord } from "./model.ts";
import { webhookKeys } from "./model.ts";

/** Why no test event was sent. */
export type TestEventRefusal = "endpoint_disabled" | "changed";

/** Sends a test event to the endpoint; returns the event and its delivery, or why not. */
export async function sendTestEvent(
  deps: AppDeps,
  endpointEntry: Deno.KvEntry<EndpointRecord>,
): Promise<{ event: EventRecord; delivery: DeliveryRecord } | TestEventRefusal> {
  const endpoint = endpointEntry.value;
  if (!endpoint.enabled) return "endpoint_disabled";
  const keyEntry = endpoint.activeKeyId
    ? await deps.kv.get<EncryptionKeyRecord>(webhookKeys.key(endpoint.activeKeyId))
    : null;
  const key = keyEntry?.value?.status === "active" ? keyEntry.value : null;
  const now = deps.clock.now();
  const event: EventRecord = {
    id: newId("evt", deps.random),
    orgId: endpoint.orgId,
    mode: endpoint.mode,
    type: TEST_EVENT_TYPE,
    sessionId: "",
    attemptId: null,
    data: { endpoint_id: endpoint.id },
    webhookEndpointId: endpoint.id,
    createdAt: now.toISOString(),
    sequence: now.getTime() * 1000,
  };
  const payload: EventPayload = {
    type: TEST_EVENT_TYPE,
    metadata: {
      contract_version: CONTRACT_VERSION,
      event_id: event.id,
      verification_session_id: "",
    },
    data: {
      endpoint_id: endpoint.id,
      message: "A test event sent from the Kayle ID dashboard. It carries no personal data.",
    },
  };
  const delivery = await newDelivery(deps, event, endpoint, key, payload, now);
  const op = deps.kv.atomic().check(endpointEntry);
  if (keyEntry) op.check(keyEntry);
  addEventRecord(op, event);
  addDeliveryToCommit(op, delivery);
  if (key) addDeliveryJob(getJobQueue(deps), op, delivery, now.getTime(), true);
  return (await op.commit()).ok ? { event, delivery } : "changed";
}

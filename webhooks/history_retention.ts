/**
 * History retention (docs/privacy.md): events and their deliveries (with every recorded try) are deleted
 * 30 days after the event, once no delivery of it still holds a payload. The sessions layer
 * deletes sessions; this deletes what the webhooks layer shows about them.
 */
import type { AppDeps } from "../lib/deps.ts";
import { listOrganizations } from "../lib/accounts/organizations.ts";
import { type EventIndexValue, eventKeys, type EventRecord } from "../lib/events/events.ts";
import { idOf } from "../lib/core/index_page.ts";
import { MODES } from "../lib/core/org_mode.ts";
import { payloadRetained } from "./deliveries.ts";
import { type DeliveryRecord, webhookKeys } from "./model.ts";

/** Events and delivery history are kept this long. */
export const HISTORY_RETENTION_MS = 30 * 24 * 3600_000;

/** Deletes up to `limit` expired events with their deliveries; returns how many events went. */
export async function deleteExpiredHistory(deps: AppDeps, limit = 200): Promise<number> {
  const now = deps.clock.now();
  const cutoff = now.getTime() - HISTORY_RETENTION_MS;
  let deleted = 0;
  for (const org of await listOrganizations(deps.kv)) {
    for (const mode of MODES) {
      const old = deps.kv.list<EventIndexValue>({
        start: eventKeys.byOrgPrefix({ orgId: org.id, mode }),
        end: [...eventKeys.byOrgPrefix({ orgId: org.id, mode }), cutoff + 1],
      });
      for await (const entry of old) {
        if (deleted >= limit) return deleted;
        if (await deleteEventHistory(deps, idOf(entry.value), now)) deleted++;
      }
    }
  }
  return deleted;
}

/** Deletes one event and its deliveries unless a payload is still retained. */
async function deleteEventHistory(deps: AppDeps, eventId: string, now: Date): Promise<boolean> {
  const kv = deps.kv;
  const event = await kv.get<EventRecord>(eventKeys.event(eventId));
  const deliveries: Deno.KvEntry<DeliveryRecord>[] = [];
  for await (const e of kv.list<string>({ prefix: webhookKeys.deliveriesByEventPrefix(eventId) })) {
    const d = await kv.get<DeliveryRecord>(webhookKeys.delivery(e.value));
    if (d.value) deliveries.push(d as Deno.KvEntry<DeliveryRecord>);
  }
  if (deliveries.some((d) => payloadRetained(d.value, now))) return false;
  // Every record read is re-checked, so a retry or replay started meanwhile wins.
  const op = kv.atomic().check(event);
  if (event.value) {
    op.delete(event.key)
      .delete(eventKeys.byOrg(event.value))
      .delete(eventKeys.byOrgType(event.value))
      .delete(eventKeys.bySession(event.value));
  }
  for (const entry of deliveries) await addDeliveryDeletes(kv, op, entry);
  return (await op.commit()).ok;
}

async function addDeliveryDeletes(
  kv: Deno.Kv,
  op: Deno.AtomicOperation,
  entry: Deno.KvEntry<DeliveryRecord>,
): Promise<void> {
  const d = entry.value;
  op.check(entry)
    .delete(entry.key)
    .delete(webhookKeys.deliveryByOrg(d))
    .delete(webhookKeys.deliveryByStatus(d))
    .delete(webhookKeys.deliveryByEndpoint(d))
    .delete(webhookKeys.deliveryByEvent(d.eventId, d.id))
    .delete(webhookKeys.openDelivery(d.id));
  if (d.payloadExpiresAt) {
    op.delete(webhookKeys.payloadExpiry(Date.parse(d.payloadExpiresAt), d.id));
  }
  for await (const a of kv.list({ prefix: webhookKeys.attemptsPrefix(d.id) })) op.delete(a.key);
}

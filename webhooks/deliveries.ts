/**
 * Deliveries and their tries as data: reads and lists for the API and the dashboard, and the two
 * ways a person asks for another try — a manual retry of one delivery and the replay of an
 * event (every delivery of it), both keeping the delivery id and the event id (docs/webhooks.md).
 */
import type { AppDeps } from "../lib/deps.ts";
import type { AnyEventType, EventPayload, EventRecord } from "../lib/events/events.ts";
import { ApiError } from "../lib/http/errors.ts";
import { isId, newId } from "../lib/core/ids.ts";
import { inScope, type OrgLookup, type OrgMode } from "../lib/core/org_mode.ts";
import { getJobQueue } from "../lib/jobs/mod.ts";
import { type IndexPage, readIndexPage } from "../lib/core/index_page.ts";
import { getManyValues } from "../lib/core/kv.ts";
import { DEFAULT_LIMIT } from "../lib/http/list_params.ts";
import { invalidCursor } from "./pagination.ts";
import type { JobQueue, JobRequest, PlatformJobs } from "../lib/jobs/types.ts";
import {
  type AttemptRecord,
  DELIVERY_JOB_TYPE,
  type DeliveryIndexValue,
  type DeliveryListing,
  deliveryListing,
  type DeliveryRecord,
  type DeliveryStatus,
  type EncryptionKeyRecord,
  type EndpointRecord,
} from "./model.ts";
import { encryptPayload } from "./signing.ts";
import { webhookKeys } from "./model.ts";

/** Payload of a delivery job: which delivery, and which try it is meant to make. */
export type DeliveryJobPayload = PlatformJobs["webhook.delivery"];

/**
 * The delivery job for the next try of `delivery`; `runNow`: this instance also makes the try
 * right after the commit (the job stays the fallback, `lib/jobs/run_now.ts`).
 */
export function deliveryJob(delivery: DeliveryRecord, runAt: number, runNow = false): JobRequest {
  const payload: DeliveryJobPayload = { delivery_id: delivery.id, seq: delivery.attemptCount + 1 };
  return { type: DELIVERY_JOB_TYPE, payload, runAt, runNow };
}

/** Adds the delivery job for the next try of `delivery` to `op` (see {@link deliveryJob}). */
export function addDeliveryJob(
  jobs: JobQueue,
  op: Deno.AtomicOperation,
  delivery: DeliveryRecord,
  runAt: number,
  runNow = false,
): void {
  jobs.addToCommit(op, deliveryJob(delivery, runAt, runNow));
}

/**
 * A new delivery of `event` to `endpoint`, its payload encrypted to the endpoint's active key and
 * due now; without an active key it is `failed` (`no_active_key`) from the start (docs/webhooks.md).
 */
export async function newDelivery(
  deps: Pick<AppDeps, "random">,
  event: Pick<EventRecord, "id" | "orgId" | "mode" | "type">,
  endpoint: Pick<EndpointRecord, "id">,
  key: EncryptionKeyRecord | null,
  payload: EventPayload,
  now: Date,
): Promise<DeliveryRecord> {
  return {
    id: newId("whd", deps.random),
    orgId: event.orgId,
    mode: event.mode,
    endpointId: endpoint.id,
    eventId: event.id,
    eventType: event.type,
    status: key ? "pending" : "failed",
    payload: key ? await encryptPayload(key.jwk, payload) : null,
    keyId: key?.id ?? null,
    attemptCount: 0,
    scheduledTries: 0,
    manualTryPending: false,
    nextAttemptAt: key ? now.toISOString() : null,
    deliveringBy: null,
    deliveringUntil: null,
    lastAttemptAt: null,
    lastStatusCode: null,
    lastErrorClass: null,
    failureReason: key ? null : "no_active_key",
    payloadExpiresAt: null,
    succeededAt: null,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
}

/** Writes a new delivery (pending, born claimed, or failed) and its indexes into `op`. */
export function addDeliveryToCommit(op: Deno.AtomicOperation, delivery: DeliveryRecord): void {
  putDelivery(op, null, delivery);
  op.set(webhookKeys.deliveryByEvent(delivery.eventId, delivery.id), delivery.id);
  if (delivery.status === "pending" || delivery.status === "delivering") {
    op.set(webhookKeys.openDelivery(delivery.id), delivery.id);
  }
}

/**
 * Writes `after` (over `before`, or new) in `op` with its list index entries, which hold its
 * listing (docs/performance.md, "Lists read one page"), moving the status entry when the status
 * changes. Every write of a delivery goes through here, so a list never shows a stale listing
 * (`tests/data_layer_test.ts` fails on a write of these keys anywhere else).
 */
export function putDelivery(
  op: Deno.AtomicOperation,
  before: DeliveryRecord | null,
  after: DeliveryRecord,
): void {
  const listing: DeliveryIndexValue = deliveryListing(after);
  op.set(webhookKeys.delivery(after.id), after)
    .set(webhookKeys.deliveryByOrg(after), listing)
    .set(webhookKeys.deliveryByEndpoint(after), listing);
  if (before && before.status !== after.status) op.delete(webhookKeys.deliveryByStatus(before));
  op.set(webhookKeys.deliveryByStatus(after), listing);
}

/** Reads a delivery entry in `scope` (null for another organization's or mode's, or a bad id). */
export async function getDeliveryEntry(
  kv: Deno.Kv,
  scope: OrgLookup,
  id: string,
): Promise<Deno.KvEntry<DeliveryRecord> | null> {
  if (!isId("whd", id)) return null;
  const entry = await kv.get<DeliveryRecord>(webhookKeys.delivery(id));
  return entry.value && inScope(entry.value, scope) ? entry as Deno.KvEntry<DeliveryRecord> : null;
}

/** Filters and page of the delivery list. */
export interface DeliveryFilter {
  status?: DeliveryStatus;
  endpointId?: string;
  eventId?: string;
  /** Only deliveries of events of this type. */
  eventType?: AnyEventType;
  /** Page size (default 10). */
  limit?: number;
  /** Continue after this delivery id. */
  startingAfter?: string;
}

/** Every delivery of one event in `scope` (one per endpoint: a handful), newest first. */
export async function listEventDeliveries(
  kv: Deno.Kv,
  scope: OrgLookup,
  eventId: string,
): Promise<DeliveryRecord[]> {
  const ids: string[] = [];
  for await (const e of kv.list<string>({ prefix: webhookKeys.deliveriesByEventPrefix(eventId) })) {
    ids.push(e.value);
  }
  const out = await getManyValues<DeliveryRecord>(kv, ids.map(webhookKeys.delivery));
  return out.filter((d) => inScope(d, scope)).sort((a, b) =>
    b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id)
  );
}

/**
 * One page of the deliveries of one organization and mode, newest first, filtered: read from that
 * mode's index a page at a time (lib/core/index_page.ts), or from the event's few deliveries when
 * filtered by event. Throws `400 INVALID_REQUEST` when `startingAfter` names no delivery of it.
 */
export async function listDeliveries(
  kv: Deno.Kv,
  scope: OrgMode,
  filter: DeliveryFilter = {},
): Promise<IndexPage<DeliveryListing>> {
  const limit = filter.limit ?? DEFAULT_LIMIT;
  const matches = (d: DeliveryListing | DeliveryRecord) =>
    inScope(d, scope) && (!filter.status || d.status === filter.status) &&
    (!filter.endpointId || d.endpointId === filter.endpointId) &&
    (!filter.eventId || d.eventId === filter.eventId) &&
    (!filter.eventType || d.eventType === filter.eventType);
  let cursor: DeliveryRecord | null = null;
  if (filter.startingAfter) {
    cursor = (await getDeliveryEntry(kv, scope, filter.startingAfter))?.value ?? null;
    if (!cursor || !matches(cursor)) throw invalidCursor();
  }
  if (filter.eventId) {
    const all = (await listEventDeliveries(kv, scope, filter.eventId)).filter(matches)
      .map(deliveryListing);
    const start = cursor ? all.findIndex((d) => d.id === cursor!.id) + 1 : 0;
    return { items: all.slice(start, start + limit), hasMore: all.length > start + limit };
  }
  // The endpoint's or the status's own index when filtered by them (the other filters, and the
  // status of an entry another version left behind, are checked on the records).
  const [prefix, cursorKey] = filter.endpointId
    ? [
      webhookKeys.deliveriesByEndpointPrefix(scope, filter.endpointId),
      cursor && webhookKeys.deliveryByEndpoint(cursor),
    ]
    : filter.status
    ? [
      webhookKeys.deliveriesByStatusPrefix(scope, filter.status),
      cursor && webhookKeys.deliveryByStatus(cursor),
    ]
    : [webhookKeys.deliveriesByOrgPrefix(scope), cursor && webhookKeys.deliveryByOrg(cursor)];
  return await readIndexPage(kv, {
    prefix,
    before: cursorKey,
    limit,
    recordKey: webhookKeys.delivery,
    fromRecord: deliveryListing,
    match: filter.status || filter.endpointId || filter.eventType ? matches : undefined,
  });
}

/** The tries of a delivery, in order. */
export async function listAttempts(kv: Deno.Kv, deliveryId: string): Promise<AttemptRecord[]> {
  const out: AttemptRecord[] = [];
  for await (
    const e of kv.list<AttemptRecord>({ prefix: webhookKeys.attemptsPrefix(deliveryId) })
  ) {
    out.push(e.value);
  }
  return out;
}

/** True while the encrypted payload is still kept, so another try can be made. */
export function payloadRetained(d: DeliveryRecord | DeliveryListing, now: Date): boolean {
  const kept = "payloadKept" in d ? d.payloadKept : d.payload !== null;
  return kept && (d.payloadExpiresAt === null || new Date(d.payloadExpiresAt) > now);
}

function refuseUnlessRetryable(d: DeliveryRecord, now: Date): void {
  if (d.status === "delivering") {
    throw new ApiError(409, "CONFLICT", "This delivery is being sent right now.", {
      hint: "Wait for the current try to finish, then retry.",
    });
  }
  if (!payloadRetained(d, now)) {
    const message = d.failureReason === "no_active_key"
      ? "This delivery has no payload: the endpoint had no active encryption key when the event happened."
      : d.status === "succeeded"
      ? "This delivery succeeded and its payload is no longer kept."
      : "The payload of this delivery is no longer retained.";
    throw new ApiError(409, "WEBHOOK_PAYLOAD_EXPIRED", message, {
      hint: d.status === "succeeded"
        ? "Set the endpoint's delivered_payload_retention_hours (24, 72 or 168) to replay deliveries after success."
        : "Raise the endpoint's undelivered_payload_retention_hours to keep failed payloads longer.",
    });
  }
}

/** Puts a delivery back to `pending` for one immediate manual try, inside `op`. */
function addManualTry(
  op: Deno.AtomicOperation,
  jobs: JobQueue,
  entry: Deno.KvEntry<DeliveryRecord>,
  now: Date,
): DeliveryRecord {
  const d = entry.value;
  const updated: DeliveryRecord = {
    ...d,
    status: "pending",
    manualTryPending: true,
    nextAttemptAt: now.toISOString(),
    failureReason: null,
    payloadExpiresAt: null,
    updatedAt: now.toISOString(),
  };
  op.check(entry).set(webhookKeys.openDelivery(d.id), d.id);
  putDelivery(op, d, updated);
  if (d.payloadExpiresAt) {
    op.delete(webhookKeys.payloadExpiry(Date.parse(d.payloadExpiresAt), d.id));
  }
  addDeliveryJob(jobs, op, updated, now.getTime(), true);
  return updated;
}

/** Manual retry of one delivery: 409 CONFLICT while delivering, 409 WEBHOOK_PAYLOAD_EXPIRED after retention. */
export async function retryDelivery(
  deps: AppDeps,
  scope: OrgLookup,
  id: string,
): Promise<DeliveryRecord> {
  for (;;) {
    const entry = await getDeliveryEntry(deps.kv, scope, id);
    if (!entry) throw new ApiError(404, "NOT_FOUND", "No such webhook delivery.");
    const now = deps.clock.now();
    refuseUnlessRetryable(entry.value, now);
    const op = deps.kv.atomic();
    const updated = addManualTry(op, getJobQueue(deps), entry, now);
    if ((await op.commit()).ok) return updated;
  }
}

/**
 * Replays an event: one manual try for every delivery of it whose payload is retained, in one
 * commit. 409 CONFLICT when one of them is being sent; 409 WEBHOOK_PAYLOAD_EXPIRED when none
 * has a payload left.
 */
export async function replayEventDeliveries(
  deps: AppDeps,
  scope: OrgLookup,
  eventId: string,
): Promise<DeliveryRecord[]> {
  for (;;) {
    const entries: Deno.KvEntry<DeliveryRecord>[] = [];
    for await (
      const e of deps.kv.list<string>({ prefix: webhookKeys.deliveriesByEventPrefix(eventId) })
    ) {
      const entry = await getDeliveryEntry(deps.kv, scope, e.value);
      if (entry) entries.push(entry);
    }
    const now = deps.clock.now();
    if (entries.some((e) => e.value.status === "delivering")) {
      refuseUnlessRetryable({ ...entries[0].value, status: "delivering" }, now);
    }
    const retained = entries.filter((e) => payloadRetained(e.value, now));
    if (retained.length === 0) {
      throw new ApiError(
        409,
        "WEBHOOK_PAYLOAD_EXPIRED",
        "No delivery of this event still has its payload.",
        {
          hint:
            "Payloads are kept for the endpoint's delivered_payload_retention_hours after a success " +
            "(default 0) and its undelivered_payload_retention_hours after a failure.",
        },
      );
    }
    const op = deps.kv.atomic();
    const jobs = getJobQueue(deps);
    const updated = retained.map((entry) => addManualTry(op, jobs, entry, now));
    if ((await op.commit()).ok) return updated;
  }
}

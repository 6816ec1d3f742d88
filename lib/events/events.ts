/**
 * Events (docs/webhooks.md) are written in the SAME atomic commit as the state change that causes
 * them. The caller builds its `Deno.AtomicOperation` (with its versionstamp checks), then calls
 * `addEventToCommit`, which adds the event record and its indexes and lets the registered
 * fan-out (the webhooks layer) add one delivery per subscribed endpoint to the same commit.
 *
 * The stored record never holds claims (docs/privacy.md): `data` is scrubbed; the full payload exists
 * only inside the fan-out, which stores it encrypted per endpoint.
 *
 * Keys: `["events", id]`, `["events_by_org", orgId, mode, createdAtMs, id]`,
 * `["events_by_org_type", orgId, mode, type, createdAtMs, id]`,
 * `["events_by_session", sessionId, id]`. An event never changes once written, so the two list
 * indexes hold the record itself (`EventIndexValue`): a page of events is one range read
 * (lib/core/index_page.ts). Entries written by earlier versions hold the id.
 */
import { newId } from "../core/ids.ts";
import type { AppDeps } from "../deps.ts";
import type { OrgMode } from "../core/org_mode.ts";
import { getManyValues } from "../core/kv.ts";

/** Event types of docs/webhooks.md. */
export const EVENT_TYPES = [
  "verification.attempt.succeeded",
  "verification.attempt.failed",
  "verification.session.succeeded",
  "verification.session.failed",
  "verification.session.expired",
  "verification.session.cancelled",
] as const;

/** An event type. */
export type EventType = typeof EVENT_TYPES[number];

/**
 * The test event an operator sends from an endpoint's page (docs/webhooks.md "Test events"): it
 * goes only to that endpoint, through the real delivery path, and is not a subscription choice.
 */
export const TEST_EVENT_TYPE = "webhook.test";

/** Every type an event record or delivery can have: the session events and the test event. */
export const ALL_EVENT_TYPES = [...EVENT_TYPES, TEST_EVENT_TYPE] as const;

/** A session event type or the test event. */
export type AnyEventType = typeof ALL_EVENT_TYPES[number];

/** The contract version of events and share fields. */
export const CONTRACT_VERSION = 1;

/** What the caller knows about an event. */
export interface EventInput {
  orgId: string;
  mode: "live" | "test";
  type: EventType;
  sessionId: string;
  attemptId?: string | null;
  /** Full event data (may contain claims; never stored in clear). */
  data: Record<string, unknown>;
  /** The session's `webhook_endpoint_id`, restricting delivery to that endpoint. */
  webhookEndpointId?: string | null;
}

/** The stored event record (no claims). */
export interface EventRecord {
  id: string;
  orgId: string;
  mode: "live" | "test";
  type: AnyEventType;
  /** The session; empty for the test event. */
  sessionId: string;
  attemptId: string | null;
  /** Scrubbed data: claims replaced by the list of their keys. */
  data: Record<string, unknown>;
  webhookEndpointId: string | null;
  createdAt: string;
  /** Orders events of one commit (same millisecond) in the order they were added. */
  sequence: number;
}

/** The JSON delivered to webhooks (docs/webhooks.md). */
export interface EventPayload {
  type: AnyEventType;
  metadata: {
    contract_version: number;
    event_id: string;
    verification_session_id: string;
    verification_attempt_id?: string;
  };
  data: Record<string, unknown>;
}

/** Adds deliveries for an event to the commit (the webhooks layer's, wired by `lib/platform.ts`). */
export type EventFanout = (
  deps: AppDeps,
  op: Deno.AtomicOperation,
  event: EventRecord,
  payload: EventPayload,
) => Promise<void>;

let sequenceCounter = 0;

/** The payload of an event as delivered. */
export function eventPayload(record: EventRecord, data: Record<string, unknown>): EventPayload {
  return {
    type: record.type,
    metadata: {
      contract_version: CONTRACT_VERSION,
      event_id: record.id,
      verification_session_id: record.sessionId,
      ...(record.attemptId ? { verification_attempt_id: record.attemptId } : {}),
    },
    data,
  };
}

/** The KV keys of events (the list at the top of this module). */
export const eventKeys = {
  event: (id: string) => ["events", id] as const,
  allPrefix: () => ["events"] as const,
  byOrg: (e: EventRecord) =>
    ["events_by_org", e.orgId, e.mode, Date.parse(e.createdAt), e.id] as const,
  byOrgPrefix: (scope: OrgMode) => ["events_by_org", scope.orgId, scope.mode] as const,
  /** The type-filtered list's index. */
  byOrgType: (e: EventRecord) =>
    ["events_by_org_type", e.orgId, e.mode, e.type, Date.parse(e.createdAt), e.id] as const,
  byOrgTypePrefix: (scope: OrgMode, type: string) =>
    ["events_by_org_type", scope.orgId, scope.mode, type] as const,
  bySession: (e: EventRecord) => ["events_by_session", e.sessionId, e.id] as const,
  bySessionPrefix: (sessionId: string) => ["events_by_session", sessionId] as const,
};

/** What an `events_by_org` / `events_by_org_type` entry holds: the event, or its id (older entries). */
export type EventIndexValue = EventRecord | string;

/** Adds the event's record and its indexes to `op` (a test event, of no session, has no session entry). */
export function addEventRecord(op: Deno.AtomicOperation, record: EventRecord): void {
  op.set(eventKeys.event(record.id), record)
    .set(eventKeys.byOrg(record), record satisfies EventIndexValue)
    .set(eventKeys.byOrgType(record), record satisfies EventIndexValue);
  if (record.sessionId) op.set(eventKeys.bySession(record), record.id);
}

/** Adds the event (and its deliveries) to `op`; the caller commits. */
export async function addEventToCommit(
  deps: AppDeps,
  op: Deno.AtomicOperation,
  input: EventInput,
): Promise<EventRecord> {
  const now = deps.clock.now();
  const record: EventRecord = {
    id: newId("evt", deps.random),
    orgId: input.orgId,
    mode: input.mode,
    type: input.type,
    sessionId: input.sessionId,
    attemptId: input.attemptId ?? null,
    data: scrubClaims(input.data),
    webhookEndpointId: input.webhookEndpointId ?? null,
    createdAt: now.toISOString(),
    sequence: now.getTime() * 1000 + (sequenceCounter++ % 1000),
  };
  addEventRecord(op, record);
  // Without webhooks there is no fan-out: sessions cannot name an endpoint then (see
  // `isUsableWebhookEndpoint`), and endpoints cannot be created, so nothing is dropped silently.
  const fanout = deps.services.eventFanout;
  if (fanout) await fanout(deps, op, record, eventPayload(record, input.data));
  return record;
}

/** Replaces claim values by their keys so the stored record holds no personal data. */
export function scrubClaims(data: Record<string, unknown>): Record<string, unknown> {
  if (!("claims" in data)) return { ...data };
  const { claims, ...rest } = data;
  return { ...rest, claim_keys: Object.keys((claims ?? {}) as object) };
}

/** Reads an event. */
export async function getEvent(kv: Deno.Kv, id: string): Promise<EventRecord | null> {
  return (await kv.get<EventRecord>(eventKeys.event(id))).value;
}

/** Events of a session, oldest first. */
export async function listSessionEvents(kv: Deno.Kv, sessionId: string): Promise<EventRecord[]> {
  const ids: string[] = [];
  for await (const e of kv.list<string>({ prefix: eventKeys.bySessionPrefix(sessionId) })) {
    ids.push(e.value);
  }
  const events = await getManyValues<EventRecord>(kv, ids.map(eventKeys.event));
  return events.sort((a, b) =>
    (a.sequence ?? 0) - (b.sequence ?? 0) || a.createdAt.localeCompare(b.createdAt)
  );
}

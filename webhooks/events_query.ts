/**
 * Reads of the event records written by `lib/events/events.ts`, as the webhooks API and dashboard
 * list them: per organization and mode, newest first, optionally by type or session.
 */
import { type EventRecord, type EventType, getEvent } from "../lib/events/events.ts";
import { notFound } from "../lib/http/errors.ts";
import type { WebhookMode } from "./model.ts";

/** Filters of the event list. */
export interface EventFilter {
  mode?: WebhookMode;
  type?: EventType;
  sessionId?: string;
}

/** The organization's events, newest first. */
export async function listOrgEvents(
  kv: Deno.Kv,
  orgId: string,
  filter: EventFilter = {},
): Promise<EventRecord[]> {
  const ids: string[] = [];
  for await (const e of kv.list<string>({ prefix: ["events_by_org", orgId] }, { reverse: true })) {
    ids.push(e.value);
  }
  const out: EventRecord[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const batch = await kv.getMany<EventRecord[]>(ids.slice(i, i + 10).map((id) => ["events", id]));
    for (const { value: e } of batch) {
      if (
        !e || (filter.mode && e.mode !== filter.mode) || (filter.type && e.type !== filter.type)
      ) continue;
      if (filter.sessionId && e.sessionId !== filter.sessionId) continue;
      out.push(e);
    }
  }
  return out;
}

/** An event of the organization and mode, or 404. */
export async function requireEvent(
  kv: Deno.Kv,
  orgId: string,
  mode: WebhookMode | undefined,
  id: string,
): Promise<EventRecord> {
  const event = await getEvent(kv, id);
  if (!event || event.orgId !== orgId || (mode && event.mode !== mode)) throw notFound("event");
  return event;
}

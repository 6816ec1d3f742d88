/**
 * Reads of the event records written by `lib/events/events.ts`, as the webhooks API and dashboard
 * list them: per organization and mode (from `["events_by_org", orgId, mode, …]`), newest first,
 * optionally by type or session.
 */
import { type AnyEventType, type EventRecord, getEvent } from "../lib/events/events.ts";
import { notFound } from "../lib/http/errors.ts";
import { isId } from "../lib/core/ids.ts";
import { inScope, type OrgLookup, type OrgMode } from "../lib/core/org_mode.ts";

/** Filters of the event list. */
export interface EventFilter {
  type?: AnyEventType;
  sessionId?: string;
}

/** The events of one organization and mode, newest first. */
export async function listOrgEvents(
  kv: Deno.Kv,
  scope: OrgMode,
  filter: EventFilter = {},
): Promise<EventRecord[]> {
  const ids: string[] = [];
  const prefix = ["events_by_org", scope.orgId, scope.mode];
  for await (const e of kv.list<string>({ prefix }, { reverse: true })) ids.push(e.value);
  const out: EventRecord[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const batch = await kv.getMany<EventRecord[]>(ids.slice(i, i + 10).map((id) => ["events", id]));
    for (const { value: e } of batch) {
      if (!e || !inScope(e, scope) || (filter.type && e.type !== filter.type)) continue;
      if (filter.sessionId && e.sessionId !== filter.sessionId) continue;
      out.push(e);
    }
  }
  return out;
}

/** An event in `scope`, or null (another organization's or mode's, or a malformed id). */
export async function findEvent(
  kv: Deno.Kv,
  scope: OrgLookup,
  id: string,
): Promise<EventRecord | null> {
  const event = isId("evt", id) ? await getEvent(kv, id) : null;
  return event && inScope(event, scope) ? event : null;
}

/** An event in `scope`, or 404. */
export async function requireEvent(
  kv: Deno.Kv,
  scope: OrgLookup,
  id: string,
): Promise<EventRecord> {
  const event = await findEvent(kv, scope, id);
  if (!event) throw notFound("event");
  return event;
}

/**
 * Reads of the event records written by `lib/events/events.ts`, as the webhooks API and dashboard
 * list them: per organization and mode, newest first, one page at a time, optionally by type or
 * session.
 */
import {
  type AnyEventType,
  eventKeys,
  type EventRecord,
  getEvent,
  listSessionEvents,
} from "../lib/events/events.ts";
import { type IndexPage, readIndexPage } from "../lib/core/index_page.ts";
import { DEFAULT_LIMIT } from "../lib/http/list_params.ts";
import { invalidCursor } from "./pagination.ts";
import { notFound } from "../lib/http/errors.ts";
import { isId } from "../lib/core/ids.ts";
import { inScope, type OrgLookup, type OrgMode } from "../lib/core/org_mode.ts";

/** Filters and page of the event list. */
export interface EventFilter {
  type?: AnyEventType;
  sessionId?: string;
  /** Page size (default 10). */
  limit?: number;
  /** Continue after this event id. */
  startingAfter?: string;
}

/**
 * One page of the events of one organization and mode, newest first: read from
 * `["events_by_org_type", …]` when filtered by type, from the session's events when filtered by
 * session, else from `["events_by_org", …]` (lib/core/index_page.ts). Throws `400
 * INVALID_REQUEST` when `startingAfter` names no event of this list.
 */
export async function listOrgEvents(
  kv: Deno.Kv,
  scope: OrgMode,
  filter: EventFilter = {},
): Promise<IndexPage<EventRecord>> {
  const limit = filter.limit ?? DEFAULT_LIMIT;
  const matches = (e: EventRecord) =>
    inScope(e, scope) && (!filter.type || e.type === filter.type) &&
    (!filter.sessionId || e.sessionId === filter.sessionId);
  let cursor: EventRecord | null = null;
  if (filter.startingAfter) {
    cursor = await findEvent(kv, scope, filter.startingAfter);
    if (!cursor || !matches(cursor)) throw invalidCursor();
  }
  if (filter.sessionId) {
    // One session's events: a handful, read whole.
    const all = (await listSessionEvents(kv, filter.sessionId)).filter(matches).reverse();
    const start = cursor ? all.findIndex((e) => e.id === cursor!.id) + 1 : 0;
    return { items: all.slice(start, start + limit), hasMore: all.length > start + limit };
  }
  const prefix = filter.type
    ? eventKeys.byOrgTypePrefix(scope, filter.type)
    : eventKeys.byOrgPrefix(scope);
  return await readIndexPage(kv, {
    prefix,
    before: cursor ? [...prefix, Date.parse(cursor.createdAt), cursor.id] : null,
    limit,
    recordKey: eventKeys.event,
  });
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

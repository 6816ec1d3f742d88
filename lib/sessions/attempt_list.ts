/**
 * `GET /v1/sessions/attempts`: the attempts of one organization and mode across sessions, newest
 * first (read from `["attempts_by_org", orgId, mode, …]`, or `["attempts_by_org_status", …]` when
 * filtered by status), with the `session_id` and `status` filters and cursor pagination.
 */
import type { AppDeps } from "../deps.ts";
import { isId } from "../core/ids.ts";
import { inScope, type OrgMode } from "../core/org_mode.ts";
import { readIndexPage } from "../core/index_page.ts";
import { getAttempt, listSessionAttempts } from "./attempts.ts";
import { effectiveAttempt, expireScopeDueSessions } from "./effective.ts";
import {
  getSessionRecords,
  InvalidCursorError,
  type Page,
  readSession,
  UnknownFilterError,
} from "./sessions.ts";
import { type AttemptRecord, type AttemptStatus, sessionKeys } from "./types.ts";

/** Filters and page of the attempt list. */
export interface AttemptListQuery {
  sessionId?: string;
  status?: AttemptStatus;
  limit: number;
  startingAfter?: string;
}

/**
 * Lists attempts newest first. Throws {@link InvalidCursorError}, and {@link UnknownFilterError}
 * when `session_id` names no session of this organization and mode.
 */
export async function listOrgAttempts(
  deps: AppDeps,
  scope: OrgMode,
  query: AttemptListQuery,
): Promise<Page<AttemptRecord>> {
  // A status filter reads stored statuses: this scope's due sessions are expired first (its own
  // data only, lib/sessions/effective.ts). Unfiltered, attempts read as they are now, no write.
  if (query.status) await expireScopeDueSessions(deps, scope);
  if (query.sessionId && !await readSession(deps, query.sessionId, scope)) {
    throw new UnknownFilterError("session_id", "session");
  }
  const cursor = query.startingAfter && isId("va", query.startingAfter)
    ? await getAttempt(deps.kv, query.startingAfter)
    : null;
  if (query.startingAfter && (!cursor || !inScope(cursor, scope))) {
    throw new InvalidCursorError(query.startingAfter);
  }
  const matches = (a: AttemptRecord) =>
    inScope(a, scope) && (!query.status || a.status === query.status);
  const page = query.sessionId
    ? await pageOfSession(deps.kv, query, cursor, matches)
    : await pageOfOrg(deps.kv, scope, query, cursor, matches);
  return { items: await asOfNow(deps, page.items), hasMore: page.hasMore };
}

// In-progress attempts of sessions past their expiry read as ended by it.
async function asOfNow(deps: AppDeps, items: AttemptRecord[]): Promise<AttemptRecord[]> {
  const open = items.filter((a) => a.status === "in_progress");
  if (!open.length) return items;
  const sessions = new Map(
    (await getSessionRecords(deps.kv, open.map((a) => a.sessionId))).map((s) => [s.id, s]),
  );
  const now = deps.clock.now();
  return items.map((a) => effectiveAttempt(a, sessions.get(a.sessionId) ?? null, now));
}

async function pageOfOrg(
  kv: Deno.Kv,
  scope: OrgMode,
  query: AttemptListQuery,
  cursor: AttemptRecord | null,
  matches: (a: AttemptRecord) => boolean,
): Promise<Page<AttemptRecord>> {
  // Filtered by status: that status's own index (the records are still checked, in case an
  // entry was left by an earlier version).
  const prefix = query.status
    ? sessionKeys.attemptsByOrgStatusPrefix(scope, query.status)
    : sessionKeys.attemptsByOrgPrefix(scope);
  const before = !cursor
    ? null
    : query.status
    ? sessionKeys.attemptByOrgStatus(cursor)
    : sessionKeys.attemptByOrg(cursor);
  return await readIndexPage<AttemptRecord>(kv, {
    prefix,
    before: before as unknown as Deno.KvKey | null,
    limit: query.limit,
    recordKey: sessionKeys.attempt,
    match: query.status ? matches : undefined,
  });
}

async function pageOfSession(
  kv: Deno.Kv,
  query: AttemptListQuery,
  cursor: AttemptRecord | null,
  matches: (a: AttemptRecord) => boolean,
): Promise<Page<AttemptRecord>> {
  let all = (await listSessionAttempts(kv, query.sessionId!)).filter(matches);
  if (cursor) {
    const at = all.findIndex((a) => a.id === cursor.id);
    if (at < 0) throw new InvalidCursorError(cursor.id);
    all = all.slice(at + 1);
  }
  return { items: all.slice(0, query.limit), hasMore: all.length > query.limit };
}

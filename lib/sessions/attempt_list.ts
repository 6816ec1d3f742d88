/**
 * `GET /v1/sessions/attempts`: the attempts of one organization and mode across sessions, newest
 * first (read from `["attempts_by_org", orgId, mode, …]`), with the `session_id` and `status`
 * filters and cursor pagination.
 */
import type { AppDeps } from "../deps.ts";
import { isId } from "../core/ids.ts";
import { inScope, type OrgMode } from "../core/org_mode.ts";
import { getAttempt, listSessionAttempts } from "./attempts.ts";
import { expireDueSessions } from "./expiry_sweep.ts";
import { InvalidCursorError, type Page, readSession, UnknownFilterError } from "./sessions.ts";
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
  // Attempts of sessions past their expiry end with `session_expired` before they are read.
  await expireDueSessions(deps, { limit: 200 });
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
  if (query.sessionId) return await pageOfSession(deps.kv, query, cursor, matches);
  const prefix = ["attempts_by_org", scope.orgId, scope.mode];
  const selector: Deno.KvListSelector = cursor
    ? { prefix, end: sessionKeys.attemptByOrg(cursor) as unknown as Deno.KvKey }
    : { prefix };
  const items: AttemptRecord[] = [];
  let ids: string[] = [];
  const flush = async () => {
    const batch = await deps.kv.getMany<AttemptRecord[]>(ids.map(sessionKeys.attempt));
    for (const e of batch) if (e.value && matches(e.value)) items.push(e.value);
    ids = [];
  };
  for await (const e of deps.kv.list<string>(selector, { reverse: true, batchSize: 100 })) {
    ids.push(e.value);
    if (ids.length === 10) await flush();
    if (items.length > query.limit) break;
  }
  if (ids.length && items.length <= query.limit) await flush();
  return { items: items.slice(0, query.limit), hasMore: items.length > query.limit };
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

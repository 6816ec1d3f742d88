/**
 * Verification sessions (docs/api.md): create, read (with lazy expiry) and list newest first with
 * cursor pagination and the status / creation-date filters. State changes live in
 * `lifecycle.ts` and `attempts.ts`.
 */
import { groupCommitterOf } from "../core/group_commit.ts";
import { putSession } from "./records.ts";
import type { AppDeps } from "../deps.ts";
import type { KeyMode } from "../api_keys/api_keys.ts";
import { isId, newId, randomToken } from "../core/ids.ts";
import { inScope, type OrgLookup, type OrgMode } from "../core/org_mode.ts";
import { CONTRACT_VERSION } from "../events/events.ts";
import { webhooksDisabled } from "../http/errors.ts";
import { CodedError } from "../core/errors.ts";
import { getManyValues } from "../core/kv.ts";
import { countSessionCreated } from "./analytics.ts";
import { cancelTokenRecord } from "./cancel_tokens.ts";
import { effectiveSession, expireScopeDueSessions } from "./effective.ts";
import { type IndexPage, readIndexPage } from "../core/index_page.ts";
import type { ShareFields } from "./share_fields.ts";
import { SESSION_TTL_MS, sessionKeys, type SessionRecord, type SessionStatus } from "./types.ts";

/** What creating a session needs (already validated). */
export interface NewSession {
  orgId: string;
  mode: KeyMode;
  shareFields: ShareFields;
  redirectUrl: string | null;
  webhookEndpointId: string | null;
}

/** A created session and its one-shot cancel token (plaintext, shown once). */
export interface CreatedSession {
  session: SessionRecord;
  cancelToken: string;
}

/**
 * Creates a session in one commit with its indexes, expiry entry, cancel-token hash and
 * analytics counters. The session expires 60 minutes after creation.
 */
export async function createSession(deps: AppDeps, input: NewSession): Promise<CreatedSession> {
  const now = deps.clock.now();
  const session: SessionRecord = {
    id: newId("vs", deps.random),
    ...input,
    status: "created",
    outcome: null,
    failureCode: null,
    contractVersion: CONTRACT_VERSION,
    attemptsUsed: 0,
    failedAttempts: 0,
    latestAttemptId: null,
    deviceIdHash: null,
    cancelReason: null,
    cancelledBy: null,
    expiresAt: new Date(now.getTime() + SESSION_TTL_MS).toISOString(),
    completedAt: null,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const cancelToken = randomToken(32, deps.random);
  // Creations made at once share KV commits (lib/core/group_commit.ts): each keeps its own check,
  // their counter sums add up (docs/performance.md, "Hot paths and rate limit").
  const op = groupCommitterOf(deps.kv).atomic()
    .check({ key: sessionKeys.session(session.id), versionstamp: null })
    .set(sessionKeys.byExpiry(session), session.id)
    .set(
      sessionKeys.cancelToken(session.id),
      await cancelTokenRecord(deps, session.id, cancelToken),
    );
  putSession(op, null, session);
  countSessionCreated(op, session);
  if (!(await op.commit()).ok) throw new Error("session id collision; retry");
  return { session, cancelToken };
}

/** Reads a session as stored (no lazy expiry). */
export async function getSessionRecord(kv: Deno.Kv, id: string): Promise<SessionRecord | null> {
  return (await kv.get<SessionRecord>(sessionKeys.session(id))).value;
}

/**
 * Reads a session as it is now: past its 60 minutes it reads `expired`, without a write (the
 * sweep commits it; lib/sessions/effective.ts). With a scope, another
 * organization's or another mode's session reads as null (the API answers 404). Without one
 * (the public verify surface, addressed by session id alone) any session is read.
 */
export async function readSession(
  deps: Pick<AppDeps, "kv" | "clock">,
  id: string,
  scope?: OrgLookup,
): Promise<SessionRecord | null> {
  if (!isId("vs", id)) return null;
  const session = await getSessionRecord(deps.kv, id);
  if (!session || (scope && !inScope(session, scope))) return null;
  return effectiveSession(session, deps.clock.now());
}

/** Reads many sessions by id, in the given order, skipping missing ones. */
export async function getSessionRecords(kv: Deno.Kv, ids: string[]): Promise<SessionRecord[]> {
  return await getManyValues<SessionRecord>(kv, ids.map(sessionKeys.session));
}

/** Filters and page of a session list. */
export interface SessionListQuery {
  status?: SessionStatus;
  /** Inclusive bounds on `created_at`. */
  createdFrom?: Date;
  createdTo?: Date;
  limit: number;
  /** Continue after this session id (newest first). */
  startingAfter?: string;
}

/**
 * A list filter names an object that does not exist for this key (another organization's or
 * mode's, or none at all): the API answers 404 `NOT_FOUND` naming the field.
 */
export class UnknownFilterError extends CodedError<"unknown_filter"> {
  /** Creates the error for the filter `field`. */
  constructor(readonly field: string, what: string) {
    super("unknown_filter", `${field} names no ${what} of this organization in this mode.`);
  }
}

/** The `starting_after` cursor names no session of the organization. */
export class InvalidCursorError extends CodedError<"invalid_cursor"> {
  /** Creates the error for the unknown cursor. */
  constructor(readonly cursor: string) {
    super("invalid_cursor", `starting_after ${cursor} is not an object of this list.`);
  }
}

/** A page of a list. */
export type Page<T> = IndexPage<T>;

/**
 * Lists the sessions of one organization and mode newest first, one page of the index of that
 * mode (lib/core/index_page.ts). Items read as they are now (lazy expiry, no write); a status
 * filter first expires this scope's own due sessions, so it never returns a stale `created` /
 * `in_progress` one nor misses an `expired` one. Throws {@link InvalidCursorError}.
 */
export async function listSessions(
  deps: AppDeps,
  scope: OrgMode,
  query: SessionListQuery,
): Promise<Page<SessionRecord>> {
  if (query.status) await expireScopeDueSessions(deps, scope);
  const prefix: Deno.KvKey = query.status
    ? sessionKeys.byOrgStatusPrefix(scope, query.status)
    : sessionKeys.byOrgPrefix(scope);
  let upper: Deno.KvKey | null = query.createdTo
    ? [...prefix, query.createdTo.getTime() + 1]
    : null;
  if (query.startingAfter) {
    const cursor = isId("vs", query.startingAfter)
      ? await getSessionRecord(deps.kv, query.startingAfter)
      : null;
    if (!cursor || !inScope(cursor, scope)) throw new InvalidCursorError(query.startingAfter);
    const cursorMs = Date.parse(cursor.createdAt);
    if (!upper || cursorMs < (upper[upper.length - 1] as number)) {
      upper = [...prefix, cursorMs, cursor.id];
    }
  }
  const lower: Deno.KvKey | null = query.createdFrom
    ? [...prefix, query.createdFrom.getTime()]
    : null;
  const now = deps.clock.now();
  const page = await readIndexPage<SessionRecord>(deps.kv, {
    prefix,
    before: upper,
    from: lower,
    limit: query.limit,
    recordKey: sessionKeys.session,
    // With a status filter, a session the 200-per-call expiry above did not reach is skipped.
    match: query.status ? (s) => effectiveSession(s, now).status === query.status : undefined,
  });
  return { items: page.items.map((s) => effectiveSession(s, now)), hasMore: page.hasMore };
}

/**
 * Tells whether a webhook endpoint id names an endpoint of an organization in a mode (the
 * webhooks layer's, wired by `lib/platform.ts` on `deps.services.webhookEndpoints`).
 */
export type WebhookEndpointLookup = (
  kv: Deno.Kv,
  scope: OrgMode,
  endpointId: string,
) => Promise<boolean>;

/**
 * True when `endpointId` is a well-formed `whe_` id of an endpoint of the organization in the
 * session's mode (an endpoint of the other mode would never receive the session's events).
 * Throws `WEBHOOKS_DISABLED` when the platform has no webhooks.
 */
export async function isUsableWebhookEndpoint(
  deps: Pick<AppDeps, "kv" | "services">,
  scope: OrgMode,
  endpointId: string,
): Promise<boolean> {
  const lookup = deps.services.webhookEndpoints;
  if (!lookup) throw webhooksDisabled();
  if (!isId("whe", endpointId)) return false;
  return await lookup(deps.kv, scope, endpointId);
}

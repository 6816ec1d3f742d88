/**
 * Reads don't write (docs/performance.md, "Reads don't write"): a session past its 60 minutes
 * reads as `expired` (and its in-progress attempt as cancelled with `session_expired`) from the
 * moment it is due, computed here without a write; the expiry sweep (`expiry_sweep.ts`) commits
 * the transition and its event. A request never ends another organization's sessions.
 *
 * The only writes a read may make are to its own organization and mode: a status-filtered list
 * expires that scope's due sessions first ({@link expireScopeDueSessions}), so `status=expired`
 * never misses a session the sweep has not reached yet.
 */
import type { AppDeps } from "../deps.ts";
import type { OrgMode } from "../core/org_mode.ts";
import { expireSession, isExpiryDue } from "./lifecycle.ts";
import {
  type AttemptRecord,
  SESSION_TTL_MS,
  type SessionIndexValue,
  sessionKeys,
  type SessionRecord,
} from "./types.ts";
import { idOf } from "../core/index_page.ts";
import { getAttempt, listSessionAttempts } from "./attempts.ts";

/** The session as it reads at `now`: expired once due, else as stored. */
export function effectiveSession(session: SessionRecord, now: Date): SessionRecord {
  if (!isExpiryDue(session, now)) return session;
  return {
    ...session,
    status: "expired",
    completedAt: session.expiresAt,
    updatedAt: session.expiresAt,
    cancelReason: null,
    cancelledBy: null,
  };
}

/** The attempt as it reads at `now`, given its session as stored. */
export function effectiveAttempt(
  attempt: AttemptRecord,
  session: SessionRecord | null,
  now: Date,
): AttemptRecord {
  return session ? attemptBeside(attempt, effectiveSession(session, now)) : attempt;
}

/**
 * The attempt as it reads beside its session as read ({@link effectiveSession}): a session that
 * reads expired has ended its in-progress attempt, cancelled with `session_expired`, so one answer
 * never shows an expired session with an attempt still running.
 */
export function attemptBeside(attempt: AttemptRecord, session: SessionRecord): AttemptRecord {
  if (attempt.status !== "in_progress" || session.status !== "expired") return attempt;
  return {
    ...attempt,
    status: "cancelled",
    failureCode: "session_expired",
    completedAt: session.expiresAt,
    updatedAt: session.expiresAt,
  };
}

/** A session's attempts (newest first) as they read beside the session as read. */
export async function attemptsAsRead(
  kv: Deno.Kv,
  session: SessionRecord,
): Promise<AttemptRecord[]> {
  return (await listSessionAttempts(kv, session.id)).map((a) => attemptBeside(a, session));
}

/** A session's latest attempt as it reads beside the session as read, or null. */
export async function latestAttemptAsRead(
  kv: Deno.Kv,
  session: SessionRecord,
): Promise<AttemptRecord | null> {
  const attempt = session.latestAttemptId ? await getAttempt(kv, session.latestAttemptId) : null;
  return attempt && attemptBeside(attempt, session);
}

/**
 * Expires up to `limit` due sessions of one organization and mode (read from its own status
 * index: a session is due 60 minutes after creation, so the due ones are a key range); returns
 * how many it expired.
 */
export async function expireScopeDueSessions(
  deps: AppDeps,
  scope: OrgMode,
  limit = 200,
): Promise<number> {
  const cutoff = deps.clock.now().getTime() - SESSION_TTL_MS;
  let expired = 0;
  for (const status of ["created", "in_progress"] as const) {
    const prefix = sessionKeys.byOrgStatusPrefix(scope, status);
    const due = deps.kv.list<SessionIndexValue>({ prefix, end: [...prefix, cutoff + 1] }, {
      limit,
    });
    for await (const entry of due) {
      if ((await expireSession(deps, idOf(entry.value)))?.status === "expired") expired++;
      if (expired >= limit) return expired;
    }
  }
  return expired;
}

export { isExpiryDue };

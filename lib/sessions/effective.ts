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
  if (attempt.status !== "in_progress" || !session || !isExpiryDue(session, now)) return attempt;
  return {
    ...attempt,
    status: "cancelled",
    failureCode: "session_expired",
    completedAt: session.expiresAt,
    updatedAt: session.expiresAt,
  };
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

/**
 * Cookie sessions of the dashboard. The cookie holds a random token; KV holds only its keyed
 * hash (`["dashboard_sessions", hash]`, expiring after 7 days). Each session has a CSRF token
 * derived from it, checked on every dashboard form post.
 */
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Context } from "hono";
import { randomToken } from "../core/ids.ts";
import { constantTimeEqual } from "../core/keys.ts";
import type { AppDeps } from "../deps.ts";
import { getUser, type User } from "./users.ts";
import { accountKeys } from "./kv_keys.ts";

/** Session lifetime. */
export const DASHBOARD_SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

/** A stored dashboard session. */
export interface DashboardSession {
  userId: string;
  /** The user's session epoch at sign-in; a raised epoch ends the session (lib/accounts/users.ts). */
  epoch?: number;
  createdAt: string;
  expiresAt: string;
}

/** The signed-in user on a request. */
export interface DashboardAuth {
  user: User;
  sessionHash: string;
  csrfToken: string;
}

/** The cookie name: `__Host-` prefixed on https (docs/accounts.md). */
export function sessionCookieName(publicUrl: string): string {
  return publicUrl.startsWith("https://") ? "__Host-kayle_session" : "kayle_session";
}

/** Starts a session for a user and sets the cookie. */
export async function startDashboardSession(
  c: Context,
  deps: AppDeps,
  userId: string,
): Promise<void> {
  const token = randomToken(32, deps.random);
  const now = deps.clock.now();
  const session: DashboardSession = {
    userId,
    epoch: (await getUser(deps.kv, userId))?.sessionEpoch ?? 0,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + DASHBOARD_SESSION_TTL_MS).toISOString(),
  };
  await deps.kv.set(
    accountKeys.dashboardSession(await deps.keys.hash(`session:${token}`)),
    session,
    {
      expireIn: DASHBOARD_SESSION_TTL_MS,
    },
  );
  const secure = deps.config.publicUrl.startsWith("https://");
  setCookie(c, sessionCookieName(deps.config.publicUrl), token, {
    httpOnly: true,
    sameSite: "Lax",
    secure,
    path: "/",
    maxAge: DASHBOARD_SESSION_TTL_MS / 1000,
  });
}

/** Reads the session of a request, or null. */
export async function readDashboardSession(
  c: Context,
  deps: AppDeps,
): Promise<DashboardAuth | null> {
  const token = getCookie(c, sessionCookieName(deps.config.publicUrl));
  if (!token || token.length > 100) return null;
  const sessionHash = await deps.keys.hash(`session:${token}`);
  const session =
    (await deps.kv.get<DashboardSession>(accountKeys.dashboardSession(sessionHash))).value;
  if (!session || new Date(session.expiresAt) <= deps.clock.now()) return null;
  const user = await getUser(deps.kv, session.userId);
  if (!user || (session.epoch ?? 0) !== (user.sessionEpoch ?? 0)) return null;
  return { user, sessionHash, csrfToken: await deps.keys.hash(sessionHash, "csrf") };
}

/** Ends the session of a request and clears the cookie. */
export async function endDashboardSession(
  c: Context,
  deps: Pick<AppDeps, "kv" | "config">,
  auth: DashboardAuth | undefined,
): Promise<void> {
  if (auth) await deps.kv.delete(accountKeys.dashboardSession(auth.sessionHash));
  deleteCookie(c, sessionCookieName(deps.config.publicUrl), {
    path: "/",
    secure: deps.config.publicUrl.startsWith("https://"),
  });
}

/** True when a submitted CSRF token belongs to the session (constant time). */
export function csrfTokenValid(auth: DashboardAuth | undefined, submitted: unknown): boolean {
  return !!auth && typeof submitted === "string" && constantTimeEqual(auth.csrfToken, submitted);
}

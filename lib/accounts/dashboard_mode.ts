/**
 * The dashboard shows one mode at a time (docs/api.md, "Test and live"):
 * test data or live data, like the payment dashboards people know. The choice is made with
 * `?mode=test` / `?mode=live` on any organization page (the switch's links) and remembered in the
 * `kayle_dashboard_mode` cookie (path `/organizations`, one year); without either the dashboard
 * shows test data, which is what a fresh installation's first keys create.
 */
import type { Context } from "hono";
import { generateCookie, getCookie } from "hono/cookie";
import type { KeyMode } from "../api_keys/api_keys.ts";
import type { OrgLookup, OrgMode } from "../core/org_mode.ts";

/** The cookie that remembers the choice (a view preference, not a credential). */
export const DASHBOARD_MODE_COOKIE = "kayle_dashboard_mode";

/** The mode shown when nothing was chosen. */
export const DEFAULT_DASHBOARD_MODE: KeyMode = "test";

const isMode = (v: string | undefined): v is KeyMode => v === "test" || v === "live";

/**
 * The mode a dashboard request shows: `?mode=` when valid, else the cookie, else test. `setCookie`
 * is the `Set-Cookie` value that remembers a new choice (the caller adds it to the response,
 * since pages render into a fresh `Response`).
 */
export function dashboardMode(
  c: Context,
  secure: boolean,
): { mode: KeyMode; setCookie: string | null } {
  const asked = c.req.query("mode");
  const remembered = getCookie(c, DASHBOARD_MODE_COOKIE);
  if (!isMode(asked)) {
    return { mode: isMode(remembered) ? remembered : DEFAULT_DASHBOARD_MODE, setCookie: null };
  }
  const setCookie = remembered === asked ? null : generateCookie(DASHBOARD_MODE_COOKIE, asked, {
    httpOnly: true,
    sameSite: "Lax",
    secure,
    path: "/organizations",
    maxAge: 365 * 24 * 3600,
  });
  return { mode: asked, setCookie };
}

/** The organization and mode an organization page lists (set by its middleware). */
export function viewScope(c: { var: { org?: { id: string }; dashboardMode?: KeyMode } }): OrgMode {
  return { orgId: c.var.org!.id, mode: c.var.dashboardMode ?? DEFAULT_DASHBOARD_MODE };
}

/** A detail page's lookup: any mode of the organization (the page shows the mode's badge). */
export function detailScope(c: { var: { org?: { id: string } } }): OrgLookup {
  return { orgId: c.var.org!.id, mode: "any" };
}

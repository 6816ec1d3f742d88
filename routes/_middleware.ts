/**
 * Runs for every request: reads the dashboard session cookie, and refuses cross-site form posts
 * (CSRF): a state-changing request from a browser must come from our own origin, and a signed-in
 * form must carry the session's CSRF token. The API (`/v1`, bearer keys) is not cookie-based.
 */
import { define } from "../lib/framework/define.ts";
import { csrfTokenValid, readDashboardSession } from "../lib/accounts/dashboard_sessions.ts";
import { ApiError } from "../lib/http/errors.ts";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

export const handler = define.middleware(async function dashboardSession(c, next) {
  const path = new URL(c.req.url).pathname;
  if (path.startsWith("/v1/") || path.startsWith("/static/")) return await next();
  const deps = c.var.deps;
  const auth = await readDashboardSession(c, deps);
  if (auth) c.set("auth", auth);
  if (!SAFE.has(c.req.method)) {
    if (
      !sameOrigin(
        c.req.header("origin"),
        c.req.header("sec-fetch-site"),
        c.req.url,
        deps.config.publicUrl,
      )
    ) {
      throw new ApiError(403, "FORBIDDEN", "Cross-site form submissions are refused.");
    }
    const type = c.req.header("content-type") ?? "";
    if (auth && /form/.test(type)) {
      const body = await c.req.parseBody();
      if (!csrfTokenValid(auth, body._csrf)) {
        throw new ApiError(403, "FORBIDDEN", "The form expired; reload the page and try again.");
      }
    }
  }
  await next();
});

function sameOrigin(
  origin: string | undefined,
  fetchSite: string | undefined,
  requestUrl: string,
  publicUrl: string,
): boolean {
  // Browsers that send Fetch Metadata say it directly; older ones are judged by Origin.
  if (fetchSite) return fetchSite === "same-origin" || fetchSite === "none";
  if (!origin) return true; // not a browser form post (no Origin, no Fetch Metadata)
  return origin === new URL(publicUrl).origin || origin === new URL(requestUrl).origin;
}

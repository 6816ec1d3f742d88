/**
 * Runs for every request: reads the dashboard session cookie, and refuses cross-site requests
 * (CSRF) in two independent checks (docs/passkeys.md, "Sign-in and CSRF"):
 *
 * - origin: hono's CSRF middleware refuses a state-changing request in a form-like content type
 *   (urlencoded, multipart, text/plain, or none, in any letter case) unless Fetch Metadata says
 *   `same-origin`/`none` or `Origin` is ours (the public URL's or the request's);
 * - Fetch Metadata: `cross-site` or `same-site` is refused whatever the content type;
 * - token: a signed-in state-changing request, whatever its content type, must carry the
 *   session's CSRF token, in `X-CSRF-Token` or in a form's `_csrf` field. Only the sign-in
 *   endpoints, which act on no session (they start one), skip it.
 *
 * The API (`/v1`, bearer keys) is not cookie-based and is not checked here.
 */
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
import { define } from "../lib/framework/define.ts";
import { csrfTokenValid, readDashboardSession } from "../lib/accounts/dashboard_sessions.ts";
import { ApiError } from "../lib/http/errors.ts";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);
/** Endpoints that start a session rather than act on one (login CSRF: the origin checks). */
const SIGN_IN_PATHS = new Set(["/sign-in", "/passkeys/options", "/passkeys/verify"]);
const FORM_TYPES = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;

const originCheck = csrf({
  origin: (origin, c) =>
    origin === new URL(c.req.url).origin ||
    origin === new URL(c.var.deps.config.publicUrl).origin,
  secFetchSite: ["same-origin", "none"],
});

export const handler = define.middleware(async function dashboardSession(c, next) {
  const path = new URL(c.req.url).pathname;
  if (path.startsWith("/v1/") || path.startsWith("/static/")) return await next();
  const deps = c.var.deps;
  const auth = await readDashboardSession(c, deps);
  if (auth) c.set("auth", auth);
  if (SAFE.has(c.req.method)) return await next();
  try {
    await originCheck(c, () => Promise.resolve());
  } catch (error) {
    if (!(error instanceof HTTPException)) throw error;
    throw crossSite();
  }
  const fetchSite = c.req.header("sec-fetch-site");
  if (fetchSite === "cross-site" || fetchSite === "same-site") throw crossSite();
  if (auth && !SIGN_IN_PATHS.has(path)) {
    let submitted: unknown = c.req.header("x-csrf-token");
    if (submitted === undefined && FORM_TYPES.test(c.req.header("content-type") ?? "")) {
      submitted = (await c.req.parseBody().catch(() => ({})) as Record<string, unknown>)._csrf;
    }
    if (!csrfTokenValid(auth, submitted)) {
      throw new ApiError(403, "FORBIDDEN", "The form expired; reload the page and try again.");
    }
  }
  await next();
});

function crossSite(): ApiError {
  return new ApiError(403, "FORBIDDEN", "Cross-site form submissions are refused.");
}

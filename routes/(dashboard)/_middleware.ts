/**
 * The dashboard route group (`routes/(dashboard)/`: sign-in, setup, account, organizations, the
 * trust store): reads the dashboard session cookie, refuses cross-site state changes
 * (`lib/http/cross_site.ts`), and requires the session's CSRF token on a signed-in state change of
 * any content type, in `X-CSRF-Token` or a form's `_csrf` field (docs/passkeys.md, "CSRF"). Only
 * the sign-in endpoints, which act on no session (they start one), skip the token.
 *
 * The API (`routes/v1/`) and the end user's pages (`routes/(end-user)/`) are outside the group:
 * they never read the dashboard session.
 */
import { every } from "hono/combine";
import { define } from "../../lib/framework/define.ts";
import { csrfTokenValid, readDashboardSession } from "../../lib/accounts/dashboard_sessions.ts";
import { ApiError } from "../../lib/http/errors.ts";
import { refuseCrossSite, SAFE_METHODS } from "../../lib/http/cross_site.ts";
import { readForm } from "../../lib/http/forms.ts";

/** Endpoints that start a session rather than act on one (login CSRF: the origin checks). */
const SIGN_IN_PATHS = new Set(["/sign-in", "/passkeys/options", "/passkeys/verify"]);
const FORM_TYPES = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;

const dashboardSession = define.middleware(async function dashboardSession(c, next) {
  const auth = await readDashboardSession(c, c.var.deps);
  if (auth) c.set("auth", auth);
  await next();
});

const csrfToken = define.middleware(async function csrfToken(c, next) {
  const auth = c.var.auth;
  if (!auth || SAFE_METHODS.has(c.req.method) || SIGN_IN_PATHS.has(c.req.path)) return await next();
  let submitted: unknown = c.req.header("x-csrf-token");
  if (submitted === undefined && FORM_TYPES.test(c.req.header("content-type") ?? "")) {
    submitted = (await readForm(c).catch(() => ({})) as Record<string, unknown>)._csrf;
  }
  if (!csrfTokenValid(auth, submitted)) {
    throw new ApiError(403, "FORBIDDEN", "The form expired; reload the page and try again.");
  }
  await next();
});

export const handler = every(dashboardSession, refuseCrossSite, csrfToken);

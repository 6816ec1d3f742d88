/**
 * Every `/account` route: requires a signed-in user. JSON requests that change state (the
 * passkey ceremonies of the islands) must carry the session's CSRF token in `X-CSRF-Token`;
 * form posts are already checked for `_csrf` by the root middleware.
 */
import { define } from "../../lib/framework/define.ts";
import { csrfTokenValid } from "../../lib/accounts/dashboard_sessions.ts";
import { ApiError } from "../../lib/http/errors.ts";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

export const handler = define.middleware(async function accountAccess(c, next) {
  const auth = c.var.auth;
  const wantsJson = (c.req.header("content-type") ?? "").includes("json") ||
    !(c.req.header("accept") ?? "").includes("text/html");
  if (!auth) {
    if (wantsJson && !SAFE.has(c.req.method)) {
      throw new ApiError(401, "UNAUTHORIZED", "Sign in to manage passkeys.");
    }
    return c.redirect(`/sign-in?next=${encodeURIComponent(new URL(c.req.url).pathname)}`, 303);
  }
  const isForm = /form/.test(c.req.header("content-type") ?? "");
  if (!SAFE.has(c.req.method) && !isForm && !csrfTokenValid(auth, c.req.header("x-csrf-token"))) {
    throw new ApiError(403, "FORBIDDEN", "The page expired; reload it and try again.");
  }
  await next();
});

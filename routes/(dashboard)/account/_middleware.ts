/**
 * Every `/account` route: requires a signed-in user. (Its state changes carry the session's CSRF
 * token: the dashboard group's middleware, `routes/(dashboard)/_middleware.ts`, checks it.)
 */
import { define } from "../../../lib/framework/define.ts";
import { ApiError } from "../../../lib/http/errors.ts";
import { SAFE_METHODS } from "../../../lib/http/cross_site.ts";

export const handler = define.middleware(async function accountAccess(c, next) {
  if (c.var.auth) return await next();
  const wantsJson = (c.req.header("content-type") ?? "").includes("json") ||
    !(c.req.header("accept") ?? "").includes("text/html");
  if (wantsJson && !SAFE_METHODS.has(c.req.method)) {
    throw new ApiError(401, "UNAUTHORIZED", "Sign in to manage passkeys.");
  }
  return c.redirect(`/sign-in?next=${encodeURIComponent(new URL(c.req.url).pathname)}`, 303);
});

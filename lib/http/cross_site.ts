/**
 * Refuses cross-site state changes to the pages that take forms or cookies: the dashboard group
 * (`routes/(dashboard)/_middleware.ts`) and the end user's verify pages
 * (`routes/(end-user)/_middleware.ts`). Two independent checks, each answering `403 FORBIDDEN`
 * (docs/passkeys.md, "CSRF"):
 *
 * - origin: hono's CSRF middleware refuses a state-changing request in a form-like content type
 *   (urlencoded, multipart, text/plain, or none, in any letter case) unless Fetch Metadata says
 *   `same-origin`/`none` or `Origin` is ours (the public URL's or the request's);
 * - Fetch Metadata: `cross-site` or `same-site` is refused whatever the content type.
 *
 * The API (`/v1`, bearer keys) is not cookie-based and does not use it.
 */
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
import { define } from "../framework/define.ts";
import { ApiError } from "./errors.ts";

/** Methods that change nothing. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

const originCheck = csrf({
  origin: (origin, c) =>
    origin === new URL(c.req.url).origin ||
    origin === new URL(c.var.deps.config.publicUrl).origin,
  secFetchSite: ["same-origin", "none"],
});

/** The two cross-site checks on state-changing requests. */
export const refuseCrossSite = define.middleware(async function refuseCrossSite(c, next) {
  if (SAFE_METHODS.has(c.req.method)) return await next();
  try {
    // Only the check: the request continues below, so a downstream HTTPException keeps its status.
    await originCheck(c, () => Promise.resolve());
  } catch (error) {
    if (!(error instanceof HTTPException)) throw error;
    throw crossSite();
  }
  const fetchSite = c.req.header("sec-fetch-site");
  if (fetchSite === "cross-site" || fetchSite === "same-site") throw crossSite();
  await next();
});

function crossSite(): ApiError {
  return new ApiError(403, "FORBIDDEN", "Cross-site form submissions are refused.");
}

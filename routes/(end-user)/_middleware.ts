/**
 * The end user's verify pages take plain forms (consent, cancel) without JavaScript: cross-site
 * posts are refused (`lib/http/cross_site.ts`). They never read the dashboard session.
 */
export { refuseCrossSite as handler } from "../../lib/http/cross_site.ts";

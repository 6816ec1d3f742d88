/**
 * Every `/organizations/:slug` page: requires a signed-in member of that organization and puts
 * the organization, the member's role and the mode the dashboard shows (test or live data,
 * `lib/accounts/dashboard_mode.ts`) on the context. Non-members see 404, not 403, so slugs of
 * other organizations are not confirmed.
 */
import { define } from "../../../../lib/framework/define.ts";
import { getMembership, getOrganizationBySlug } from "../../../../lib/accounts/organizations.ts";
import { dashboardMode } from "../../../../lib/accounts/dashboard_mode.ts";
import { isInstanceOwner } from "../../../../lib/accounts/instance_owner.ts";
import { hasAnyCsca } from "../../../../verify/trust/kv_store.ts";

export const handler = define.middleware(async function organizationAccess(c, next) {
  const auth = c.var.auth;
  const slug = c.req.param("slug") ?? "";
  if (!auth) {
    return c.redirect(`/sign-in?next=${encodeURIComponent(new URL(c.req.url).pathname)}`, 303);
  }
  const org = await getOrganizationBySlug(c.var.deps.kv, slug);
  const membership = org ? await getMembership(c.var.deps.kv, org.id, auth.user.id) : null;
  if (!org || !membership) return c.notFound();
  c.set("org", org);
  c.set("role", membership.role);
  const view = dashboardMode(c, c.var.deps.config.publicUrl.startsWith("https://"));
  c.set("dashboardMode", view.mode);
  // A fresh instance fails every live verification until a CSCA is trusted: the layout says so.
  c.set("liveTrustEmpty", !(await hasAnyCsca(c.var.deps.kv)));
  c.set("instanceOwner", await isInstanceOwner(c.var.deps.kv, auth.user.id));
  await next();
  if (view.setCookie) c.res.headers.append("set-cookie", view.setCookie);
});

/** `/`: signed-in users go to their organization, others to sign-in. */
import { define } from "../../lib/framework/define.ts";
import { listOrganizationsForUser } from "../../lib/accounts/organizations.ts";

export const handler = define.handlers({
  async GET(c) {
    const auth = c.var.auth;
    if (!auth) return c.redirect("/sign-in", 303);
    const orgs = await listOrganizationsForUser(c.var.deps.kv, auth.user.id);
    return c.redirect(
      orgs.length ? `/organizations/${orgs[0].organization.slug}` : "/organizations/new",
      303,
    );
  },
});

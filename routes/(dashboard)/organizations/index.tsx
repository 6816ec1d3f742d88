/**
 * `/organizations`: the signed-in user's organizations with their role — the organization
 * switcher — and "New organization" (docs/dashboard.md "Organizations").
 */
import { define, page } from "../../../lib/framework/define.ts";
import { listOrganizationsForUser, type Role } from "../../../lib/accounts/organizations.ts";
import { Notice } from "../../../components/Form.tsx";

interface Data {
  organizations: Array<{ name: string; slug: string; role: Role }>;
  deleted: boolean;
}

export const handler = define.handlers<Data>({
  async GET(c) {
    const auth = c.var.auth;
    if (!auth) return c.redirect("/sign-in?next=/organizations", 303);
    const mine = await listOrganizationsForUser(c.var.deps.kv, auth.user.id);
    return page({
      organizations: mine.filter((m) => !m.organization.deletedAt)
        .map((m) => ({ name: m.organization.name, slug: m.organization.slug, role: m.role }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      deleted: c.req.query("deleted") === "1",
    }, { title: "Organizations" });
  },
});

export default define.page<Data>(function Organizations({ data }) {
  return (
    <section class="card narrow">
      <h1>Your organizations</h1>
      {data.deleted && (
        <Notice kind="success">
          The organization was deleted: its API keys no longer work; its data follows the retention
          rules.
        </Notice>
      )}
      {data.organizations.length === 0
        ? <p>You are not a member of any organization yet.</p>
        : (
          <ul class="org-list" data-testid="org-list">
            {data.organizations.map((o) => (
              <li key={o.slug}>
                <a href={`/organizations/${o.slug}`}>{o.name}</a>{" "}
                <span class="muted">({o.role})</span>
              </li>
            ))}
          </ul>
        )}
      <p>
        <a class="button" href="/organizations/new">New organization</a>
      </p>
    </section>
  );
});

/**
 * `/organizations/:slug/settings`: the organization's verification policy (admins and owners
 * change it; members read it), its name (admins and owners rename it) and, for owners, deleting
 * it after typing its slug (docs/dashboard.md "Organizations"; lib/accounts/org_admin.ts).
 */
import { define, page } from "../../../../lib/framework/define.ts";
import { roleAtLeast } from "../../../../lib/accounts/organizations.ts";
import {
  getVerificationPolicy,
  setVerificationPolicy,
  type VerificationPolicy,
} from "../../../../lib/accounts/verification_policy.ts";
import { CsrfField, Field, Notice } from "../../../../components/Form.tsx";
import {
  deleteOrganization,
  MAX_ORG_NAME,
  renameOrganization,
} from "../../../../lib/accounts/org_admin.ts";
import { OrgNav } from "../../../../components/OrgNav.tsx";
import { readForm } from "../../../../lib/http/forms.ts";

interface Data {
  policy: VerificationPolicy;
  error?: string;
  saved?: boolean;
  renamed?: boolean;
}

export const handler = define.handlers<Data>({
  async GET(c) {
    const policy = await getVerificationPolicy(c.var.deps.kv, c.var.org!.id);
    return page({
      policy,
      saved: c.req.query("saved") === "1",
      renamed: c.req.query("renamed") === "1",
    }, { title: "Settings" });
  },
  async POST(c) {
    const deps = c.var.deps;
    const org = c.var.org!;
    const refuse = async (error: string, status: 400 | 403) =>
      page({ policy: await getVerificationPolicy(deps.kv, org.id), error }, {
        status,
        title: "Settings",
      });
    if (!roleAtLeast(c.var.role!, "admin")) {
      return await refuse("Only admins and owners change the settings.", 403);
    }
    const form = await readForm(c);
    if (form.action === "rename") {
      const name = String(form.name ?? "").trim();
      if (!name || name.length > MAX_ORG_NAME) {
        return await refuse(
          `Give the organization a name of 1 to ${MAX_ORG_NAME} characters.`,
          400,
        );
      }
      await renameOrganization(deps, org.id, name);
      deps.logger.info("organization.renamed", { org_id: org.id });
      return c.redirect(`/organizations/${org.slug}/settings?renamed=1`, 303);
    }
    if (form.action === "delete") {
      if (c.var.role !== "owner") return await refuse("Only owners delete the organization.", 403);
      if (String(form.confirm ?? "").trim() !== org.slug) {
        return await refuse(`Type the organization's slug (${org.slug}) to delete it.`, 400);
      }
      await deleteOrganization(deps, org);
      return c.redirect("/organizations?deleted=1", 303);
    }
    await setVerificationPolicy(deps.kv, org.id, {
      allowWithoutAntiCloning: form.allow_without_anti_cloning === "on",
      by: c.var.auth!.user.id,
      at: deps.clock.now(),
    });
    deps.logger.info("verification_policy.changed", { org_id: org.id });
    return c.redirect(`/organizations/${org.slug}/settings?saved=1`, 303);
  },
});

export default define.page<Data>(function Settings({ data, state }) {
  const org = state.org!;
  const canWrite = roleAtLeast(state.role!, "admin");
  return (
    <>
      <OrgNav org={org} current="/settings" />
      <section class="card">
        <h1>Verification policy</h1>
        {data.error && <Notice kind="error">{data.error}</Notice>}
        {data.saved && <Notice kind="success">The policy was saved.</Notice>}
        <form method="post">
          <CsrfField state={state} />
          <label class="check">
            <input
              type="checkbox"
              name="allow_without_anti_cloning"
              checked={data.policy.allowWithoutAntiCloning}
              disabled={!canWrite}
            />{" "}
            Accept passports that prove neither Active nor Chip Authentication
          </label>
          <p>
            Older passports cannot prove that their chip is not a copy. When accepted, their
            attempts carry a higher <code>risk_score</code> (0.6 or more). Off by default.
          </p>
          {canWrite && <button type="submit">Save</button>}
        </form>
      </section>
      <section class="card">
        <h2>Organization</h2>
        {data.renamed && <Notice kind="success">The organization was renamed.</Notice>}
        {canWrite
          ? (
            <form method="post" class="stacked">
              <CsrfField state={state} />
              <input type="hidden" name="action" value="rename" />
              <Field label="Organization name" name="name" value={org.name} required />
              <button type="submit">Rename</button>
            </form>
          )
          : <p>{org.name}</p>}
        <p class="muted">
          Its address stays <code>/organizations/{org.slug}</code>.
        </p>
      </section>
      {state.role === "owner" && (
        <section class="card danger-zone" aria-labelledby="delete-heading">
          <h2 id="delete-heading">Delete this organization</h2>
          <p>Deleting {org.name} cannot be undone. At once:</p>
          <ul>
            <li>every API key stops working (live and test);</li>
            <li>
              every webhook endpoint and its keys are deleted, so no webhook is sent any more;
            </li>
            <li>open verification sessions are cancelled;</li>
            <li>all members lose access and the slug becomes free.</li>
          </ul>
          <p>
            The sessions and their attempts are then deleted by the retention rules: minimised 7
            days and deleted 30 days after they ended. Events and webhook deliveries follow the
            webhooks history retention.
          </p>
          <form method="post" class="stacked">
            <CsrfField state={state} />
            <input type="hidden" name="action" value="delete" />
            <Field
              label={`Type ${org.slug} to confirm`}
              name="confirm"
              required
              autocomplete="off"
            />
            <button type="submit" class="danger">Delete organization</button>
          </form>
        </section>
      )}
    </>
  );
});

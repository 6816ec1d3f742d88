/**
 * `/organizations/:slug/settings`: the organization's verification policy. Admins and owners
 * change it; members read it.
 */
import { define, page } from "../../../lib/framework/define.ts";
import { roleAtLeast } from "../../../lib/accounts/organizations.ts";
import {
  getVerificationPolicy,
  setVerificationPolicy,
  type VerificationPolicy,
} from "../../../lib/accounts/verification_policy.ts";
import { CsrfField, Notice } from "../../../components/Form.tsx";
import { OrgNav } from "../../../components/OrgNav.tsx";

interface Data {
  policy: VerificationPolicy;
  error?: string;
  saved?: boolean;
}

export const handler = define.handlers<Data>({
  async GET(c) {
    const policy = await getVerificationPolicy(c.var.deps.kv, c.var.org!.id);
    return page({ policy, saved: c.req.query("saved") === "1" }, { title: "Settings" });
  },
  async POST(c) {
    const deps = c.var.deps;
    const org = c.var.org!;
    if (!roleAtLeast(c.var.role!, "admin")) {
      const policy = await getVerificationPolicy(deps.kv, org.id);
      return page({ policy, error: "Only admins and owners change the policy." }, {
        status: 403,
        title: "Settings",
      });
    }
    const form = await c.req.parseBody();
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
    </>
  );
});

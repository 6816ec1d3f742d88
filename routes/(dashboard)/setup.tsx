/**
 * `/setup?token=…`: first run only — creates the first owner and organization. Both GET and POST
 * answer 404 once any user exists, whoever created it (docs/self-hosting.md).
 */
import { define, page } from "../../lib/framework/define.ts";
import { completeSetup, setupTokenValid } from "../../lib/accounts/setup.ts";
import { startDashboardSession } from "../../lib/accounts/dashboard_sessions.ts";
import { MIN_PASSWORD_LENGTH } from "../../lib/accounts/passwords.ts";
import { SLUG_PATTERN } from "../../lib/accounts/organizations.ts";
import { Field, Notice } from "../../components/Form.tsx";
import { readForm } from "../../lib/http/forms.ts";

interface Data {
  token: string;
  valid: boolean;
  error?: string;
  values?: Record<string, string>;
}

export const handler = define.handlers<Data>({
  async GET(c) {
    const token = c.req.query("token") ?? "";
    const valid = await setupTokenValid(c.var.deps, token);
    return page({ token, valid }, { status: valid ? 200 : 404, title: "Set up Kayle ID" });
  },
  async POST(c) {
    const deps = c.var.deps;
    const form = await readForm(c);
    const values = {
      email: String(form.email ?? "").trim(),
      orgName: String(form.org_name ?? "").trim(),
      orgSlug: String(form.org_slug ?? "").trim(),
    };
    const token = String(form.token ?? "");
    const password = String(form.password ?? "");
    if (!await setupTokenValid(deps, token)) {
      return page({ token, valid: false }, { status: 404, title: "Set up Kayle ID" });
    }
    const error = !/^[^@\s]+@[^@\s]+$/.test(values.email)
      ? "Enter a valid email address."
      : password.length < MIN_PASSWORD_LENGTH
      ? `The password needs at least ${MIN_PASSWORD_LENGTH} characters.`
      : !values.orgName || values.orgName.length > 120
      ? "The organization name needs 1 to 120 characters."
      : !SLUG_PATTERN.test(values.orgSlug)
      ? "The slug uses 2–48 lowercase letters, digits and dashes."
      : null;
    if (error) {
      return page({ token, valid: true, error, values }, { status: 400, title: "Set up Kayle ID" });
    }
    const result = await completeSetup(deps, { token, password, ...values });
    if (!result) return page({ token, valid: false }, { status: 404, title: "Set up Kayle ID" });
    deps.logger.info("setup.completed", {
      user_id: result.user.id,
      org_id: result.organization.id,
    });
    await startDashboardSession(c, deps, result.user.id);
    return c.redirect(`/organizations/${result.organization.slug}`, 303);
  },
});

export default define.page<Data>(function Setup({ data }) {
  if (!data.valid) {
    return (
      <section class="card narrow">
        <h1>Setup link not valid</h1>
        <p>
          This link was used or replaced. Restart the server to print a new one while no account
          exists, or <a href="/sign-in">sign in</a>.
        </p>
      </section>
    );
  }
  const v = data.values ?? {};
  return (
    <section class="card narrow">
      <h1>Create the owner account</h1>
      {data.error && <Notice kind="error">{data.error}</Notice>}
      <form method="post">
        <input type="hidden" name="token" value={data.token} />
        <Field
          label="Email"
          name="email"
          type="email"
          value={v.email}
          required
          autocomplete="username"
        />
        <Field
          label="Password"
          name="password"
          type="password"
          required
          autocomplete="new-password"
          hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
        />
        <Field label="Organization name" name="org_name" value={v.orgName} required />
        <Field
          label="Organization slug"
          name="org_slug"
          value={v.orgSlug}
          required
          pattern="[a-z0-9\-]{2,48}"
          hint="Used in dashboard addresses: /organizations/<slug>."
        />
        <button type="submit">Create account</button>
      </form>
    </section>
  );
});

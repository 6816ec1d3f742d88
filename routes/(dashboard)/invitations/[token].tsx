/**
 * `/invitations/:token`: accepts an invitation. Signed-in users join at once; others create an
 * account (email + password) that joins in the same step.
 */
import { define, page } from "../../../lib/framework/define.ts";
import { acceptInvitation, findInvitation } from "../../../lib/accounts/invitations.ts";
import { getOrganization } from "../../../lib/accounts/organizations.ts";
import { createUser, EmailTakenError } from "../../../lib/accounts/users.ts";
import { hashPassword, MIN_PASSWORD_LENGTH } from "../../../lib/accounts/passwords.ts";
import { startDashboardSession } from "../../../lib/accounts/dashboard_sessions.ts";
import { CsrfField, Field, Notice } from "../../../components/Form.tsx";
import { readForm } from "../../../lib/http/forms.ts";

interface Data {
  orgName?: string;
  role?: string;
  error?: string;
  /** What was typed, shown again with an error (never the password). */
  email?: string;
  signedIn: boolean;
}

export const handler = define.handlers<Data>({
  async GET(c) {
    const deps = c.var.deps;
    const invitation = await findInvitation(deps, c.req.param("token") ?? "");
    if (!invitation) return page({ signedIn: !!c.var.auth }, { status: 404, title: "Invitation" });
    const org = await getOrganization(deps.kv, invitation.orgId);
    return page({ orgName: org?.name, role: invitation.role, signedIn: !!c.var.auth }, {
      title: "Invitation",
    });
  },
  async POST(c) {
    const deps = c.var.deps;
    const token = c.req.param("token") ?? "";
    const invitation = await findInvitation(deps, token);
    if (!invitation) return page({ signedIn: !!c.var.auth }, { status: 404, title: "Invitation" });
    const org = await getOrganization(deps.kv, invitation.orgId);
    let userId = c.var.auth?.user.id;
    if (!userId) {
      const form = await readForm(c);
      const email = String(form.email ?? "").trim();
      const password = String(form.password ?? "");
      const again = (error: string, status = 400) =>
        page({ orgName: org?.name, role: invitation.role, signedIn: false, error, email }, {
          status,
          title: "Invitation",
        });
      if (!/^[^@\s]+@[^@\s]+$/.test(email)) return again("Enter a valid email address.");
      if (password.length < MIN_PASSWORD_LENGTH) {
        return again(`The password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
      }
      try {
        userId = (await createUser(
          deps.kv,
          { email, passwordHash: await hashPassword(password, deps.random) },
          deps.clock,
          deps.random,
        )).id;
      } catch (error) {
        if (error instanceof EmailTakenError) {
          return again("This email has an account: sign in first, then open the link again.", 409);
        }
        throw error;
      }
      await startDashboardSession(c, deps, userId);
    }
    const outcome = await acceptInvitation(deps, token, userId);
    if (outcome === "invalid") {
      return page({ signedIn: true }, { status: 404, title: "Invitation" });
    }
    return c.redirect(`/organizations/${org?.slug ?? ""}`, 303);
  },
});

export default define.page<Data>(function InvitationPage({ data, state }) {
  if (!data.orgName) {
    return (
      <section class="card narrow">
        <h1>Invitation not valid</h1>
        <p>This invitation was used, revoked or has expired. Ask an owner for a new link.</p>
      </section>
    );
  }
  return (
    <section class="card narrow">
      <h1>Join {data.orgName}</h1>
      <p>
        You are invited as <strong>{data.role}</strong>.
      </p>
      {data.error && <Notice kind="error">{data.error}</Notice>}
      <form method="post">
        {data.signedIn ? <CsrfField state={state} /> : (
          <>
            <Field
              label="Email"
              name="email"
              type="email"
              value={data.email}
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
          </>
        )}
        <button type="submit">{data.signedIn ? "Join" : "Create account and join"}</button>
      </form>
      {!data.signedIn && (
        <p>
          Already have an account?{" "}
          <a href={`/sign-in?next=${encodeURIComponent(state.auth ? "/" : "")}`}>Sign in</a>{" "}
          first, then open the link again.
        </p>
      )}
    </section>
  );
});

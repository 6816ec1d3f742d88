/**
 * `/account`: the signed-in user's passkeys — list (name, added, last used), add (island),
 * rename and remove (CSRF-checked form posts; another user's passkey is answered with 404) —,
 * changing the password (with the current one; other sessions end) and signing out of every
 * session (docs/dashboard.md "Account").
 */
import { type AppContext, define, page, type PageResult } from "../../../lib/framework/define.ts";
import {
  deletePasskey,
  listPasskeys,
  type Passkey,
  passkeysNeedDomain,
  relyingPartyOf,
  renamePasskey,
} from "../../../lib/accounts/passkeys.ts";
import { ActionButton, CsrfField, Field, Notice } from "../../../components/Form.tsx";
import {
  hashPassword,
  MIN_PASSWORD_LENGTH,
  verifyPassword,
} from "../../../lib/accounts/passwords.ts";
import { updateUserSecurity } from "../../../lib/accounts/users.ts";
import {
  endDashboardSession,
  startDashboardSession,
} from "../../../lib/accounts/dashboard_sessions.ts";
import PasskeyRegister from "../../../islands/PasskeyRegister.tsx";
import { readForm } from "../../../lib/http/forms.ts";
import { TableScroll } from "../../../components/TableScroll.tsx";

interface Data {
  passkeys: Passkey[];
  available: boolean;
  /** Why passkeys are unavailable, for this server's public URL. */
  passkeyHint: string;
  message?: string;
  error?: string;
}

async function load(c: AppContext, message?: string, error?: string): Promise<Data> {
  const deps = c.var.deps;
  return {
    passkeys: await listPasskeys(deps.kv, c.var.auth!.user.id),
    available: relyingPartyOf(deps.config.publicUrl) !== null,
    passkeyHint: passkeysNeedDomain(deps.config.publicUrl),
    message,
    error,
  };
}

/** Changes the password after checking the current one; ends the other sessions. */
async function changePassword(
  c: AppContext,
  form: Record<string, unknown>,
): Promise<Response | PageResult<Data>> {
  const deps = c.var.deps;
  const user = c.var.auth!.user;
  const fail = async (error: string, status: 400 | 401 | 429) =>
    page(await load(c, undefined, error), { status, title: "Account" });
  const limit = await deps.limiter.hit("password_change", user.id, 10, 60_000);
  if (!limit.allowed) return await fail("Too many attempts; wait a minute.", 429);
  if (!await verifyPassword(String(form.current_password ?? ""), user.passwordHash)) {
    return await fail("The current password is not right.", 401);
  }
  const next = String(form.new_password ?? "");
  if (next.length < MIN_PASSWORD_LENGTH) {
    return await fail(`The new password needs at least ${MIN_PASSWORD_LENGTH} characters.`, 400);
  }
  if (next !== String(form.confirm_password ?? "")) {
    return await fail("The two new passwords differ.", 400);
  }
  await updateUserSecurity(deps.kv, user.id, {
    passwordHash: await hashPassword(next),
    endSessions: true,
  });
  await startDashboardSession(c, deps, user.id);
  deps.logger.info("user.password_changed", { user_id: user.id });
  return c.redirect("/account?changed=1", 303);
}

export const handler = define.handlers<Data>({
  async GET(c) {
    const message = c.req.query("changed") === "1"
      ? "Your password was changed; every other session was signed out."
      : undefined;
    return page(await load(c, message), { title: "Account" });
  },
  async POST(c) {
    const deps = c.var.deps;
    const userId = c.var.auth!.user.id;
    const form = await readForm(c);
    const action = String(form.action ?? "");
    if (action === "change_password") return await changePassword(c, form);
    if (action === "sign_out_everywhere") {
      await updateUserSecurity(deps.kv, userId, { endSessions: true });
      await endDashboardSession(c, deps, c.var.auth);
      deps.logger.info("user.signed_out_everywhere", { user_id: userId });
      return c.redirect("/sign-in?signed_out=everywhere", 303);
    }
    const id = String(form.id ?? "").slice(0, 1400);
    let done = false;
    if (action === "remove") done = await deletePasskey(deps.kv, userId, id);
    else if (action === "rename") {
      done = await renamePasskey(deps.kv, userId, id, String(form.name ?? ""));
    } else return c.text("Unknown action.", 400);
    if (!done) return c.notFound();
    deps.logger.info(`passkey.${action === "remove" ? "removed" : "renamed"}`, {
      user_id: userId,
      passkey_id: id,
    });
    const message = action === "remove" ? "Passkey removed." : "Passkey renamed.";
    return page(await load(c, message), { title: "Account" });
  },
});

function when(iso: string | null): string {
  return iso ? iso.slice(0, 16).replace("T", " ") + " UTC" : "never";
}

export default define.page<Data>(function Account({ data, state }) {
  return (
    <section class="card">
      <h1>Account</h1>
      <p>Signed in as {state.auth?.user.email}.</p>
      {data.error && <Notice kind="error">{data.error}</Notice>}
      <h2>Password</h2>
      <form method="post" class="stacked" data-testid="change-password">
        <CsrfField state={state} />
        <input type="hidden" name="action" value="change_password" />
        <Field
          label="Current password"
          name="current_password"
          type="password"
          autocomplete="current-password"
          required
        />
        <Field
          label="New password"
          name="new_password"
          type="password"
          autocomplete="new-password"
          required
          hint={`At least ${MIN_PASSWORD_LENGTH} characters. Every other session is signed out.`}
        />
        <Field
          label="New password again"
          name="confirm_password"
          type="password"
          autocomplete="new-password"
          required
        />
        <button type="submit">Change password</button>
      </form>
      <h2>Sessions</h2>
      <p>Signs this browser and every other one out of the dashboard.</p>
      <ActionButton state={state} action="sign_out_everywhere" label="End every session" danger />
      <h2>Passkeys</h2>
      <p>
        Passkeys let you sign in with your device's screen lock or a security key instead of your
        password.
      </p>
      {data.message && <Notice kind="success">{data.message}</Notice>}
      {!data.available && <Notice kind="info">{data.passkeyHint}</Notice>}
      {data.passkeys.length
        ? <PasskeyTable passkeys={data.passkeys} state={state} />
        : <p data-testid="no-passkeys">No passkeys yet.</p>}
      {data.available && (
        <>
          <h3>Add a passkey</h3>
          <PasskeyRegister csrfToken={state.auth?.csrfToken ?? ""} />
        </>
      )}
    </section>
  );
});

function PasskeyTable(
  props: { passkeys: Passkey[]; state: Parameters<typeof CsrfField>[0]["state"] },
) {
  return (
    <TableScroll label="Passkeys">
      <table data-testid="passkeys">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Added</th>
            <th scope="col">Last used</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {props.passkeys.map((p) => (
            <tr key={p.id}>
              <td>
                <form method="post" class="inline">
                  <CsrfField state={props.state} />
                  <input type="hidden" name="action" value="rename" />
                  <input type="hidden" name="id" value={p.id} />
                  <input
                    name="name"
                    value={p.name}
                    maxLength={64}
                    aria-label={`Name of ${p.name}`}
                  />
                  <button type="submit" class="secondary">Rename</button>
                </form>
              </td>
              <td>{when(p.createdAt)}</td>
              <td>{when(p.lastUsedAt)}</td>
              <td>
                <ActionButton
                  state={props.state}
                  action="remove"
                  label="Remove"
                  fields={{ id: p.id }}
                  danger
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

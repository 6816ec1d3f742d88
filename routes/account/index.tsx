/**
 * `/account`: the signed-in user's passkeys — list (name, added, last used), add (island),
 * rename and remove (CSRF-checked form posts). Another user's passkey is answered with 404.
 */
import { type AppContext, define, page } from "../../lib/framework/define.ts";
import {
  deletePasskey,
  listPasskeys,
  type Passkey,
  PASSKEYS_NEED_DOMAIN,
  relyingPartyOf,
  renamePasskey,
} from "../../lib/accounts/passkeys.ts";
import { ActionButton, CsrfField, Notice } from "../../components/Form.tsx";
import PasskeyRegister from "../../islands/PasskeyRegister.tsx";

interface Data {
  passkeys: Passkey[];
  available: boolean;
  message?: string;
}

async function load(c: AppContext, message?: string): Promise<Data> {
  const deps = c.var.deps;
  return {
    passkeys: await listPasskeys(deps.kv, c.var.auth!.user.id),
    available: relyingPartyOf(deps.config.publicUrl) !== null,
    message,
  };
}

export const handler = define.handlers<Data>({
  async GET(c) {
    return page(await load(c), { title: "Account" });
  },
  async POST(c) {
    const deps = c.var.deps;
    const userId = c.var.auth!.user.id;
    const form = await c.req.parseBody();
    const action = String(form.action ?? "");
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
      <h2>Passkeys</h2>
      <p>
        Passkeys let you sign in with your device's screen lock or a security key instead of your
        password.
      </p>
      {data.message && <Notice kind="success">{data.message}</Notice>}
      {!data.available && <Notice kind="info">{PASSKEYS_NEED_DOMAIN}</Notice>}
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
                <input name="name" value={p.name} maxLength={64} aria-label={`Name of ${p.name}`} />
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
  );
}

/**
 * `/organizations/:slug/api-keys`: create (name, scopes, mode; plaintext shown once), list with
 * last use and request count, disable, enable, delete. Admins and owners write; members read.
 */
import { type AppContext, define, page } from "../../../../lib/framework/define.ts";
import {
  type ApiKeyRecord,
  createApiKey,
  deleteApiKey,
  type KeyMode,
  listApiKeys,
  type Scope,
  SCOPES,
  setApiKeyStatus,
} from "../../../../lib/api_keys/api_keys.ts";
import { type ApiKeyUsage, getApiKeyUsage } from "../../../../lib/api_keys/usage.ts";
import { roleAtLeast } from "../../../../lib/accounts/organizations.ts";
import { ActionButton, CsrfField, Field, Notice } from "../../../../components/Form.tsx";
import { OrgNav } from "../../../../components/OrgNav.tsx";
import SecretReveal from "../../../../islands/SecretReveal.tsx";
import { readForm } from "../../../../lib/http/forms.ts";
import { TableScroll } from "../../../../components/TableScroll.tsx";

interface Row {
  key: ApiKeyRecord;
  usage: ApiKeyUsage;
}

interface Data {
  rows: Row[];
  created?: { name: string; secret: string };
  error?: string;
  message?: string;
}

async function load(c: AppContext): Promise<Row[]> {
  const deps = c.var.deps;
  await deps.usage.flush();
  const keys = await listApiKeys(deps.kv, c.var.org!.id);
  return await Promise.all(
    keys.map(async (key) => ({ key, usage: await getApiKeyUsage(deps.kv, key.id) })),
  );
}

export const handler = define.handlers<Data>({
  async GET(c) {
    return page({ rows: await load(c) }, { title: "API keys" });
  },
  async POST(c) {
    const deps = c.var.deps;
    const org = c.var.org!;
    if (!roleAtLeast(c.var.role!, "admin")) {
      return page({ rows: await load(c), error: "Only admins and owners can change API keys." }, {
        status: 403,
      });
    }
    const form = await readForm(c, { all: true });
    const action = String(form.action ?? "");
    if (action === "create") {
      const name = String(form.name ?? "").trim();
      const scopes = ([] as unknown[]).concat(form.scopes ?? []).map(String)
        .filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
      const mode = String(form.mode ?? "") as KeyMode;
      const error = !name || name.length > 120
        ? "Give the key a name of 1 to 120 characters."
        : scopes.length === 0
        ? "Choose at least one scope."
        : mode !== "live" && mode !== "test"
        ? "Choose live or test mode."
        : null;
      if (error) return page({ rows: await load(c), error }, { status: 400, title: "API keys" });
      const { key, secret } = await createApiKey(deps, {
        orgId: org.id,
        name,
        scopes,
        mode,
        createdBy: c.var.auth!.user.id,
      });
      deps.logger.info("api_key.created", { org_id: org.id, api_key_id: key.id, mode });
      return page({ rows: await load(c), created: { name, secret } }, {
        title: "API keys",
        headers: { "Cache-Control": "no-store" },
      });
    }
    const id = String(form.key_id ?? "");
    const done = action === "disable"
      ? await setApiKeyStatus(deps.kv, org.id, id, "disabled")
      : action === "enable"
      ? await setApiKeyStatus(deps.kv, org.id, id, "active")
      : action === "delete"
      ? await deleteApiKey(deps.kv, org.id, id)
      : null;
    if (!done) {
      return page({ rows: await load(c), error: "No such key or action." }, { status: 404 });
    }
    deps.logger.info(`api_key.${action}d`, { org_id: org.id, api_key_id: id });
    return c.redirect(`/organizations/${org.slug}/api-keys`, 303);
  },
});

export default define.page<Data>(function ApiKeys({ data, state }) {
  const org = state.org!;
  const canWrite = roleAtLeast(state.role!, "admin");
  return (
    <>
      <OrgNav org={org} current="/api-keys" />
      <section class="card">
        <h1>API keys</h1>
        {data.error && <Notice kind="error">{data.error}</Notice>}
        {data.created && (
          <SecretReveal secret={data.created.secret} label={`API key “${data.created.name}”`} />
        )}
        <TableScroll label="API keys">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Mode</th>
                <th>Scopes</th>
                <th>Key</th>
                <th>Status</th>
                <th>Last used</th>
                <th>Requests</th>
                {canWrite && <th>Actions</th>}
              </tr>
            </thead>
            <tbody>
              {data.rows.length === 0 && (
                <tr>
                  <td colSpan={8}>No API keys yet.</td>
                </tr>
              )}
              {data.rows.map(({ key, usage }) => (
                <tr data-key-id={key.id}>
                  <td>{key.name}</td>
                  <td>
                    <span class={`badge badge-${key.mode}`}>{key.mode}</span>
                  </td>
                  <td>{key.scopes.join(", ")}</td>
                  <td>
                    <code>kk_{key.mode}_…{key.lastFour}</code>
                  </td>
                  <td>{key.status}</td>
                  <td>
                    {usage.lastUsedAt
                      ? new Date(usage.lastUsedAt).toISOString().replace("T", " ").slice(0, 16) +
                        " UTC"
                      : "never"}
                  </td>
                  <td>{usage.requestCount}</td>
                  {canWrite && (
                    <td>
                      {key.status === "active"
                        ? (
                          <ActionButton
                            state={state}
                            action="disable"
                            label="Disable"
                            fields={{ key_id: key.id }}
                          />
                        )
                        : (
                          <ActionButton
                            state={state}
                            action="enable"
                            label="Enable"
                            fields={{ key_id: key.id }}
                          />
                        )}
                      <ActionButton
                        state={state}
                        action="delete"
                        label="Delete"
                        danger
                        fields={{ key_id: key.id }}
                      />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </section>
      {canWrite && (
        <section class="card">
          <h2>Create an API key</h2>
          <form method="post">
            <CsrfField state={state} />
            <input type="hidden" name="action" value="create" />
            <Field label="Name" name="name" required />
            <fieldset>
              <legend>Scopes (a write scope includes its read)</legend>
              {SCOPES.map((scope) => (
                <label class="check">
                  <input type="checkbox" name="scopes" value={scope} /> {scope}
                </label>
              ))}
            </fieldset>
            <fieldset>
              <legend>Mode</legend>
              <label class="check">
                <input type="radio" name="mode" value="test" checked />{" "}
                test (sandbox documents only)
              </label>
              <label class="check">
                <input type="radio" name="mode" value="live" /> live
              </label>
            </fieldset>
            <button type="submit">Create API key</button>
          </form>
        </section>
      )}
    </>
  );
});

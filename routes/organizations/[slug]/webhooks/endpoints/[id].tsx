/**
 * `/organizations/:slug/webhooks/endpoints/:id`: one endpoint — its encryption keys (register a
 * public JWK; deactivate, reactivate), its name and URL, and revealing the signing secret, which
 * only owners may do (docs/accounts.md).
 */
import { detailScope } from "../../../../../lib/accounts/dashboard_mode.ts";
import { type AppContext, define, page } from "../../../../../lib/framework/define.ts";
import { roleAtLeast } from "../../../../../lib/accounts/organizations.ts";
import { ActionButton, CsrfField, Field, Notice } from "../../../../../components/Form.tsx";
import { OrgNav } from "../../../../../components/OrgNav.tsx";
import SecretReveal from "../../../../../islands/SecretReveal.tsx";
import {
  getEndpointEntry,
  revealSigningSecret,
  updateEndpoint,
} from "../../../../../webhooks/endpoints.ts";
import {
  addEncryptionKey,
  listEncryptionKeys,
  setEncryptionKeyStatus,
  validatePublicJwk,
} from "../../../../../webhooks/encryption_keys.ts";
import type { EncryptionKeyRecord, EndpointRecord } from "../../../../../webhooks/model.ts";
import { checkWebhookUrl } from "../../../../../webhooks/url_safety.ts";
import { WebhooksNav, when } from "../../../../../webhooks/dashboard_parts.tsx";

interface Data {
  endpoint: EndpointRecord;
  keys: EncryptionKeyRecord[];
  secret?: string;
  error?: string;
  message?: string;
}

async function load(c: AppContext, extra: Partial<Data> = {}): Promise<Data | null> {
  const entry = await getEndpointEntry(c.var.deps.kv, detailScope(c), c.req.param("id") ?? "");
  if (!entry) return null;
  return {
    endpoint: entry.value,
    keys: await listEncryptionKeys(c.var.deps.kv, entry.value.id),
    ...extra,
  };
}

async function act(
  c: AppContext,
  action: string,
  form: Record<string, unknown>,
): Promise<Partial<Data>> {
  const deps = c.var.deps;
  const org = c.var.org!;
  const entry = (await getEndpointEntry(deps.kv, detailScope(c), c.req.param("id") ?? ""))!;
  if (action === "reveal") {
    if (c.var.role !== "owner") return { error: "Only owners can reveal the signing secret." };
    deps.logger.info("webhook_endpoint.secret_revealed", { endpoint_id: entry.value.id });
    return { secret: await revealSigningSecret(deps, entry.value) };
  }
  if (action === "add_key") {
    let jwk: unknown;
    try {
      jwk = JSON.parse(String(form.jwk ?? ""));
    } catch {
      return { error: "The key must be a JSON Web Key (JSON)." };
    }
    const checked = await validatePublicJwk(jwk);
    if (!checked.ok) return { error: `${checked.problem.message} (${checked.problem.code})` };
    const key = await addEncryptionKey(deps, entry, checked);
    return key
      ? { message: `Key ${key.id} is now the active key.` }
      : { error: "The endpoint changed meanwhile; retry." };
  }
  if (action === "deactivate" || action === "reactivate") {
    const key = await setEncryptionKeyStatus(
      deps,
      org.id,
      String(form.key_id ?? ""),
      action === "reactivate" ? "active" : "inactive",
    );
    return key?.endpointId === entry.value.id
      ? { message: `Key ${key.id} is ${key.status}.` }
      : { error: "No such key." };
  }
  if (action === "update") {
    const name = String(form.name ?? "").trim();
    const url = String(form.url ?? "").trim();
    const check = checkWebhookUrl(url, deps.config.devMode);
    if (!name || name.length > 120) {
      return { error: "Give the endpoint a name of 1 to 120 characters." };
    }
    if (!check.ok) return { error: check.message };
    await updateEndpoint(deps, detailScope(c), entry.value.id, {
      name,
      url: check.ok ? check.url.href : url,
    });
    return { message: "Saved." };
  }
  return { error: "Unknown action." };
}

export const handler = define.handlers<Data>({
  async GET(c) {
    const data = await load(c);
    return data ? page(data, { title: data.endpoint.name }) : c.notFound();
  },
  async POST(c) {
    if (!await load(c)) return c.notFound();
    if (!roleAtLeast(c.var.role!, "admin")) {
      return page((await load(c, { error: "Only admins and owners can change webhooks." }))!, {
        status: 403,
      });
    }
    const form = await c.req.parseBody();
    const result = await act(c, String(form.action ?? ""), form);
    const status = result.error ? (result.error.startsWith("Only owners") ? 403 : 400) : 200;
    return page((await load(c, result))!, { status, headers: { "Cache-Control": "no-store" } });
  },
});

export default define.page<Data>(function EndpointPage({ data, state }) {
  const org = state.org!;
  const e = data.endpoint;
  const canWrite = roleAtLeast(state.role!, "admin");
  return (
    <>
      <OrgNav org={org} current="/webhooks" />
      <section class="card">
        <h1>{e.name}</h1>
        <WebhooksNav org={org} current="" />
        {data.error && <Notice kind="error">{data.error}</Notice>}
        {data.message && <Notice kind="success">{data.message}</Notice>}
        {data.secret && (
          <SecretReveal secret={data.secret} label={`Signing secret of “${e.name}”`} />
        )}
        <p>
          <code>{e.id}</code> · {e.mode} · {e.enabled ? "enabled" : "disabled"}{" "}
          · keeps undelivered payloads {e.retentionHours} h
        </p>
        <p>Events: {e.subscribedEventTypes.join(", ")}</p>
        <p>
          <a href={`/organizations/${org.slug}/webhooks/deliveries?endpoint_id=${e.id}`}>
            Deliveries of this endpoint
          </a>
        </p>
        {state.role === "owner" && (
          <ActionButton state={state} action="reveal" label="Reveal signing secret" />
        )}
      </section>
      <section class="card">
        <h2>Encryption keys</h2>
        <table>
          <thead>
            <tr>
              <th>Key id</th>
              <th>Status</th>
              <th>Bits</th>
              <th>Added</th>
              {canWrite && <th>Actions</th>}
            </tr>
          </thead>
          <tbody>
            {data.keys.length === 0 && (
              <tr>
                <td colSpan={5}>No key: deliveries fail with no_active_key until you add one.</td>
              </tr>
            )}
            {data.keys.map((k) => (
              <tr key={k.id} data-key-id={k.id}>
                <td>
                  <code>{k.id}</code>
                </td>
                <td>{k.status}</td>
                <td>{k.modulusBits}</td>
                <td>{when(k.createdAt)}</td>
                {canWrite && (
                  <td>
                    {k.status === "active"
                      ? (
                        <ActionButton
                          state={state}
                          action="deactivate"
                          label="Deactivate"
                          fields={{ key_id: k.id }}
                        />
                      )
                      : (
                        <ActionButton
                          state={state}
                          action="reactivate"
                          label="Reactivate"
                          fields={{ key_id: k.id }}
                        />
                      )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
        {canWrite && (
          <form method="post">
            <CsrfField state={state} />
            <input type="hidden" name="action" value="add_key" />
            <label for="jwk">Public key (RSA JWK, ≥ 2048 bits, RSA-OAEP-256)</label>
            <textarea id="jwk" name="jwk" rows={6} required></textarea>
            <button type="submit">Add key (becomes the active key)</button>
          </form>
        )}
      </section>
      {canWrite && (
        <section class="card">
          <h2>Edit</h2>
          <form method="post">
            <CsrfField state={state} />
            <input type="hidden" name="action" value="update" />
            <Field label="Name" name="name" value={e.name} required />
            <Field label="URL" name="url" type="url" value={e.url} required />
            <button type="submit">Save</button>
          </form>
        </section>
      )}
    </>
  );
});

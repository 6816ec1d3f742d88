/**
 * `/organizations/:slug/webhooks/endpoints/:id`: one endpoint — its encryption keys (register a
 * public JWK; deactivate, reactivate), its name and URL, and revealing the signing secret, which
 * only owners may do (docs/accounts.md).
 */
import { detailScope } from "../../../../../../lib/accounts/dashboard_mode.ts";
import { type AppContext, define, page } from "../../../../../../lib/framework/define.ts";
import { roleAtLeast } from "../../../../../../lib/accounts/organizations.ts";
import { ActionButton, CsrfField, Field, Notice } from "../../../../../../components/Form.tsx";
import { OrgNav } from "../../../../../../components/OrgNav.tsx";
import SecretReveal from "../../../../../../islands/SecretReveal.tsx";
import {
  getEndpointEntry,
  revealSigningSecret,
  updateEndpoint,
} from "../../../../../../webhooks/endpoints.ts";
import {
  addEncryptionKey,
  KEY_ID_PATTERN,
  listEncryptionKeys,
  setEncryptionKeyStatus,
  validatePublicJwk,
} from "../../../../../../webhooks/encryption_keys.ts";
import {
  type EncryptionKeyRecord,
  type EndpointRecord,
  RETENTION_HOURS,
  type RetentionHours,
} from "../../../../../../webhooks/model.ts";
import { checkWebhookUrl } from "../../../../../../webhooks/url_safety.ts";
import { sendTestEvent } from "../../../../../../webhooks/test_event.ts";
import { REVEAL_NOTE, WebhooksNav, when } from "../../../../../../webhooks/dashboard_parts.tsx";
import { readForm } from "../../../../../../lib/http/forms.ts";
import { TableScroll } from "../../../../../../components/TableScroll.tsx";

interface Data {
  endpoint: EndpointRecord;
  keys: EncryptionKeyRecord[];
  secret?: string;
  error?: string;
  message?: string;
  /** The delivery of a test event just sent. */
  testDeliveryId?: string;
  /** The edit form as submitted, shown again with its error. */
  edited?: { name: string; url: string };
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
  if (action === "test_event") {
    const sent = await sendTestEvent(deps, entry);
    if (sent === "endpoint_disabled") {
      return { error: "Enable the endpoint to send it a test event." };
    }
    if (sent === "changed") return { error: "The endpoint changed meanwhile; retry." };
    deps.logger.info("webhook_endpoint.test_event", {
      endpoint_id: entry.value.id,
      delivery_id: sent.delivery.id,
    });
    return {
      message: sent.delivery.status === "failed"
        ? `Test event recorded as delivery ${sent.delivery.id}, failed: no active encryption key.`
        : `Test event sent: delivery ${sent.delivery.id}.`,
      testDeliveryId: sent.delivery.id,
    };
  }
  if (action === "add_key") {
    let jwk: unknown;
    try {
      jwk = JSON.parse(String(form.jwk ?? ""));
    } catch {
      return { error: "The key must be a JSON Web Key (JSON)." };
    }
    const keyId = String(form.kid ?? "").trim() || undefined;
    if (keyId !== undefined && !KEY_ID_PATTERN.test(keyId)) {
      return { error: "A key id has 1 to 128 characters of A–Z a–z 0–9 . _ : -" };
    }
    const checked = await validatePublicJwk(jwk);
    if (!checked.ok) return { error: `${checked.problem.message} (${checked.problem.code})` };
    const key = await addEncryptionKey(deps, entry, checked, keyId);
    if (key === "duplicate_key_id") {
      return { error: `Another key of this endpoint already has the key id ${keyId}.` };
    }
    return key === "changed"
      ? { error: "The endpoint changed meanwhile; retry." }
      : { message: `Key ${key.jwk.kid} is now the active key.` };
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
    const edited = { name, url };
    if (!name || name.length > 120) {
      return { error: "Give the endpoint a name of 1 to 120 characters.", edited };
    }
    if (!check.ok) return { error: check.message, edited };
    const kept = Number(form.delivered_retention ?? entry.value.deliveredRetentionHours ?? 0);
    if (!(RETENTION_HOURS as readonly number[]).includes(kept)) {
      return { error: "Keep delivered payloads for 0, 24, 72 or 168 hours.", edited };
    }
    await updateEndpoint(deps, detailScope(c), entry.value.id, {
      name,
      url: check.ok ? check.url.href : url,
      deliveredRetentionHours: kept as RetentionHours,
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
    const form = await readForm(c);
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
          <SecretReveal
            secret={data.secret}
            label={`Signing secret of “${e.name}”`}
            note={REVEAL_NOTE}
          />
        )}
        <p>
          <code>{e.id}</code> · {e.mode} · {e.enabled ? "enabled" : "disabled"}{" "}
          · keeps undelivered payloads {e.retentionHours} h · keeps delivered payloads{" "}
          {e.deliveredRetentionHours ?? 0} h
        </p>
        <p>Events: {e.subscribedEventTypes.join(", ")}</p>
        <p>
          <a href={`/organizations/${org.slug}/webhooks/deliveries?endpoint_id=${e.id}`}>
            Deliveries of this endpoint
          </a>
        </p>
        {data.testDeliveryId && (
          <p>
            <a
              href={`/organizations/${org.slug}/webhooks/deliveries/${data.testDeliveryId}`}
              data-testid="test-delivery-link"
            >
              See the test delivery
            </a>
          </p>
        )}
        <div class="row">
          {canWrite && e.enabled && (
            <ActionButton state={state} action="test_event" label="Send test event" />
          )}
          {state.role === "owner" && (
            <ActionButton state={state} action="reveal" label="Reveal signing secret" />
          )}
        </div>
      </section>
      <section class="card">
        <h2>Encryption keys</h2>
        <TableScroll label="Encryption keys">
          <table>
            <thead>
              <tr>
                <th>Key id (JWE kid)</th>
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
                    <code>{k.jwk.kid}</code>
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
        </TableScroll>
        {canWrite && (
          <form method="post" class="stacked" data-testid="add-key-form">
            <h3>Add a key</h3>
            <CsrfField state={state} />
            <input type="hidden" name="action" value="add_key" />
            <div class="field">
              <label for="jwk">Public key (RSA JWK, ≥ 2048 bits, RSA-OAEP-256)</label>
              <textarea
                id="jwk"
                name="jwk"
                rows={6}
                required
                spellcheck={false}
                aria-describedby="jwk-hint"
              >
              </textarea>
              <small id="jwk-hint">
                The public key only, as JSON: {'{"kty":"RSA","n":"…","e":"AQAB"}'}
              </small>
            </div>
            <Field
              label="Key id (optional)"
              name="kid"
              pattern="[A-Za-z0-9._:\-]{1,128}"
              hint="Your own id, sent as the JWE kid (1–128 of A–Z a–z 0–9 . _ : -). Empty: a generated whk_ id."
            />
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
            <Field label="Name" name="name" value={data.edited?.name ?? e.name} required />
            <Field label="URL" name="url" type="url" value={data.edited?.url ?? e.url} required />
            <div class="field">
              <label for="delivered_retention">Keep delivered payloads for a replay</label>
              <select
                id="delivered_retention"
                name="delivered_retention"
                aria-describedby="delivered_retention-hint"
              >
                {RETENTION_HOURS.map((h) => (
                  <option
                    key={h}
                    value={String(h)}
                    selected={h === (e.deliveredRetentionHours ?? 0)}
                  >
                    {h === 0 ? "0 hours (scrub on success)" : `${h} hours`}
                  </option>
                ))}
              </select>
              <small id="delivered_retention-hint">
                A delivered payload (encrypted) can be replayed while it is kept.
              </small>
            </div>
            <button type="submit">Save</button>
          </form>
        </section>
      )}
    </>
  );
});

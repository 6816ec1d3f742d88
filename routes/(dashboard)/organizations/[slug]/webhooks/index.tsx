/**
 * `/organizations/:slug/webhooks`: the organization's endpoints of the dashboard's mode — create one (its
 * signing secret is shown now; owners can reveal it again), enable or disable, rotate the secret (the new one shown once),
 * delete. Admins and owners write; members read.
 */
import { detailScope, viewScope } from "../../../../../lib/accounts/dashboard_mode.ts";
import { type AppContext, define, page } from "../../../../../lib/framework/define.ts";
import { roleAtLeast } from "../../../../../lib/accounts/organizations.ts";
import { EVENT_TYPES, type EventType } from "../../../../../lib/events/events.ts";
import { ActionButton, CsrfField, Field, Notice } from "../../../../../components/Form.tsx";
import { OrgNav } from "../../../../../components/OrgNav.tsx";
import SecretReveal from "../../../../../islands/SecretReveal.tsx";
import {
  createEndpoint,
  deleteEndpoint,
  listEndpoints,
  rotateSigningSecret,
  updateEndpoint,
} from "../../../../../webhooks/endpoints.ts";
import {
  type EndpointRecord,
  RETENTION_HOURS,
  type RetentionHours,
} from "../../../../../webhooks/model.ts";
import { checkWebhookUrl } from "../../../../../webhooks/url_safety.ts";
import { REVEAL_NOTE, WebhooksNav, when } from "../../../../../webhooks/dashboard_parts.tsx";
import { readForm } from "../../../../../lib/http/forms.ts";
import { TableScroll } from "../../../../../components/TableScroll.tsx";

interface Data {
  endpoints: EndpointRecord[];
  secret?: { label: string; value: string };
  error?: string;
  /** The new endpoint's form as submitted, shown again with its error. */
  submitted?: {
    name: string;
    url: string;
    mode: "test" | "live";
    types: string[];
    retention: number;
  };
}

const load = (c: AppContext) => listEndpoints(c.var.deps.kv, viewScope(c));

async function create(
  c: AppContext,
  form: Record<string, string | File | (string | File)[]>,
): Promise<Data> {
  const deps = c.var.deps;
  const name = String(form.name ?? "").trim();
  const url = String(form.url ?? "").trim();
  const mode: "test" | "live" = form.mode === "live" ? "live" : "test";
  const types = ([] as unknown[]).concat(form.event_types ?? []).map(String)
    .filter((t): t is EventType => (EVENT_TYPES as readonly string[]).includes(t));
  const retention = Number(form.retention ?? 72) as RetentionHours;
  const urlCheck = checkWebhookUrl(url, deps.config.devMode);
  const error = !name || name.length > 120
    ? "Give the endpoint a name of 1 to 120 characters."
    : !urlCheck.ok
    ? urlCheck.message
    : types.length === 0
    ? "Choose at least one event type."
    : !RETENTION_HOURS.includes(retention)
    ? "Choose a retention of 0, 24, 72 or 168 hours."
    : null;
  if (error) {
    return { endpoints: await load(c), error, submitted: { name, url, mode, types, retention } };
  }
  const { endpoint, signingSecret } = await createEndpoint(deps, c.var.org!.id, mode, {
    name,
    url: urlCheck.ok ? urlCheck.url.href : url,
    subscribedEventTypes: types,
    retentionHours: retention,
  });
  deps.logger.info("webhook_endpoint.created", {
    org_id: c.var.org!.id,
    endpoint_id: endpoint.id,
    mode,
  });
  return {
    endpoints: await load(c),
    secret: { label: `Signing secret of “${name}”`, value: signingSecret },
  };
}

export const handler = define.handlers<Data>({
  async GET(c) {
    return page({ endpoints: await load(c) }, { title: "Webhooks" });
  },
  async POST(c) {
    const deps = c.var.deps;
    const org = c.var.org!;
    if (!roleAtLeast(c.var.role!, "admin")) {
      return page({
        endpoints: await load(c),
        error: "Only admins and owners can change webhooks.",
      }, { status: 403 });
    }
    const form = await readForm(c, { all: true });
    const action = String(form.action ?? "");
    const noStore = { title: "Webhooks", headers: { "Cache-Control": "no-store" } };
    if (action === "create") {
      const data = await create(c, form);
      return page(data, { ...noStore, status: data.error ? 400 : 200 });
    }
    const id = String(form.endpoint_id ?? "");
    if (action === "rotate") {
      const rotated = await rotateSigningSecret(deps, detailScope(c), id);
      if (rotated) {
        const secret = {
          label: `New signing secret of “${rotated.endpoint.name}” (the old one signs 24 h more)`,
          value: rotated.signingSecret,
        };
        return page({ endpoints: await load(c), secret }, noStore);
      }
    }
    const done = action === "enable" || action === "disable"
      ? await updateEndpoint(deps, detailScope(c), id, { enabled: action === "enable" })
      : action === "delete"
      ? await deleteEndpoint(deps.kv, detailScope(c), id)
      : null;
    if (!done) {
      return page({ endpoints: await load(c), error: "No such endpoint or action." }, {
        status: 404,
      });
    }
    return c.redirect(`/organizations/${org.slug}/webhooks`, 303);
  },
});

export default define.page<Data>(function Webhooks({ data, state }) {
  const org = state.org!;
  const canWrite = roleAtLeast(state.role!, "admin");
  const typed = data.submitted;
  const mode = typed?.mode ?? (state.dashboardMode === "live" ? "live" : "test");
  return (
    <>
      <OrgNav org={org} current="/webhooks" />
      <section class="card">
        <h1>Webhooks</h1>
        <WebhooksNav org={org} current="" />
        {data.error && <Notice kind="error">{data.error}</Notice>}
        {data.secret && (
          <SecretReveal secret={data.secret.value} label={data.secret.label} note={REVEAL_NOTE} />
        )}
        <TableScroll label="Webhooks">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Mode</th>
                <th>URL</th>
                <th>Status</th>
                <th>Encryption key</th>
                <th>Created</th>
                {canWrite && <th>Actions</th>}
              </tr>
            </thead>
            <tbody>
              {data.endpoints.length === 0 && (
                <tr>
                  <td colSpan={7}>No endpoints yet.</td>
                </tr>
              )}
              {data.endpoints.map((e) => (
                <tr key={e.id} data-endpoint-id={e.id}>
                  <td>
                    <a href={`/organizations/${org.slug}/webhooks/endpoints/${e.id}`}>{e.name}</a>
                  </td>
                  <td>
                    <span class={`badge badge-${e.mode}`}>{e.mode}</span>
                  </td>
                  <td>
                    <code>{e.url}</code>
                  </td>
                  <td>{e.enabled ? "enabled" : "disabled"}</td>
                  <td>
                    {e.activeKeyId
                      ? <code>{e.activeKeyId}</code>
                      : "none — deliveries fail (no_active_key)"}
                  </td>
                  <td>{when(e.createdAt)}</td>
                  {canWrite && (
                    <td>
                      <ActionButton
                        state={state}
                        action={e.enabled ? "disable" : "enable"}
                        label={e.enabled ? "Disable" : "Enable"}
                        fields={{ endpoint_id: e.id }}
                      />
                      <ActionButton
                        state={state}
                        action="rotate"
                        label="Rotate secret"
                        fields={{ endpoint_id: e.id }}
                      />
                      <ActionButton
                        state={state}
                        action="delete"
                        label="Delete"
                        danger
                        fields={{ endpoint_id: e.id }}
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
          <h2>Add an endpoint</h2>
          <form method="post">
            <CsrfField state={state} />
            <input type="hidden" name="action" value="create" />
            <Field label="Name" name="name" value={typed?.name} required />
            <Field label="URL (https)" name="url" type="url" value={typed?.url} required />
            <fieldset>
              <legend>Mode (an endpoint receives the events of its mode only)</legend>
              <label class="check">
                <input
                  type="radio"
                  name="mode"
                  value="test"
                  checked={mode === "test"}
                />{" "}
                test
              </label>
              <label class="check">
                <input
                  type="radio"
                  name="mode"
                  value="live"
                  checked={mode === "live"}
                />{" "}
                live
              </label>
            </fieldset>
            <fieldset>
              <legend>Events</legend>
              {EVENT_TYPES.map((t) => (
                <label key={t} class="check">
                  <input
                    type="checkbox"
                    name="event_types"
                    value={t}
                    checked={!typed || typed.types.includes(t)}
                  />{" "}
                  {t}
                </label>
              ))}
            </fieldset>
            <label for="retention">Keep undelivered payloads for</label>
            <select id="retention" name="retention">
              {RETENTION_HOURS.map((h) => (
                <option key={h} value={String(h)} selected={h === (typed?.retention ?? 72)}>
                  {h} hours
                </option>
              ))}
            </select>
            <button type="submit">Add endpoint</button>
          </form>
        </section>
      )}
    </>
  );
});

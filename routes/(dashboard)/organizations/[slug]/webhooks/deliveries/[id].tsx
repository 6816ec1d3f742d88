/** `/organizations/:slug/webhooks/deliveries/:id`: one delivery with every try, and a retry button. */
import { detailScope } from "../../../../../../lib/accounts/dashboard_mode.ts";
import { type AppContext, define, page } from "../../../../../../lib/framework/define.ts";
import { roleAtLeast } from "../../../../../../lib/accounts/organizations.ts";
import { ActionButton, Notice } from "../../../../../../components/Form.tsx";
import { OrgNav } from "../../../../../../components/OrgNav.tsx";
import {
  getDeliveryEntry,
  listAttempts,
  payloadRetained,
  retryDelivery,
} from "../../../../../../webhooks/deliveries.ts";
import type { AttemptRecord, DeliveryRecord } from "../../../../../../webhooks/model.ts";
import { errorMessage, WebhooksNav, when } from "../../../../../../webhooks/dashboard_parts.tsx";
import { TableScroll } from "../../../../../../components/TableScroll.tsx";

interface Data {
  delivery: DeliveryRecord;
  attempts: AttemptRecord[];
  retryable: boolean;
  error?: string;
  message?: string;
}

async function load(c: AppContext, extra: Partial<Data> = {}): Promise<Data | null> {
  const deps = c.var.deps;
  const entry = await getDeliveryEntry(deps.kv, detailScope(c), c.req.param("id") ?? "");
  if (!entry) return null;
  const d = entry.value;
  const retryable = d.status !== "delivering" && payloadRetained(d, deps.clock.now());
  return { delivery: d, attempts: await listAttempts(deps.kv, d.id), retryable, ...extra };
}

export const handler = define.handlers<Data>({
  async GET(c) {
    const data = await load(c);
    return data ? page(data, { title: "Webhook delivery" }) : c.notFound();
  },
  async POST(c) {
    if (!await load(c)) return c.notFound();
    if (!roleAtLeast(c.var.role!, "admin")) {
      return page((await load(c, { error: "Only admins and owners can retry deliveries." }))!, {
        status: 403,
      });
    }
    try {
      await retryDelivery(c.var.deps, detailScope(c), c.req.param("id") ?? "");
      return page((await load(c, { message: "Queued for another try." }))!);
    } catch (error) {
      return page((await load(c, { error: errorMessage(error) }))!, { status: 409 });
    }
  },
});

export default define.page<Data>(function DeliveryPage({ data, state }) {
  const org = state.org!;
  const d = data.delivery;
  return (
    <>
      <OrgNav org={org} current="/webhooks" />
      <section class="card">
        <h1>Delivery</h1>
        <WebhooksNav org={org} current="/deliveries" />
        {data.error && <Notice kind="error">{data.error}</Notice>}
        {data.message && <Notice kind="success">{data.message}</Notice>}
        <dl>
          <dt>Id</dt>
          <dd>
            <code>{d.id}</code>
          </dd>
          <dt>Event</dt>
          <dd>
            <code>{d.eventId}</code> ({d.eventType})
          </dd>
          <dt>Endpoint</dt>
          <dd>
            <a href={`/organizations/${org.slug}/webhooks/endpoints/${d.endpointId}`}>
              <code>{d.endpointId}</code>
            </a>
          </dd>
          <dt>Status</dt>
          <dd>{d.status}{d.failureReason ? ` (${d.failureReason})` : ""}</dd>
          <dt>Next try</dt>
          <dd>{when(d.nextAttemptAt)}</dd>
          <dt>Payload</dt>
          <dd>
            {data.retryable || d.status === "delivering"
              ? `retained${d.payloadExpiresAt ? ` until ${when(d.payloadExpiresAt)}` : ""}`
              : "scrubbed"}
          </dd>
        </dl>
        {roleAtLeast(state.role!, "admin") && data.retryable && (
          <ActionButton state={state} action="retry" label="Retry now" />
        )}
        <h2>Tries</h2>
        <TableScroll label="Tries">
          <table>
            <thead>
              <tr>
                <th>#</th>
                <th>Time</th>
                <th>Status code</th>
                <th>Duration</th>
                <th>Error</th>
                <th>Kind</th>
              </tr>
            </thead>
            <tbody>
              {data.attempts.length === 0 && (
                <tr>
                  <td colSpan={6}>No tries yet.</td>
                </tr>
              )}
              {data.attempts.map((a) => (
                <tr key={a.id} data-attempt-id={a.id}>
                  <td>{a.number}</td>
                  <td>{when(a.attemptedAt)}</td>
                  <td>{a.statusCode ?? "—"}</td>
                  <td>{a.durationMs} ms</td>
                  <td>{a.succeeded ? "ok" : a.errorClass}</td>
                  <td>{a.manual ? "manual" : "scheduled"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </section>
    </>
  );
});

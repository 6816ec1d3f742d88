/**
 * `/organizations/:slug/webhooks/deliveries`: deliveries newest first (filter by status or
 * endpoint), each with a retry button while its payload is retained.
 */
import { detailScope, viewScope } from "../../../../../lib/accounts/dashboard_mode.ts";
import { type AppContext, define, page } from "../../../../../lib/framework/define.ts";
import { roleAtLeast } from "../../../../../lib/accounts/organizations.ts";
import { ActionButton, Notice } from "../../../../../components/Form.tsx";
import { OrgNav } from "../../../../../components/OrgNav.tsx";
import {
  listDeliveries,
  payloadRetained,
  retryDelivery,
} from "../../../../../webhooks/deliveries.ts";
import type { DeliveryRecord, DeliveryStatus } from "../../../../../webhooks/model.ts";
import { errorMessage, WebhooksNav, when } from "../../../../../webhooks/dashboard_parts.tsx";

interface Data {
  deliveries: DeliveryRecord[];
  status: string;
  now: string;
  error?: string;
  message?: string;
}

const STATUSES = ["pending", "delivering", "succeeded", "failed"];

async function load(c: AppContext, extra: Partial<Data> = {}): Promise<Data> {
  const status = c.req.query("status") ?? "";
  const all = await listDeliveries(c.var.deps.kv, viewScope(c), {
    status: STATUSES.includes(status) ? status as DeliveryStatus : undefined,
    endpointId: c.req.query("endpoint_id") || undefined,
    eventId: c.req.query("event_id") || undefined,
    limit: 100,
  });
  return {
    deliveries: all.items,
    status,
    now: c.var.deps.clock.now().toISOString(),
    ...extra,
  };
}

export const handler = define.handlers<Data>({
  async GET(c) {
    return page(await load(c), { title: "Webhook deliveries" });
  },
  async POST(c) {
    if (!roleAtLeast(c.var.role!, "admin")) {
      return page(await load(c, { error: "Only admins and owners can retry deliveries." }), {
        status: 403,
      });
    }
    const form = await c.req.parseBody();
    try {
      const d = await retryDelivery(c.var.deps, detailScope(c), String(form.delivery_id ?? ""));
      return page(await load(c, { message: `Delivery ${d.id} is queued for another try.` }));
    } catch (error) {
      return page(await load(c, { error: errorMessage(error) }), { status: 409 });
    }
  },
});

export default define.page<Data>(function Deliveries({ data, state }) {
  const org = state.org!;
  const canWrite = roleAtLeast(state.role!, "admin");
  const now = new Date(data.now);
  return (
    <>
      <OrgNav org={org} current="/webhooks" />
      <section class="card">
        <h1>Deliveries</h1>
        <WebhooksNav org={org} current="/deliveries" />
        {data.error && <Notice kind="error">{data.error}</Notice>}
        {data.message && <Notice kind="success">{data.message}</Notice>}
        <form method="get" class="row" aria-label="Filter deliveries">
          <select name="status" aria-label="Status">
            <option value="">any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s} selected={s === data.status}>{s}</option>
            ))}
          </select>
          <button type="submit" class="secondary">Filter</button>
        </form>
        <table>
          <thead>
            <tr>
              <th>Delivery</th>
              <th>Event</th>
              <th>Mode</th>
              <th>Status</th>
              <th>Tries</th>
              <th>Last error</th>
              <th>Next try</th>
              {canWrite && <th>Actions</th>}
            </tr>
          </thead>
          <tbody>
            {data.deliveries.length === 0 && (
              <tr>
                <td colSpan={8}>No deliveries.</td>
              </tr>
            )}
            {data.deliveries.map((d) => (
              <tr key={d.id} data-delivery-id={d.id}>
                <td>
                  <a href={`/organizations/${org.slug}/webhooks/deliveries/${d.id}`}>
                    <code>{d.id.slice(0, 16)}…</code>
                  </a>
                </td>
                <td>{d.eventType}</td>
                <td>
                  <span class={`badge badge-${d.mode}`}>{d.mode}</span>
                </td>
                <td>{d.status}{d.failureReason ? ` (${d.failureReason})` : ""}</td>
                <td>{d.attemptCount}</td>
                <td>{d.lastErrorClass ?? (d.lastStatusCode ? String(d.lastStatusCode) : "—")}</td>
                <td>{when(d.nextAttemptAt)}</td>
                {canWrite && (
                  <td>
                    {d.status !== "delivering" && payloadRetained(d, now) &&
                      (
                        <ActionButton
                          state={state}
                          action="retry"
                          label="Retry"
                          fields={{ delivery_id: d.id }}
                        />
                      )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
});

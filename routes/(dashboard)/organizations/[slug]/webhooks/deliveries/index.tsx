/**
 * `/organizations/:slug/webhooks/deliveries`: deliveries newest first, filtered by endpoint,
 * status and event type, with when each was created and last tried; the last error shows only
 * for failed tries (docs/dashboard.md "Webhooks"); a retry button while the payload is retained.
 */
import { detailScope, viewScope } from "../../../../../../lib/accounts/dashboard_mode.ts";
import { type AppContext, define, page } from "../../../../../../lib/framework/define.ts";
import { roleAtLeast } from "../../../../../../lib/accounts/organizations.ts";
import { ActionButton, Notice } from "../../../../../../components/Form.tsx";
import { OrgNav } from "../../../../../../components/OrgNav.tsx";
import {
  listDeliveries,
  payloadRetained,
  retryDelivery,
} from "../../../../../../webhooks/deliveries.ts";
import type {
  DeliveryListing,
  DeliveryStatus,
  EndpointRecord,
} from "../../../../../../webhooks/model.ts";
import { listEndpoints } from "../../../../../../webhooks/endpoints.ts";
import { ALL_EVENT_TYPES, type AnyEventType } from "../../../../../../lib/events/events.ts";
import { errorMessage, WebhooksNav, when } from "../../../../../../webhooks/dashboard_parts.tsx";
import { readForm } from "../../../../../../lib/http/forms.ts";
import { TableScroll } from "../../../../../../components/TableScroll.tsx";

interface Data {
  deliveries: DeliveryListing[];
  endpoints: EndpointRecord[];
  status: string;
  endpointId: string;
  eventType: string;
  now: string;
  error?: string;
  message?: string;
}

const STATUSES = ["pending", "delivering", "succeeded", "failed"];

async function load(c: AppContext, extra: Partial<Data> = {}): Promise<Data> {
  const status = c.req.query("status") ?? "";
  const endpointId = c.req.query("endpoint_id") ?? "";
  const eventType = c.req.query("event_type") ?? "";
  const all = await listDeliveries(c.var.deps.kv, viewScope(c), {
    status: STATUSES.includes(status) ? status as DeliveryStatus : undefined,
    endpointId: endpointId || undefined,
    eventId: c.req.query("event_id") || undefined,
    eventType: (ALL_EVENT_TYPES as readonly string[]).includes(eventType)
      ? eventType as AnyEventType
      : undefined,
    limit: 100,
  });
  return {
    deliveries: all.items,
    endpoints: await listEndpoints(c.var.deps.kv, viewScope(c)),
    status,
    endpointId,
    eventType,
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
    const form = await readForm(c);
    try {
      const d = await retryDelivery(c.var.deps, detailScope(c), String(form.delivery_id ?? ""));
      return page(await load(c, { message: `Delivery ${d.id} is queued for another try.` }));
    } catch (error) {
      return page(await load(c, { error: errorMessage(error) }), { status: 409 });
    }
  },
});

/** The endpoint's name, or its id once deleted. */
function endpointName(endpoints: EndpointRecord[], id: string): string {
  return endpoints.find((e) => e.id === id)?.name ?? id.slice(0, 12) + "…";
}

/**
 * The last error, only when the last try failed: its class (`timeout`, `http_status`, …) and the
 * answer's status code when there was one. A success shows no error.
 */
function lastError(d: DeliveryListing): string {
  if (d.status === "succeeded" || !d.lastErrorClass) return "—";
  return d.lastStatusCode ? `${d.lastErrorClass} (${d.lastStatusCode})` : d.lastErrorClass;
}

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
          <select name="endpoint_id" aria-label="Endpoint">
            <option value="">any endpoint</option>
            {data.endpoints.map((e) => (
              <option key={e.id} value={e.id} selected={e.id === data.endpointId}>{e.name}</option>
            ))}
          </select>
          <select name="status" aria-label="Status">
            <option value="">any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s} selected={s === data.status}>{s}</option>
            ))}
          </select>
          <select name="event_type" aria-label="Event type">
            <option value="">any event type</option>
            {ALL_EVENT_TYPES.map((t) => (
              <option key={t} value={t} selected={t === data.eventType}>{t}</option>
            ))}
          </select>
          <button type="submit" class="secondary">Filter</button>
        </form>
        <TableScroll label="Deliveries">
          <table>
            <thead>
              <tr>
                <th>Delivery</th>
                <th>Event</th>
                <th>Endpoint</th>
                <th>Status</th>
                <th>Tries</th>
                <th>Created</th>
                <th>Last try</th>
                <th>Last error</th>
                <th>Next try</th>
                {canWrite && <th>Actions</th>}
              </tr>
            </thead>
            <tbody>
              {data.deliveries.length === 0 && (
                <tr>
                  <td colSpan={10}>No deliveries.</td>
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
                  <td>{endpointName(data.endpoints, d.endpointId)}</td>
                  <td>{d.status}{d.failureReason ? ` (${d.failureReason})` : ""}</td>
                  <td>{d.attemptCount}</td>
                  <td>{when(d.createdAt)}</td>
                  <td>{when(d.lastAttemptAt)}</td>
                  <td data-testid="last-error">{lastError(d)}</td>
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
        </TableScroll>
      </section>
    </>
  );
});

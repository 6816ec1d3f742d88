/** `/organizations/:slug/webhooks/events`: recent events with their delivery counts and a replay button. */
import { detailScope, viewScope } from "../../../../../lib/accounts/dashboard_mode.ts";
import { type AppContext, define, page } from "../../../../../lib/framework/define.ts";
import { roleAtLeast } from "../../../../../lib/accounts/organizations.ts";
import type { EventRecord } from "../../../../../lib/events/events.ts";
import { ActionButton, Notice } from "../../../../../components/Form.tsx";
import { OrgNav } from "../../../../../components/OrgNav.tsx";
import { listOrgEvents } from "../../../../../webhooks/events_query.ts";
import { listEventDeliveries, replayEventDeliveries } from "../../../../../webhooks/deliveries.ts";
import { errorMessage, WebhooksNav, when } from "../../../../../webhooks/dashboard_parts.tsx";
import { readForm } from "../../../../../lib/http/forms.ts";
import { TableScroll } from "../../../../../components/TableScroll.tsx";

interface Row {
  event: EventRecord;
  statuses: string;
}

interface Data {
  rows: Row[];
  error?: string;
  message?: string;
}

async function load(c: AppContext, extra: Partial<Data> = {}): Promise<Data> {
  const kv = c.var.deps.kv;
  const events = (await listOrgEvents(kv, viewScope(c), { limit: 50 })).items;
  const rows = await Promise.all(events.map(async (event) => {
    const deliveries = await listEventDeliveries(kv, viewScope(c), event.id);
    const counts: Record<string, number> = {};
    for (const d of deliveries) counts[d.status] = (counts[d.status] ?? 0) + 1;
    const statuses = Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(", ") ||
      "no endpoint";
    return { event, statuses };
  }));
  return { rows, ...extra };
}

export const handler = define.handlers<Data>({
  async GET(c) {
    return page(await load(c), { title: "Webhook events" });
  },
  async POST(c) {
    if (!roleAtLeast(c.var.role!, "admin")) {
      return page(await load(c, { error: "Only admins and owners can replay events." }), {
        status: 403,
      });
    }
    const form = await readForm(c);
    try {
      const eventId = String(form.event_id ?? "");
      const replayed = await replayEventDeliveries(c.var.deps, detailScope(c), eventId);
      return page(await load(c, { message: `Event replayed to ${replayed.length} endpoint(s).` }), {
        status: 202,
      });
    } catch (error) {
      return page(await load(c, { error: errorMessage(error) }), { status: 409 });
    }
  },
});

export default define.page<Data>(function Events({ data, state }) {
  const org = state.org!;
  const canWrite = roleAtLeast(state.role!, "admin");
  return (
    <>
      <OrgNav org={org} current="/webhooks" />
      <section class="card">
        <h1>Events</h1>
        <WebhooksNav org={org} current="/events" />
        {data.error && <Notice kind="error">{data.error}</Notice>}
        {data.message && <Notice kind="success">{data.message}</Notice>}
        <TableScroll label="Events">
          <table>
            <thead>
              <tr>
                <th>Event</th>
                <th>Type</th>
                <th>Mode</th>
                <th>Session</th>
                <th>Deliveries</th>
                <th>Time</th>
                {canWrite && <th>Actions</th>}
              </tr>
            </thead>
            <tbody>
              {data.rows.length === 0 && (
                <tr>
                  <td colSpan={7}>No events yet.</td>
                </tr>
              )}
              {data.rows.map(({ event, statuses }) => (
                <tr key={event.id} data-event-id={event.id}>
                  <td>
                    <a href={`/organizations/${org.slug}/webhooks/deliveries?event_id=${event.id}`}>
                      <code>{event.id.slice(0, 16)}…</code>
                    </a>
                  </td>
                  <td>{event.type}</td>
                  <td>
                    <span class={`badge badge-${event.mode}`}>{event.mode}</span>
                  </td>
                  <td>
                    <code>{event.sessionId.slice(0, 16)}…</code>
                  </td>
                  <td>{statuses}</td>
                  <td>{when(event.createdAt)}</td>
                  {canWrite && (
                    <td>
                      <ActionButton
                        state={state}
                        action="replay"
                        label="Replay"
                        fields={{ event_id: event.id }}
                      />
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

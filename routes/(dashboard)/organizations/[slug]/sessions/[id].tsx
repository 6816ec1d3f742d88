/**
 * `/organizations/:slug/sessions/:id`: one session — its contract (share fields and reasons), its
 * attempts, and a timeline of what happened (creation, attempts, events). Admins may cancel it.
 * Nothing personal exists to show: events are stored without claims.
 */
import { type AppContext, define, page } from "../../../../../lib/framework/define.ts";
import { readSession } from "../../../../../lib/sessions/sessions.ts";
import { attemptsAsRead } from "../../../../../lib/sessions/effective.ts";
import { cancelSession } from "../../../../../lib/sessions/lifecycle.ts";
import { type EventRecord, listSessionEvents } from "../../../../../lib/events/events.ts";
import {
  type AttemptRecord,
  isTerminal,
  type SessionRecord,
} from "../../../../../lib/sessions/types.ts";
import { roleAtLeast } from "../../../../../lib/accounts/organizations.ts";
import { isId } from "../../../../../lib/core/ids.ts";
import { ActionButton } from "../../../../../components/Form.tsx";
import { OrgNav } from "../../../../../components/OrgNav.tsx";
import { buildTimeline, type TimelineEntry } from "../../../../../lib/sessions/timeline.ts";
import { readForm } from "../../../../../lib/http/forms.ts";
import { TableScroll } from "../../../../../components/TableScroll.tsx";

interface Data {
  session: SessionRecord;
  attempts: AttemptRecord[];
  timeline: TimelineEntry[];
}

async function load(c: AppContext): Promise<SessionRecord | null> {
  const id = c.req.param("id") ?? "";
  // A detail page shows either mode (with its badge); the lists follow the dashboard's mode.
  return isId("vs", id)
    ? await readSession(c.var.deps, id, { orgId: c.var.org!.id, mode: "any" })
    : null;
}

export const handler = define.handlers<Data>({
  async GET(c) {
    const session = await load(c);
    if (!session) return c.notFound();
    const [attempts, events]: [AttemptRecord[], EventRecord[]] = await Promise.all([
      attemptsAsRead(c.var.deps.kv, session),
      listSessionEvents(c.var.deps.kv, session.id),
    ]);
    return page({ session, attempts, timeline: buildTimeline(session, attempts, events) }, {
      title: "Session",
    });
  },
  async POST(c) {
    const session = await load(c);
    if (!session) return c.notFound();
    const form = await readForm(c);
    if (form.action !== "cancel" || !roleAtLeast(c.var.role!, "admin")) {
      return c.text("Only admins and owners can cancel sessions.", 403);
    }
    await cancelSession(c.var.deps, session.id, {
      by: "integrator",
      scope: { orgId: c.var.org!.id, mode: "any" },
    });
    c.var.deps.logger.info("session.cancelled", {
      org_id: c.var.org!.id,
      session_id: session.id,
      by: "dashboard",
    });
    return c.redirect(`/organizations/${c.var.org!.slug}/sessions/${session.id}`, 303);
  },
});

const time = (iso: string | null) => iso ? iso.replace("T", " ").slice(0, 19) + " UTC" : "—";

export default define.page<Data>(function SessionPage({ data, state }) {
  const org = state.org!;
  const s = data.session;
  return (
    <>
      <OrgNav org={org} current="/sessions" />
      <section class="card">
        <p>
          <a href={`/organizations/${org.slug}/sessions`}>← All sessions</a>
        </p>
        <h1>
          Session <code>{s.id}</code>
        </h1>
        <dl>
          <dt>Status</dt>
          <dd data-field="status">{s.status}{s.outcome ? ` — ${s.outcome}` : ""}</dd>
          {s.outcome === "failed" && (
            <>
              <dt>Failure code</dt>
              <dd>{s.failureCode}</dd>
            </>
          )}
          {s.cancelReason && (
            <>
              <dt>Cancelled</dt>
              <dd>{s.cancelReason} by {s.cancelledBy}</dd>
            </>
          )}
          <dt>Mode</dt>
          <dd>
            <span class={`badge badge-${s.mode}`}>{s.mode}</span>
          </dd>
          <dt>Attempts used</dt>
          <dd>{s.attemptsUsed} (failed {s.failedAttempts} of 3)</dd>
          <dt>Same device only</dt>
          <dd>{s.deviceIdHash ? "yes" : "no"}</dd>
          <dt>Redirect URL</dt>
          <dd>{s.redirectUrl ?? "—"}</dd>
          <dt>Webhook endpoint</dt>
          <dd>{s.webhookEndpointId ?? "all subscribed endpoints"}</dd>
          <dt>Created</dt>
          <dd>{time(s.createdAt)}</dd>
          <dt>Expires</dt>
          <dd>{time(s.expiresAt)}</dd>
          <dt>Ended</dt>
          <dd>{time(s.completedAt)}</dd>
        </dl>
        {!isTerminal(s.status) && roleAtLeast(state.role!, "admin") && (
          <ActionButton state={state} action="cancel" label="Cancel session" danger />
        )}
      </section>
      <section class="card">
        <h2>Share fields (contract v{s.contractVersion})</h2>
        <TableScroll label="Share fields">
          <table>
            <thead>
              <tr>
                <th>Claim</th>
                <th>Required</th>
                <th>Reason</th>
                <th>Source</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(s.shareFields).map(([key, f]) => (
                <tr>
                  <td>
                    <code>{key}</code>
                  </td>
                  <td>{f.required ? "yes" : "no"}</td>
                  <td>{f.reason}</td>
                  <td>{f.source}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </section>
      <section class="card">
        <h2>Attempts</h2>
        <TableScroll label="Attempts">
          <table>
            <thead>
              <tr>
                <th>Attempt</th>
                <th>Status</th>
                <th>Failure code</th>
                <th>Risk score</th>
                <th>Claimed</th>
                <th>Ended</th>
              </tr>
            </thead>
            <tbody>
              {data.attempts.length === 0 && (
                <tr>
                  <td colSpan={6}>No attempts yet.</td>
                </tr>
              )}
              {data.attempts.map((a) => (
                <tr data-attempt-id={a.id}>
                  <td>
                    <code>{a.id.slice(0, 15)}…</code>
                  </td>
                  <td>{a.status}</td>
                  <td>{a.failureCode ?? "—"}</td>
                  <td>{a.riskScore ?? "—"}</td>
                  <td>{time(a.claimedAt)}</td>
                  <td>{time(a.completedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </section>
      <section class="card">
        <h2>Timeline</h2>
        <ol class="timeline">
          {data.timeline.map((entry) => (
            <li data-kind={entry.kind}>
              <time datetime={entry.at}>{time(entry.at)}</time> — {entry.label}
            </li>
          ))}
        </ol>
      </section>
    </>
  );
});

/**
 * `/organizations/:slug/sessions`: the organization's verification sessions, newest first, with
 * status and creation-date filters and "older" pages. No personal data exists to show.
 */
import { viewScope } from "../../../../../lib/accounts/dashboard_mode.ts";
import { define, page } from "../../../../../lib/framework/define.ts";
import { InvalidCursorError, listSessions } from "../../../../../lib/sessions/sessions.ts";
import {
  SESSION_STATUSES,
  type SessionRecord,
  type SessionStatus,
} from "../../../../../lib/sessions/types.ts";
import { OrgNav } from "../../../../../components/OrgNav.tsx";
import { Notice } from "../../../../../components/Form.tsx";
import { TableScroll } from "../../../../../components/TableScroll.tsx";

const PAGE_SIZE = 25;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

interface Filters {
  status: SessionStatus | "";
  from: string;
  to: string;
}

interface Data {
  sessions: SessionRecord[];
  filters: Filters;
  next: string | null;
  error?: string;
}

function readFilters(url: URL): Filters {
  const status = url.searchParams.get("status") ?? "";
  const from = url.searchParams.get("from") ?? "";
  const to = url.searchParams.get("to") ?? "";
  return {
    status: (SESSION_STATUSES as readonly string[]).includes(status) ? status as SessionStatus : "",
    from: DATE.test(from) ? from : "",
    to: DATE.test(to) ? to : "",
  };
}

export const handler = define.handlers<Data>({
  async GET(c) {
    const url = new URL(c.req.url);
    const filters = readFilters(url);
    const after = url.searchParams.get("after") ?? undefined;
    try {
      const result = await listSessions(c.var.deps, viewScope(c), {
        status: filters.status || undefined,
        createdFrom: filters.from ? new Date(`${filters.from}T00:00:00.000Z`) : undefined,
        createdTo: filters.to ? new Date(`${filters.to}T23:59:59.999Z`) : undefined,
        limit: PAGE_SIZE,
        startingAfter: after,
      });
      const next = result.hasMore ? result.items.at(-1)!.id : null;
      return page({ sessions: result.items, filters, next }, { title: "Sessions" });
    } catch (error) {
      if (!(error instanceof InvalidCursorError)) throw error;
      return page({ sessions: [], filters, next: null, error: "That page no longer exists." }, {
        status: 400,
        title: "Sessions",
      });
    }
  },
});

function olderLink(slug: string, filters: Filters, next: string): string {
  const query = new URLSearchParams({ ...filters, after: next });
  for (const [k, v] of [...query]) if (!v) query.delete(k);
  return `/organizations/${slug}/sessions?${query}`;
}

const shortTime = (iso: string | null) => iso ? iso.replace("T", " ").slice(0, 16) + " UTC" : "—";

export default define.page<Data>(function Sessions({ data, state }) {
  const org = state.org!;
  return (
    <>
      <OrgNav org={org} current="/sessions" />
      <section class="card">
        <h1>Verification sessions</h1>
        {data.error && <Notice kind="error">{data.error}</Notice>}
        <form method="get" class="row" aria-label="Filter sessions">
          <label>
            Status{" "}
            <select name="status">
              <option value="">any</option>
              {SESSION_STATUSES.map((s) => (
                <option value={s} selected={s === data.filters.status}>{s}</option>
              ))}
            </select>
          </label>
          <label>
            Created from <input type="date" name="from" value={data.filters.from} />
          </label>
          <label>
            to <input type="date" name="to" value={data.filters.to} />
          </label>
          <button type="submit" class="secondary">Filter</button>
        </form>
        <TableScroll label="Verification sessions">
          <table>
            <thead>
              <tr>
                <th>Session</th>
                <th>Mode</th>
                <th>Status</th>
                <th>Outcome</th>
                <th>Attempts</th>
                <th>Created</th>
                <th>Ended</th>
              </tr>
            </thead>
            <tbody>
              {data.sessions.length === 0 && (
                <tr>
                  <td colSpan={7}>No sessions match.</td>
                </tr>
              )}
              {data.sessions.map((s) => (
                <tr data-session-id={s.id}>
                  <td>
                    <a href={`/organizations/${org.slug}/sessions/${s.id}`}>
                      <code>{s.id.slice(0, 15)}…</code>
                    </a>
                  </td>
                  <td>
                    <span class={`badge badge-${s.mode}`}>{s.mode}</span>
                  </td>
                  <td>{s.status}</td>
                  <td>
                    {s.outcome ?? "—"}
                    {s.outcome === "failed" && s.failureCode ? ` (${s.failureCode})` : ""}
                  </td>
                  <td>{s.attemptsUsed}</td>
                  <td>{shortTime(s.createdAt)}</td>
                  <td>{shortTime(s.completedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
        {data.next && (
          <p>
            <a href={olderLink(org.slug, data.filters, data.next)}>Older sessions →</a>
          </p>
        )}
      </section>
    </>
  );
});

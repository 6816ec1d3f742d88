/**
 * `/organizations/:slug`: the organization's overview. The session and endpoint counts follow the
 * dashboard's mode (test or live data); keys and members belong to the organization.
 */
import { define, page } from "../../../../lib/framework/define.ts";
import { listApiKeys } from "../../../../lib/api_keys/api_keys.ts";
import { listMembers } from "../../../../lib/accounts/organizations.ts";
import { viewScope } from "../../../../lib/accounts/dashboard_mode.ts";
import { getSessionsOverview, type SessionsOverview } from "../../../../lib/sessions/analytics.ts";
import {
  type AnalyticsReport,
  durationText,
  getAnalyticsReport,
} from "../../../../lib/sessions/analytics_report.ts";
import { listEndpoints } from "../../../../webhooks/endpoints.ts";
import { OrgNav } from "../../../../components/OrgNav.tsx";

interface Data {
  keys: number;
  members: number;
  sessions: SessionsOverview;
  endpoints: number;
  /** The last 14 days' headline numbers (the analytics page has the rest). */
  recent: AnalyticsReport;
}

export const handler = define.handlers<Data>({
  async GET(c) {
    const org = c.var.org!;
    const { kv, clock } = c.var.deps;
    const [keys, members, sessions, endpoints, recent] = await Promise.all([
      listApiKeys(kv, org.id),
      listMembers(kv, org.id),
      getSessionsOverview(kv, viewScope(c), clock.now()),
      listEndpoints(kv, viewScope(c)),
      getAnalyticsReport(kv, viewScope(c), clock.now(), 14),
    ]);
    return page({
      keys: keys.length,
      members: members.length,
      sessions,
      endpoints: endpoints.length,
      recent,
    }, { title: org.name });
  },
});

export default define.page<Data>(function Overview({ data, state }) {
  const org = state.org!;
  return (
    <>
      <OrgNav org={org} current="" />
      <section class="card">
        <h1>{org.name}</h1>
        <p>
          Your role: <strong>{state.role}</strong>
        </p>
        <ul>
          <li>
            {data.keys} API key{data.keys === 1 ? "" : "s"} —{" "}
            <a href={`/organizations/${org.slug}/api-keys`}>manage</a>
          </li>
          <li>
            {data.members} member{data.members === 1 ? "" : "s"} —{" "}
            <a href={`/organizations/${org.slug}/members`}>manage</a>
          </li>
        </ul>
        <h2>{state.dashboardMode === "live" ? "Live" : "Test"} data</h2>
        <dl class="headline" data-testid="headline">
          <div>
            <dt>Sessions, last 14 days</dt>
            <dd data-figure="created">{data.recent.totals.created}</dd>
          </div>
          <div>
            <dt>Conversion rate</dt>
            <dd data-figure="conversion">
              {data.recent.conversionRate === null
                ? "—"
                : `${(Math.round(data.recent.conversionRate * 1000) / 10).toFixed(1)} %`}
            </dd>
          </div>
          <div>
            <dt>Median time to complete</dt>
            <dd data-figure="median">
              {data.recent.medianSecondsToComplete === null
                ? "—"
                : durationText(data.recent.medianSecondsToComplete)}
            </dd>
          </div>
          <div>
            <dt>Failed attempts</dt>
            <dd data-figure="failed-attempts">
              {data.recent.topFailureCodes.reduce((n, f) => n + f.count, 0)}
            </dd>
          </div>
        </dl>
        <p>
          <a href={`/organizations/${org.slug}/analytics`}>Analytics</a>: sessions per day, top
          failure codes.
        </p>
        <ul data-overview-mode={state.dashboardMode}>
          <li data-count="sessions">
            {data.sessions.total} session{data.sessions.total === 1 ? "" : "s"}{" "}
            ({data.sessions.by_status.completed} completed: {data.sessions.by_outcome.succeeded}
            {" "}
            succeeded, {data.sessions.by_outcome.failed} failed) —{" "}
            <a href={`/organizations/${org.slug}/sessions`}>view</a>
          </li>
          <li data-count="endpoints">
            {data.endpoints} webhook endpoint{data.endpoints === 1 ? "" : "s"} —{" "}
            <a href={`/organizations/${org.slug}/webhooks`}>view</a>
          </li>
        </ul>
        <p>
          API reference: <a href="/reference">/reference</a> · OpenAPI:{" "}
          <a href="/openapi.json">/openapi.json</a>
        </p>
      </section>
    </>
  );
});

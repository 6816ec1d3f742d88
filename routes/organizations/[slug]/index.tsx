/**
 * `/organizations/:slug`: the organization's overview. The session and endpoint counts follow the
 * dashboard's mode (test or live data); keys and members belong to the organization.
 */
import { define, page } from "../../../lib/framework/define.ts";
import { listApiKeys } from "../../../lib/api_keys/api_keys.ts";
import { listMembers } from "../../../lib/accounts/organizations.ts";
import { viewScope } from "../../../lib/accounts/dashboard_mode.ts";
import { getSessionsOverview, type SessionsOverview } from "../../../lib/sessions/analytics.ts";
import { listEndpoints } from "../../../webhooks/endpoints.ts";
import { OrgNav } from "../../../components/OrgNav.tsx";

interface Data {
  keys: number;
  members: number;
  sessions: SessionsOverview;
  endpoints: number;
}

export const handler = define.handlers<Data>({
  async GET(c) {
    const org = c.var.org!;
    const { kv, clock } = c.var.deps;
    const [keys, members, sessions, endpoints] = await Promise.all([
      listApiKeys(kv, org.id),
      listMembers(kv, org.id),
      getSessionsOverview(kv, viewScope(c), clock.now()),
      listEndpoints(kv, viewScope(c)),
    ]);
    return page({
      keys: keys.length,
      members: members.length,
      sessions,
      endpoints: endpoints.length,
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

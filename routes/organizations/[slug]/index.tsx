/** `/organizations/:slug`: the organization's overview. */
import { define, page } from "../../../lib/framework/define.ts";
import { listApiKeys } from "../../../lib/api_keys/api_keys.ts";
import { listMembers } from "../../../lib/accounts/organizations.ts";
import { OrgNav } from "../../../components/OrgNav.tsx";

interface Data {
  keys: number;
  members: number;
}

export const handler = define.handlers<Data>({
  async GET(c) {
    const org = c.var.org!;
    const [keys, members] = await Promise.all([
      listApiKeys(c.var.deps.kv, org.id),
      listMembers(c.var.deps.kv, org.id),
    ]);
    return page({ keys: keys.length, members: members.length }, { title: org.name });
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
        <p>
          API reference: <a href="/reference">/reference</a> · OpenAPI:{" "}
          <a href="/openapi.json">/openapi.json</a>
        </p>
      </section>
    </>
  );
});

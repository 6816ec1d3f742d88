/**
 * `/organizations/:slug/find?id=…` (docs/dashboard.md "Find by id"): a pasted `vs_`, `va_`,
 * `evt_` or `whd_` id of this organization (either mode) lands on its page — the session, the
 * attempt's session, the event's deliveries, the delivery. Anything else answers 404 with a
 * message; ids of other organizations are never confirmed.
 */
import { define, page } from "../../../../lib/framework/define.ts";
import { isId } from "../../../../lib/core/ids.ts";
import { inScope } from "../../../../lib/core/org_mode.ts";
import { detailScope } from "../../../../lib/accounts/dashboard_mode.ts";
import { readSession } from "../../../../lib/sessions/sessions.ts";
import { getAttempt } from "../../../../lib/sessions/attempts.ts";
import { getEvent } from "../../../../lib/events/events.ts";
import { getDeliveryEntry } from "../../../../webhooks/deliveries.ts";
import { OrgNav } from "../../../../components/OrgNav.tsx";
import { Notice } from "../../../../components/Form.tsx";

interface Data {
  id: string;
}

/** The id inside pasted text: the first `vs_…`, `va_…`, `evt_…` or `whd_…` token. */
function idIn(text: string): string {
  return /\b(?:vs|va|evt|whd)_[a-z0-9]{64}\b/.exec(text)?.[0] ?? text.trim().slice(0, 80);
}

export const handler = define.handlers<Data>({
  async GET(c) {
    const org = c.var.org!;
    const deps = c.var.deps;
    const id = idIn(c.req.query("id") ?? "");
    const scope = detailScope(c);
    const base = `/organizations/${org.slug}`;
    let target: string | null = null;
    if (isId("vs", id) && await readSession(deps, id, scope)) {
      target = `${base}/sessions/${id}`;
    } else if (isId("va", id)) {
      const attempt = await getAttempt(deps.kv, id);
      if (attempt && inScope(attempt, scope)) {
        target = `${base}/sessions/${attempt.sessionId}#${id}`;
      }
    } else if (isId("evt", id)) {
      const event = await getEvent(deps.kv, id);
      if (event && inScope(event, scope)) target = `${base}/webhooks/deliveries?event_id=${id}`;
    } else if (isId("whd", id) && await getDeliveryEntry(deps.kv, scope, id)) {
      target = `${base}/webhooks/deliveries/${id}`;
    }
    if (target) return c.redirect(target, 303);
    return page({ id }, { status: 404, title: "Not found" });
  },
});

export default define.page<Data>(function Find({ data, state }) {
  const org = state.org!;
  return (
    <>
      <OrgNav org={org} current="" />
      <section class="card">
        <h1>Nothing found</h1>
        <Notice kind="error">
          No session, attempt, event or delivery of {org.name} has the id{" "}
          <code>{data.id || "(empty)"}</code>.
        </Notice>
        <p>
          Paste a <code>vs_</code>, <code>va_</code>, <code>evt_</code> or <code>whd_</code>{" "}
          id into the search box, or anywhere on a dashboard page.
        </p>
      </section>
    </>
  );
});

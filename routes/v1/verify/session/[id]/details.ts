/** `GET /v1/verify/session/:id/details` (docs/api.md#the-public-verify-surface): what the consent screen needs. Public. */
import { define } from "../../../../../lib/framework/define.ts";
import { ok } from "../../../../../lib/http/envelope.ts";
import { notFound } from "../../../../../lib/http/errors.ts";
import { getOrganization } from "../../../../../lib/accounts/organizations.ts";
import { readSession } from "../../../../../lib/sessions/sessions.ts";
import { getConsent } from "../../../../../lib/sessions/consent.ts";
import { limitPublicRequest, publicErrors } from "../../../../../lib/sessions/http.ts";
import { sessionIdParamsSchema } from "../../../../../lib/sessions/api_objects.ts";
import { publicDetailsSchema, toPublicDetails } from "../../../../../lib/sessions/public_views.ts";

export const api = define.api({
  GET: define.operation({
    summary: "Session details for the consent screen",
    description:
      "Organization name, mode and the share fields with their reasons. Rate-limited per client " +
      "address and per session.",
    tags: ["Verify"],
    operationId: "getPublicSessionDetails",
    scope: "public",
    params: sessionIdParamsSchema,
    response: publicDetailsSchema,
    errors: publicErrors,
    async handler(c, { params }) {
      await limitPublicRequest(c, "details", params.id);
      const deps = c.var.deps;
      const session = await readSession(deps, params.id);
      if (!session) throw notFound("session");
      const [org, consent] = await Promise.all([
        getOrganization(deps.kv, session.orgId),
        getConsent(deps.kv, session.id),
      ]);
      return ok(c, toPublicDetails(session, org?.name ?? "", consent));
    },
  }),
});

/** `GET /v1/verify/session/:id/status` (docs/api.md#the-public-verify-surface): the status a verify page polls. Public. */
import { define } from "../../../../../lib/framework/define.ts";
import { ok } from "../../../../../lib/http/envelope.ts";
import { notFound } from "../../../../../lib/http/errors.ts";
import { readSession } from "../../../../../lib/sessions/sessions.ts";
import { latestAttemptAsRead } from "../../../../../lib/sessions/effective.ts";
import { limitPublicRequest, publicErrors } from "../../../../../lib/sessions/http.ts";
import { sessionIdParamsSchema } from "../../../../../lib/sessions/api_objects.ts";
import { publicStatusSchema, toPublicStatus } from "../../../../../lib/sessions/public_views.ts";

export const api = define.api({
  GET: define.operation({
    summary: "Session status for the verify page",
    description:
      "Poll while the user is in the flow. `redirect_url` appears once the session is terminal.",
    tags: ["Verify"],
    operationId: "getPublicSessionStatus",
    scope: "public",
    params: sessionIdParamsSchema,
    response: publicStatusSchema,
    errors: publicErrors,
    async handler(c, { params }) {
      await limitPublicRequest(c, "status", params.id);
      const deps = c.var.deps;
      const session = await readSession(deps, params.id);
      if (!session) throw notFound("session");
      const latest = await latestAttemptAsRead(deps.kv, session);
      return ok(c, toPublicStatus(session, latest));
    },
  }),
});

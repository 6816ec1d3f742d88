/**
 * `POST /v1/sessions/:id/cancel` (docs/api.md): the integrator's cancel. Idempotent: a terminal
 * session is returned unchanged; otherwise the session ends `cancelled` with one
 * `verification.session.cancelled` event (`cancelled_by: integrator`).
 */
import { define } from "../../../../lib/framework/define.ts";
import { ok } from "../../../../lib/http/envelope.ts";
import { notFound } from "../../../../lib/http/errors.ts";
import { isId } from "../../../../lib/core/ids.ts";
import { cancelSession } from "../../../../lib/sessions/lifecycle.ts";
import {
  sessionIdParamsSchema,
  sessionSchema,
  toSessionObject,
} from "../../../../lib/sessions/api_objects.ts";

export const api = define.api({
  POST: define.operation({
    summary: "Cancel a verification session",
    description:
      "Idempotent. A session that already ended (completed, expired or cancelled) is returned unchanged.",
    tags: ["Sessions"],
    operationId: "cancelSession",
    scope: "sessions:write",
    params: sessionIdParamsSchema,
    response: sessionSchema,
    errors: [
      {
        status: 404,
        code: "NOT_FOUND",
        when: "no session with this id in the key's organization and mode",
      },
      { status: 409, code: "CONFLICT", when: "the session changed too often to commit; retry" },
    ],
    async handler(c, { params }) {
      const deps = c.var.deps;
      const { orgId, mode } = c.var.apiKey!;
      const result = isId("vs", params.id)
        ? await cancelSession(deps, params.id, { by: "integrator", scope: { orgId, mode } })
        : null;
      if (!result) throw notFound("session");
      if (result.cancelled) {
        deps.logger.info("session.cancelled", {
          org_id: orgId,
          session_id: params.id,
          by: "integrator",
        });
      }
      return ok(c, toSessionObject(result.session, { publicUrl: deps.config.publicUrl }));
    },
  }),
});

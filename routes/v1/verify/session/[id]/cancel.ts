/**
 * `POST /v1/verify/session/:id/cancel` (docs/api.md#the-public-verify-surface, seed 001): the user's cancel with the one-shot
 * token. 204 on success; a consumed token gives 204 when the session is terminal, else
 * `409 CANCEL_TOKEN_USED`; a wrong token `401 CANCEL_TOKEN_INVALID`. Public.
 */
import { z } from "@hono/zod-openapi";
import { define } from "../../../../../lib/framework/define.ts";
import { notFound } from "../../../../../lib/http/errors.ts";
import { cancelSessionWithToken } from "../../../../../lib/sessions/cancel_tokens.ts";
import { limitPublicRequest, publicErrors } from "../../../../../lib/sessions/http.ts";
import { sessionIdParamsSchema } from "../../../../../lib/sessions/api_objects.ts";

const cancelRequest = z.object({ cancel_token: z.string().min(1).max(256) }).strict()
  .openapi("PublicCancelRequest");

export const api = define.api({
  POST: define.operation({
    summary: "Cancel a session with its cancel token",
    description:
      "The verify page and native apps call this with the `cancel_token` of the verification URL.",
    tags: ["Verify"],
    operationId: "cancelSessionWithToken",
    scope: "public",
    params: sessionIdParamsSchema,
    body: cancelRequest,
    response: null,
    status: 204,
    errors: [
      ...publicErrors,
      { status: 401, code: "CANCEL_TOKEN_INVALID", when: "the token is not this session's" },
      {
        status: 409,
        code: "CANCEL_TOKEN_USED",
        when: "the token was already used and the session is still open",
      },
    ],
    async handler(c, { params, body }) {
      await limitPublicRequest(c, "cancel", params.id);
      const deps = c.var.deps;
      const outcome = await cancelSessionWithToken(deps, params.id, body.cancel_token);
      if (!outcome) throw notFound("session");
      if (outcome === "cancelled") {
        deps.logger.info("session.cancelled", { session_id: params.id, by: "user" });
      }
      return c.body(null, 204);
    },
  }),
});

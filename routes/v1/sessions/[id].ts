/** `GET /v1/sessions/:id` (docs/api.md): one session of the key's organization, expired lazily. */
import { z } from "@hono/zod-openapi";
import { define } from "../../../lib/framework/define.ts";
import { ok } from "../../../lib/http/envelope.ts";
import { notFound } from "../../../lib/http/errors.ts";
import { readSession } from "../../../lib/sessions/sessions.ts";
import { attemptsAsRead } from "../../../lib/sessions/effective.ts";
import {
  includeAttemptsSchema,
  sessionIdParamsSchema,
  sessionSchema,
  toSessionObject,
} from "../../../lib/sessions/api_objects.ts";

export const api = define.api({
  GET: define.operation({
    summary: "Retrieve a verification session",
    tags: ["Sessions"],
    operationId: "getSession",
    scope: "sessions:read",
    params: sessionIdParamsSchema,
    query: z.object({ include_attempts: includeAttemptsSchema }),
    response: sessionSchema,
    errors: [{
      status: 404,
      code: "NOT_FOUND",
      when: "no session with this id in the key's organization and mode",
    }],
    async handler(c, { params, query }) {
      const deps = c.var.deps;
      const { orgId, mode } = c.var.apiKey!;
      const session = await readSession(deps, params.id, { orgId, mode });
      if (!session) throw notFound("session");
      const attempts = query.include_attempts === "true"
        ? await attemptsAsRead(deps.kv, session)
        : undefined;
      return ok(c, toSessionObject(session, { publicUrl: deps.config.publicUrl, attempts }));
    },
  }),
});

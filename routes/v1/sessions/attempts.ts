/** `GET /v1/sessions/attempts` (docs/api.md): attempts across sessions, newest first. */
import { z } from "@hono/zod-openapi";
import { define } from "../../../lib/framework/define.ts";
import { okList } from "../../../lib/http/envelope.ts";
import { listOrgAttempts } from "../../../lib/sessions/attempt_list.ts";
import { attemptSchema, limitSchema, toAttemptObject } from "../../../lib/sessions/api_objects.ts";
import { listQueryErrors } from "../../../lib/sessions/list_query.ts";
import { ATTEMPT_STATUSES } from "../../../lib/sessions/types.ts";

export const api = define.api({
  GET: define.operation({
    summary: "List verification attempts",
    description:
      "Attempts of the organization's sessions in the key's mode, newest first; filter by " +
      "`session_id` (404 when it names no session of this organization and mode) and `status`.",
    tags: ["Sessions"],
    operationId: "listAttempts",
    scope: "sessions:read",
    query: z.object({
      session_id: z.string().optional(),
      status: z.enum(ATTEMPT_STATUSES).optional(),
      limit: limitSchema,
      starting_after: z.string().optional(),
    }),
    response: attemptSchema,
    list: true,
    errors: [
      ...listQueryErrors,
      { status: 404, code: "NOT_FOUND", when: "session_id names no session of this key" },
    ],
    async handler(c, { query }) {
      const limit = query.limit ?? 10;
      const { orgId, mode } = c.var.apiKey!;
      const page = await listOrgAttempts(c.var.deps, { orgId, mode }, {
        sessionId: query.session_id,
        status: query.status,
        limit,
        startingAfter: query.starting_after,
      });
      const data = page.items.map(toAttemptObject);
      return okList(c, data, {
        limit,
        has_more: page.hasMore,
        next_cursor: page.hasMore ? data.at(-1)!.id : null,
      });
    },
  }),
});

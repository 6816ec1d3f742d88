/** `GET /v1/webhooks/events`: the organization's events in the key's mode, newest first. */
import { z } from "@hono/zod-openapi";
import { define } from "../../../../lib/framework/define.ts";
import { okList } from "../../../../lib/http/envelope.ts";
import { ALL_EVENT_TYPES } from "../../../../lib/events/events.ts";
import { eventObject, eventSchema } from "../../../../webhooks/api_objects.ts";
import { ApiError } from "../../../../lib/http/errors.ts";
import { readSession } from "../../../../lib/sessions/sessions.ts";
import { caller } from "../../../../webhooks/api_support.ts";
import { listOrgEvents } from "../../../../webhooks/events_query.ts";
import { listQueryFields, paginate } from "../../../../webhooks/pagination.ts";

export const api = define.api({
  GET: define.operation({
    summary: "List events",
    description: "Events as stored: claims are never kept, only the list of their keys.",
    tags: ["Webhooks"],
    operationId: "listWebhookEvents",
    scope: "webhooks:read",
    query: z.object({
      ...listQueryFields,
      type: z.enum(ALL_EVENT_TYPES).optional(),
      session_id: z.string().optional(),
    }),
    response: eventSchema,
    list: true,
    errors: [
      {
        status: 400,
        code: "INVALID_REQUEST",
        when: "starting_after names no item of this list",
      },
      { status: 404, code: "NOT_FOUND", when: "session_id names no session of this key" },
    ],
    async handler(c, { query }) {
      const deps = c.var.deps;
      const scope = caller(c);
      if (query.session_id && !await readSession(deps, query.session_id, scope)) {
        throw new ApiError(
          404,
          "NOT_FOUND",
          "session_id names no session of this organization in this mode.",
          { hint: "Filter by the id of a session your key can read (same organization and mode)." },
        );
      }
      const events = await listOrgEvents(deps.kv, scope, {
        type: query.type,
        sessionId: query.session_id,
      });
      const { page, pagination } = paginate(events, query.limit, query.starting_after);
      const now = deps.clock.now();
      return okList(c, page.map((e) => eventObject(e, now)), pagination);
    },
  }),
});

/** `GET /v1/webhooks/events`: the organization's events in the key's mode, newest first. */
import { z } from "@hono/zod-openapi";
import { define } from "../../../../lib/framework/define.ts";
import { okList } from "../../../../lib/http/envelope.ts";
import { EVENT_TYPES } from "../../../../lib/events/events.ts";
import { eventObject, eventSchema } from "../../../../webhooks/api_objects.ts";
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
      type: z.enum(EVENT_TYPES).optional(),
      session_id: z.string().optional(),
    }),
    response: eventSchema,
    list: true,
    async handler(c, { query }) {
      const deps = c.var.deps;
      const { orgId, mode } = caller(c);
      const events = await listOrgEvents(deps.kv, orgId, {
        mode,
        type: query.type,
        sessionId: query.session_id,
      });
      const { page, pagination } = paginate(events, query.limit, query.starting_after);
      const now = deps.clock.now();
      return okList(c, page.map((e) => eventObject(e, now)), pagination);
    },
  }),
});

/** `GET /v1/webhooks/deliveries`: filter by `status`, `endpoint_id`, `event_id`; newest first. */
import { z } from "@hono/zod-openapi";
import { define } from "../../../../lib/framework/define.ts";
import { okList } from "../../../../lib/http/envelope.ts";
import { deliveryObject, deliverySchema } from "../../../../webhooks/api_objects.ts";
import { caller } from "../../../../webhooks/api_support.ts";
import { listDeliveries } from "../../../../webhooks/deliveries.ts";
import { listQueryFields, paginate } from "../../../../webhooks/pagination.ts";

export const api = define.api({
  GET: define.operation({
    summary: "List webhook deliveries",
    tags: ["Webhooks"],
    operationId: "listWebhookDeliveries",
    scope: "webhooks:read",
    query: z.object({
      ...listQueryFields,
      status: z.enum(["pending", "delivering", "succeeded", "failed"]).optional(),
      endpoint_id: z.string().max(100).optional(),
      event_id: z.string().max(100).optional(),
    }),
    response: deliverySchema,
    list: true,
    async handler(c, { query }) {
      const deps = c.var.deps;
      const { orgId, mode } = caller(c);
      const all = await listDeliveries(deps.kv, orgId, {
        mode,
        status: query.status,
        endpointId: query.endpoint_id,
        eventId: query.event_id,
      });
      const { page, pagination } = paginate(all, query.limit, query.starting_after);
      const now = deps.clock.now();
      return okList(c, page.map((d) => deliveryObject(d, now)), pagination);
    },
  }),
});

/**
 * `GET /v1/webhooks/deliveries`: the key's mode, newest first; filter by `status`, `endpoint_id`,
 * `event_id` (a filter naming no endpoint or event of this key answers 404).
 */
import { z } from "@hono/zod-openapi";
import { define } from "../../../../lib/framework/define.ts";
import { okList } from "../../../../lib/http/envelope.ts";
import { DEFAULT_LIMIT } from "../../../../lib/http/list_params.ts";
import { ApiError } from "../../../../lib/http/errors.ts";
import { deliveryObject, deliverySchema } from "../../../../webhooks/api_objects.ts";
import { caller } from "../../../../webhooks/api_support.ts";
import { listDeliveries } from "../../../../webhooks/deliveries.ts";
import { getEndpointEntry } from "../../../../webhooks/endpoints.ts";
import { findEvent } from "../../../../webhooks/events_query.ts";
import { listQueryFields, pageInfo } from "../../../../webhooks/pagination.ts";

export const api = define.api({
  GET: define.operation({
    summary: "List webhook deliveries",
    tags: ["Webhooks"],
    operationId: "listWebhookDeliveries",
    scope: "webhooks:read",
    query: z.object({
      ...listQueryFields,
      status: z.enum(["pending", "delivering", "succeeded", "failed"]).optional(),
      endpoint_id: z.string().optional(),
      event_id: z.string().optional(),
    }),
    response: deliverySchema,
    list: true,
    errors: [
      {
        status: 400,
        code: "INVALID_REQUEST",
        when: "starting_after names no item of this list",
      },
      {
        status: 404,
        code: "NOT_FOUND",
        when: "endpoint_id or event_id names no endpoint or event of this key",
      },
    ],
    async handler(c, { query }) {
      const deps = c.var.deps;
      const scope = caller(c);
      if (query.endpoint_id && !await getEndpointEntry(deps.kv, scope, query.endpoint_id)) {
        throw unknownFilter("endpoint_id", "webhook endpoint");
      }
      if (query.event_id && !await findEvent(deps.kv, scope, query.event_id)) {
        throw unknownFilter("event_id", "event");
      }
      const limit = query.limit ?? DEFAULT_LIMIT;
      const { items, hasMore } = await listDeliveries(deps.kv, scope, {
        status: query.status,
        endpointId: query.endpoint_id,
        eventId: query.event_id,
        limit,
        startingAfter: query.starting_after,
      });
      const now = deps.clock.now();
      return okList(c, items.map((d) => deliveryObject(d, now)), pageInfo(items, limit, hasMore));
    },
  }),
});

function unknownFilter(field: string, what: string): ApiError {
  return new ApiError(
    404,
    "NOT_FOUND",
    `${field} names no ${what} of this organization in this mode.`,
    {
      hint: "Filter by the id of an object your key can read (same organization and mode).",
    },
  );
}

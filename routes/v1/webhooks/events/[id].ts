/** `GET /v1/webhooks/events/{id}`: an event with its deliveries. */
import { define } from "../../../../lib/framework/define.ts";
import { ok } from "../../../../lib/http/envelope.ts";
import { eventObject, eventSchema } from "../../../../webhooks/api_objects.ts";
import { caller, idParams } from "../../../../webhooks/api_support.ts";
import { requireEvent } from "../../../../webhooks/events_query.ts";
import { listEventDeliveries } from "../../../../webhooks/deliveries.ts";

export const api = define.api({
  GET: define.operation({
    summary: "Get an event with its deliveries",
    tags: ["Webhooks"],
    operationId: "getWebhookEvent",
    scope: "webhooks:read",
    params: idParams,
    response: eventSchema,
    errors: [{
      status: 404,
      code: "NOT_FOUND",
      when: "no such event in this organization and mode",
    }],
    async handler(c, { params }) {
      const deps = c.var.deps;
      const scope = caller(c);
      const event = await requireEvent(deps.kv, scope, params.id);
      const deliveries = await listEventDeliveries(deps.kv, scope, event.id);
      return ok(c, eventObject(event, deps.clock.now(), deliveries));
    },
  }),
});

/** `POST /v1/webhooks/events/{id}/replay` → 202: another try of every delivery still holding its payload. */
import { z } from "@hono/zod-openapi";
import { define } from "../../../../../lib/framework/define.ts";
import { ok } from "../../../../../lib/http/envelope.ts";
import { deliveryObject, deliverySchema } from "../../../../../webhooks/api_objects.ts";
import { caller, idParams } from "../../../../../webhooks/api_support.ts";
import { requireEvent } from "../../../../../webhooks/events_query.ts";
import { replayEventDeliveries } from "../../../../../webhooks/deliveries.ts";

export const api = define.api({
  POST: define.operation({
    summary: "Replay an event",
    description:
      "Sends the event again to its endpoints, with the same event_id and delivery ids. Works while the encrypted payloads are retained (failed or pending deliveries).",
    tags: ["Webhooks"],
    operationId: "replayWebhookEvent",
    scope: "webhooks:write",
    params: idParams,
    status: 202,
    response: z.object({ event_id: z.string(), deliveries: z.array(deliverySchema) }),
    errors: [
      { status: 404, code: "NOT_FOUND", when: "no such event in this organization and mode" },
      { status: 409, code: "CONFLICT", when: "a delivery of the event is being sent right now" },
      {
        status: 409,
        code: "WEBHOOK_PAYLOAD_EXPIRED",
        when: "no delivery of the event still has its payload",
      },
    ],
    async handler(c, { params }) {
      const deps = c.var.deps;
      const scope = caller(c);
      const event = await requireEvent(deps.kv, scope, params.id);
      const deliveries = await replayEventDeliveries(deps, scope, event.id);
      deps.logger.info("webhook_event.replayed", {
        event_id: event.id,
        deliveries: deliveries.length,
      });
      const now = deps.clock.now();
      return ok(c, {
        event_id: event.id,
        deliveries: deliveries.map((d) => deliveryObject(d, now)),
      }, 202);
    },
  }),
});

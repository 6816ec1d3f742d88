/** `POST /v1/webhooks/deliveries/{id}/retry` → 202: one immediate manual try, same delivery id. */
import { define } from "../../../../../lib/framework/define.ts";
import { ok } from "../../../../../lib/http/envelope.ts";
import { deliveryObject, deliverySchema } from "../../../../../webhooks/api_objects.ts";
import { caller, idParams } from "../../../../../webhooks/api_support.ts";
import { retryDelivery } from "../../../../../webhooks/deliveries.ts";

export const api = define.api({
  POST: define.operation({
    summary: "Retry a webhook delivery",
    description:
      "Queues one immediate try outside the automatic schedule while the payload is retained.",
    tags: ["Webhooks"],
    operationId: "retryWebhookDelivery",
    scope: "webhooks:write",
    params: idParams,
    status: 202,
    response: deliverySchema,
    errors: [
      { status: 404, code: "NOT_FOUND", when: "no such delivery in this organization and mode" },
      { status: 409, code: "CONFLICT", when: "the delivery is being sent right now" },
      {
        status: 409,
        code: "WEBHOOK_PAYLOAD_EXPIRED",
        when: "the payload was scrubbed (success, or retention over)",
      },
    ],
    async handler(c, { params }) {
      const deps = c.var.deps;
      const delivery = await retryDelivery(deps, caller(c), params.id);
      deps.logger.info("webhook_delivery.retried", { delivery_id: delivery.id });
      return ok(c, deliveryObject(delivery, deps.clock.now()), 202);
    },
  }),
});

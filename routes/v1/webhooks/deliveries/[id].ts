/** `GET /v1/webhooks/deliveries/{id}`: a delivery with its attempts. */
import { define } from "../../../../lib/framework/define.ts";
import { ok } from "../../../../lib/http/envelope.ts";
import { notFound } from "../../../../lib/http/errors.ts";
import { deliveryObject, deliverySchema } from "../../../../webhooks/api_objects.ts";
import { caller, idParams } from "../../../../webhooks/api_support.ts";
import { getDeliveryEntry, listAttempts } from "../../../../webhooks/deliveries.ts";

export const api = define.api({
  GET: define.operation({
    summary: "Get a webhook delivery with its attempts",
    tags: ["Webhooks"],
    operationId: "getWebhookDelivery",
    scope: "webhooks:read",
    params: idParams,
    response: deliverySchema,
    errors: [{
      status: 404,
      code: "NOT_FOUND",
      when: "no such delivery in this organization and mode",
    }],
    async handler(c, { params }) {
      const deps = c.var.deps;
      const entry = await getDeliveryEntry(deps.kv, caller(c), params.id);
      if (!entry) throw notFound("webhook delivery");
      const attempts = await listAttempts(deps.kv, params.id);
      return ok(c, deliveryObject(entry.value, deps.clock.now(), attempts));
    },
  }),
});

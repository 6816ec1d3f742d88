/**
 * `POST /v1/webhooks/endpoints/{id}/test-event` (docs/webhooks.md "Test events"): sends a signed,
 * encrypted `webhook.test` event to this endpoint through the real delivery path; answers 202 with
 * the delivery, which then shows in `GET /v1/webhooks/deliveries` like any other.
 */
import { define } from "../../../../../lib/framework/define.ts";
import { ok } from "../../../../../lib/http/envelope.ts";
import { ApiError } from "../../../../../lib/http/errors.ts";
import { deliveryObject, deliverySchema } from "../../../../../webhooks/api_objects.ts";
import {
  ENDPOINT_NOT_FOUND,
  idParams,
  requireEndpoint,
} from "../../../../../webhooks/api_support.ts";
import { sendTestEvent } from "../../../../../webhooks/test_event.ts";

export const api = define.api({
  POST: define.operation({
    summary: "Send a test event to an endpoint",
    description:
      "Sends a `webhook.test` event (no personal data) to this endpoint only, signed and " +
      "encrypted like every delivery, with the usual retries. Without an active encryption key " +
      "the delivery is recorded as failed (`no_active_key`).",
    tags: ["Webhooks"],
    operationId: "sendWebhookTestEvent",
    scope: "webhooks:write",
    params: idParams,
    response: deliverySchema,
    status: 202,
    errors: [
      ENDPOINT_NOT_FOUND,
      { status: 409, code: "ENDPOINT_DISABLED", when: "the endpoint is disabled" },
      { status: 409, code: "CONFLICT", when: "the endpoint changed meanwhile; retry" },
    ],
    async handler(c, { params }) {
      const deps = c.var.deps;
      const entry = await requireEndpoint(c, params.id);
      const sent = await sendTestEvent(deps, entry);
      if (sent === "endpoint_disabled") {
        throw new ApiError(
          409,
          "ENDPOINT_DISABLED",
          "Enable the endpoint to send it a test event.",
        );
      }
      if (sent === "changed") {
        throw new ApiError(409, "CONFLICT", "The endpoint changed meanwhile; retry.");
      }
      deps.logger.info("webhook_endpoint.test_event", {
        endpoint_id: params.id,
        delivery_id: sent.delivery.id,
      });
      return ok(c, deliveryObject(sent.delivery, deps.clock.now()), 202);
    },
  }),
});

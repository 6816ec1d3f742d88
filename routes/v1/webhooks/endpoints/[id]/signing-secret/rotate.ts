/** `POST /v1/webhooks/endpoints/{id}/signing-secret/rotate`: new secret; the old one signs 24 h more. */
import { z } from "@hono/zod-openapi";
import { define } from "../../../../../../lib/framework/define.ts";
import { ok } from "../../../../../../lib/http/envelope.ts";
import { notFound } from "../../../../../../lib/http/errors.ts";
import { rotateSigningSecret } from "../../../../../../webhooks/endpoints.ts";
import { endpointObject, endpointSchema } from "../../../../../../webhooks/api_objects.ts";
import {
  caller,
  ENDPOINT_NOT_FOUND,
  idParams,
  requireEndpoint,
} from "../../../../../../webhooks/api_support.ts";

export const api = define.api({
  POST: define.operation({
    summary: "Rotate an endpoint's signing secret",
    description:
      "Issues a new signing secret (shown once). For 24 hours deliveries carry two v1 signatures, one per secret.",
    tags: ["Webhooks"],
    operationId: "rotateWebhookSigningSecret",
    scope: "webhooks:write",
    params: idParams,
    response: z.object({
      endpoint: endpointSchema,
      signing_secret: z.string(),
      previous_secret_expires_at: z.string(),
    }),
    errors: [ENDPOINT_NOT_FOUND],
    async handler(c, { params }) {
      const deps = c.var.deps;
      await requireEndpoint(c, params.id);
      const rotated = await rotateSigningSecret(deps, caller(c), params.id);
      if (!rotated) throw notFound("webhook endpoint");
      deps.logger.info("webhook_endpoint.secret_rotated", { endpoint_id: params.id });
      c.header("Cache-Control", "no-store");
      return ok(c, {
        endpoint: endpointObject(rotated.endpoint),
        signing_secret: rotated.signingSecret,
        previous_secret_expires_at: rotated.endpoint.previousSecret!.expiresAt!,
      });
    },
  }),
});

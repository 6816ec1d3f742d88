/** `GET`, `PATCH` (at least one field) and `DELETE /v1/webhooks/endpoints/{id}`. */
import { z } from "@hono/zod-openapi";
import { define } from "../../../../lib/framework/define.ts";
import { ok } from "../../../../lib/http/envelope.ts";
import { notFound } from "../../../../lib/http/errors.ts";
import { deleteEndpoint, updateEndpoint } from "../../../../webhooks/endpoints.ts";
import { endpointObject, endpointSchema } from "../../../../webhooks/api_objects.ts";
import {
  caller,
  ENDPOINT_NOT_FOUND,
  endpointInput,
  idParams,
  patchEndpointBody,
  requireEndpoint,
  URL_ERRORS,
} from "../../../../webhooks/api_support.ts";

export const api = define.api({
  GET: define.operation({
    summary: "Get a webhook endpoint",
    tags: ["Webhooks"],
    operationId: "getWebhookEndpoint",
    scope: "webhooks:read",
    params: idParams,
    response: endpointSchema,
    errors: [ENDPOINT_NOT_FOUND],
    async handler(c, { params }) {
      return ok(c, endpointObject((await requireEndpoint(c, params.id)).value));
    },
  }),
  PATCH: define.operation({
    summary: "Update a webhook endpoint",
    tags: ["Webhooks"],
    operationId: "updateWebhookEndpoint",
    scope: "webhooks:write",
    params: idParams,
    body: patchEndpointBody,
    response: endpointSchema,
    errors: [ENDPOINT_NOT_FOUND, ...URL_ERRORS],
    async handler(c, { params, body }) {
      const deps = c.var.deps;
      await requireEndpoint(c, params.id);
      const updated = await updateEndpoint(
        deps,
        caller(c),
        params.id,
        endpointInput(body, deps.config.devMode),
      );
      if (!updated) throw notFound("webhook endpoint");
      return ok(c, endpointObject(updated));
    },
  }),
  DELETE: define.operation({
    summary: "Delete a webhook endpoint",
    description:
      "Deletes the endpoint and its keys. Delivery history stays; pending deliveries end failed.",
    tags: ["Webhooks"],
    operationId: "deleteWebhookEndpoint",
    scope: "webhooks:write",
    params: idParams,
    response: z.object({
      id: z.string(),
      object: z.literal("webhook_endpoint"),
      deleted: z.literal(true),
    }),
    errors: [ENDPOINT_NOT_FOUND],
    async handler(c, { params }) {
      await requireEndpoint(c, params.id);
      if (!await deleteEndpoint(c.var.deps.kv, caller(c), params.id)) {
        throw notFound("webhook endpoint");
      }
      c.var.deps.logger.info("webhook_endpoint.deleted", { endpoint_id: params.id });
      return ok(c, { id: params.id, object: "webhook_endpoint" as const, deleted: true as const });
    },
  }),
});

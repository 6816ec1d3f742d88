/** `POST /v1/webhooks/endpoints` (create; the signing secret is shown once) and `GET` (list). */
import { z } from "@hono/zod-openapi";
import { define } from "../../../../lib/framework/define.ts";
import { okList } from "../../../../lib/http/envelope.ts";
import { createEndpoint, listEndpoints } from "../../../../webhooks/endpoints.ts";
import { endpointObject, endpointSchema } from "../../../../webhooks/api_objects.ts";
import {
  caller,
  createEndpointBody,
  endpointInput,
  URL_ERRORS,
} from "../../../../webhooks/api_support.ts";
import { listQueryFields, paginate } from "../../../../webhooks/pagination.ts";
import { idempotencyKeyHeaders } from "../../../../lib/http/openapi_schemas.ts";
import { withIdempotency } from "../../../../lib/http/idempotency.ts";

export const api = define.api({
  POST: define.operation({
    summary: "Create a webhook endpoint",
    description:
      "Creates an endpoint in the API key's mode. The response carries the signing secret, shown only here.",
    tags: ["Webhooks"],
    operationId: "createWebhookEndpoint",
    scope: "webhooks:write",
    body: createEndpointBody,
    headers: idempotencyKeyHeaders,
    response: z.object({ endpoint: endpointSchema, signing_secret: z.string() }),
    errors: [
      ...URL_ERRORS,
      {
        status: 409,
        code: "CONFLICT",
        when: "the Idempotency-Key was used with another body, or is in use",
      },
      { status: 409, code: "WEBHOOKS_DISABLED", when: "this instance runs without webhooks" },
    ],
    async handler(c, { body }) {
      const deps = c.var.deps;
      const { orgId, mode } = caller(c);
      c.header("Cache-Control", "no-store");
      return await withIdempotency(c, "POST /v1/webhooks/endpoints", body, async () => {
        const input = endpointInput(body, deps.config.devMode);
        const { endpoint, signingSecret } = await createEndpoint(deps, orgId, mode, {
          ...input,
          name: input.name!,
          url: input.url!,
        });
        deps.logger.info("webhook_endpoint.created", {
          org_id: orgId,
          endpoint_id: endpoint.id,
          mode,
        });
        const data = { endpoint: endpointObject(endpoint), signing_secret: signingSecret };
        return { status: 200, body: { data, error: null } };
      });
    },
  }),
  GET: define.operation({
    summary: "List webhook endpoints",
    tags: ["Webhooks"],
    operationId: "listWebhookEndpoints",
    scope: "webhooks:read",
    query: z.object(listQueryFields),
    response: endpointSchema,
    list: true,
    async handler(c, { query }) {
      const all = await listEndpoints(c.var.deps.kv, caller(c));
      const { page, pagination } = paginate(all, query.limit, query.starting_after);
      return okList(c, page.map(endpointObject), pagination);
    },
  }),
});

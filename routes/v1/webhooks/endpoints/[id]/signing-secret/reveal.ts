/** `POST /v1/webhooks/endpoints/{id}/signing-secret/reveal`: the current secret in clear. */
import { z } from "@hono/zod-openapi";
import { define } from "../../../../../../lib/framework/define.ts";
import { ok } from "../../../../../../lib/http/envelope.ts";
import { revealSigningSecret } from "../../../../../../webhooks/endpoints.ts";
import {
  ENDPOINT_NOT_FOUND,
  idParams,
  requireEndpoint,
  requireOwnerCreatedKey,
  REVEAL_NEEDS_OWNER_KEY,
} from "../../../../../../webhooks/api_support.ts";

export const api = define.api({
  POST: define.operation({
    summary: "Reveal an endpoint's signing secret",
    description:
      "Returns the current signing secret. Only owners may reveal it: in the dashboard, and through a key an owner created (or one made with `deno task admin`).",
    tags: ["Webhooks"],
    operationId: "revealWebhookSigningSecret",
    scope: "webhooks:write",
    params: idParams,
    response: z.object({ endpoint_id: z.string(), signing_secret: z.string() }),
    errors: [ENDPOINT_NOT_FOUND, REVEAL_NEEDS_OWNER_KEY],
    async handler(c, { params }) {
      const deps = c.var.deps;
      const entry = await requireEndpoint(c, params.id);
      await requireOwnerCreatedKey(c);
      deps.logger.info("webhook_endpoint.secret_revealed", {
        endpoint_id: params.id,
        api_key_id: c.var.apiKey!.id,
      });
      c.header("Cache-Control", "no-store");
      return ok(c, {
        endpoint_id: params.id,
        signing_secret: await revealSigningSecret(deps, entry.value),
      });
    },
  }),
});

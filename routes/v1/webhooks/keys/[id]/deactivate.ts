/** `POST /v1/webhooks/keys/{id}/deactivate`: the endpoint then has no active key until another is activated. */
import { define } from "../../../../../lib/framework/define.ts";
import { ok } from "../../../../../lib/http/envelope.ts";
import { notFound } from "../../../../../lib/http/errors.ts";
import {
  getEncryptionKey,
  setEncryptionKeyStatus,
} from "../../../../../webhooks/encryption_keys.ts";
import { getEndpointEntry } from "../../../../../webhooks/endpoints.ts";
import { keyObject, keySchema } from "../../../../../webhooks/api_objects.ts";
import { caller, idParams } from "../../../../../webhooks/api_support.ts";

export const api = define.api({
  POST: define.operation({
    summary: "Deactivate an encryption key",
    tags: ["Webhooks"],
    operationId: "deactivateWebhookEncryptionKey",
    scope: "webhooks:write",
    params: idParams,
    response: keySchema,
    errors: [{ status: 404, code: "NOT_FOUND", when: "no such key in this organization and mode" }],
    async handler(c, { params }) {
      const deps = c.var.deps;
      const { orgId, mode } = caller(c);
      const key = await getEncryptionKey(deps.kv, orgId, params.id);
      const endpoint = key ? await getEndpointEntry(deps.kv, orgId, key.endpointId) : null;
      if (!key || endpoint?.value.mode !== mode) throw notFound("encryption key");
      const updated = await setEncryptionKeyStatus(deps, orgId, params.id, "inactive");
      if (!updated) throw notFound("encryption key");
      deps.logger.info("webhook_key.deactivated", { key_id: params.id });
      return ok(c, keyObject(updated));
    },
  }),
});

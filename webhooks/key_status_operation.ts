/**
 * The one operation behind `POST /v1/webhooks/keys/{id}/deactivate` and `/reactivate`: find the
 * key in the caller's organization and mode, set its status (reactivating makes it the endpoint's
 * only active key), answer with the key.
 */
import { define } from "../lib/framework/define.ts";
import { ok } from "../lib/http/envelope.ts";
import { notFound } from "../lib/http/errors.ts";
import { getEncryptionKey, setEncryptionKeyStatus } from "./encryption_keys.ts";
import { getEndpointEntry } from "./endpoints.ts";
import { keyObject, keySchema } from "./api_objects.ts";
import { caller, idParams } from "./api_support.ts";

/** The API operation that moves a key to `status`. */
export function keyStatusOperation(status: "active" | "inactive") {
  const verb = status === "active" ? "reactivate" : "deactivate";
  return define.operation({
    summary: `${verb[0].toUpperCase()}${verb.slice(1)} an encryption key`,
    tags: ["Webhooks"],
    operationId: `${verb}WebhookEncryptionKey`,
    scope: "webhooks:write",
    params: idParams,
    response: keySchema,
    errors: [{ status: 404, code: "NOT_FOUND", when: "no such key in this organization and mode" }],
    async handler(c, { params }) {
      const deps = c.var.deps;
      const { orgId, mode } = caller(c);
      const key = await getEncryptionKey(deps.kv, orgId, params.id);
      const endpoint = key
        ? await getEndpointEntry(deps.kv, { orgId, mode }, key.endpointId)
        : null;
      if (!key || !endpoint) throw notFound("encryption key");
      const updated = await setEncryptionKeyStatus(deps, orgId, params.id, status);
      if (!updated) throw notFound("encryption key");
      deps.logger.info(`webhook_key.${verb}d`, { key_id: params.id });
      return ok(c, keyObject(updated));
    },
  });
}

/** `POST /v1/webhooks/endpoints/{id}/keys` (register the active key) and `GET` (list keys). */
import { z } from "@hono/zod-openapi";
import { define } from "../../../../../lib/framework/define.ts";
import { ApiError } from "../../../../../lib/http/errors.ts";
import { ok, okList } from "../../../../../lib/http/envelope.ts";
import {
  addEncryptionKey,
  KEY_ID_PATTERN,
  listEncryptionKeys,
  validatePublicJwk,
} from "../../../../../webhooks/encryption_keys.ts";
import { keyObject, keySchema } from "../../../../../webhooks/api_objects.ts";
import {
  ENDPOINT_NOT_FOUND,
  idParams,
  requireEndpoint,
} from "../../../../../webhooks/api_support.ts";
import { listQueryFields, paginate } from "../../../../../webhooks/pagination.ts";

const body = z.object({
  jwk: z.record(z.string(), z.unknown()).openapi({
    description: "Public RSA JWK (≥ 2048 bits, no private members; alg RSA-OAEP-256 when given).",
    example: { kty: "RSA", n: "…", e: "AQAB", alg: "RSA-OAEP-256" },
  }),
  key_id: z.string().regex(KEY_ID_PATTERN).optional().openapi({
    description:
      "Your own id for this key (1–128 of A–Z a–z 0–9 . _ : -), unique per endpoint; deliveries " +
      "carry it as the JWE `kid`. Without it the generated `whk_` id is the `kid`.",
    example: "acme-2026-06",
  }),
  algorithm: z.literal("RSA-OAEP-256").optional(),
  key_type: z.literal("RSA").optional(),
}).strict();

export const api = define.api({
  POST: define.operation({
    summary: "Register an encryption key",
    description:
      "Registers the integrator's public key; it becomes the endpoint's only active key. " +
      "Answers 200, like endpoint creation.",
    tags: ["Webhooks"],
    operationId: "createWebhookEncryptionKey",
    scope: "webhooks:write",
    params: idParams,
    body,
    response: keySchema,
    errors: [
      ENDPOINT_NOT_FOUND,
      {
        status: 409,
        code: "KEY_ID_IN_USE",
        when: "another key of this endpoint already has this key_id",
      },
      { status: 409, code: "CONFLICT", when: "the endpoint changed meanwhile; retry" },
      {
        status: 400,
        code: "INVALID_ENCRYPTION_KEY",
        when: "the JWK is not a usable RSA-OAEP-256 public key",
      },
      {
        status: 400,
        code: "PRIVATE_KEY_NOT_ALLOWED",
        when: "the JWK has private members (d, p, q, dp, dq, qi)",
      },
      {
        status: 400,
        code: "ENCRYPTION_KEY_TOO_SMALL",
        when: "the modulus is shorter than 2048 bits",
      },
    ],
    async handler(c, { params, body }) {
      const deps = c.var.deps;
      const entry = await requireEndpoint(c, params.id);
      const checked = await validatePublicJwk(body.jwk);
      if (!checked.ok) throw new ApiError(400, checked.problem.code, checked.problem.message);
      const key = await addEncryptionKey(deps, entry, checked, body.key_id);
      if (key === "duplicate_key_id") {
        throw new ApiError(
          409,
          "KEY_ID_IN_USE",
          "Another key of this endpoint already has this key_id; choose another.",
        );
      }
      if (key === "changed") {
        throw new ApiError(409, "CONFLICT", "The endpoint changed meanwhile; retry.");
      }
      deps.logger.info("webhook_key.created", { endpoint_id: params.id, key_id: key.id });
      return ok(c, keyObject(key));
    },
  }),
  GET: define.operation({
    summary: "List an endpoint's encryption keys",
    tags: ["Webhooks"],
    operationId: "listWebhookEncryptionKeys",
    scope: "webhooks:read",
    params: idParams,
    query: z.object(listQueryFields),
    response: keySchema,
    list: true,
    errors: [ENDPOINT_NOT_FOUND],
    async handler(c, { params, query }) {
      await requireEndpoint(c, params.id);
      const keys = (await listEncryptionKeys(c.var.deps.kv, params.id)).map((k) => ({ ...k }));
      const { page, pagination } = paginate(keys, query.limit, query.starting_after);
      return okList(c, page.map(keyObject), pagination);
    },
  }),
});

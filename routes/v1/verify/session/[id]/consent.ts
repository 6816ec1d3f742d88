/**
 * `POST /v1/verify/session/:id/consent` (docs/api.md#the-public-verify-surface): records the user's selection of share fields
 * (every required field, only requested ones) with its time and contract hash. Public.
 */
import { z } from "@hono/zod-openapi";
import { define } from "../../../../../lib/framework/define.ts";
import { ok } from "../../../../../lib/http/envelope.ts";
import { recordConsent } from "../../../../../lib/sessions/consent.ts";
import { limitPublicRequest, publicErrors } from "../../../../../lib/sessions/http.ts";
import { sessionIdParamsSchema } from "../../../../../lib/sessions/api_objects.ts";

const consentResponse = z.object({
  session_id: z.string(),
  selected_field_keys: z.array(z.string()).openapi({
    description: "In the session's canonical order.",
  }),
  contract_hash: z.string().openapi({
    description: "SHA-256 (hex) of the contract version and share fields.",
  }),
  consented_at: z.string().openapi({ format: "date-time" }),
}).openapi("ConsentRecord");

const consentRequest = z.object({
  selected_field_keys: z.array(z.string().max(64)).max(64),
}).strict().openapi("ConsentRequest");

export const api = define.api({
  POST: define.operation({
    summary: "Record the user's consent",
    description:
      "May be replaced until a phone claims an attempt. Rate-limited per client address and per session.",
    tags: ["Verify"],
    operationId: "recordConsent",
    scope: "public",
    params: sessionIdParamsSchema,
    body: consentRequest,
    response: consentResponse,
    errors: [
      ...publicErrors,
      {
        status: 400,
        code: "CONSENT_REQUIRED_FIELD_MISSING",
        when: "a required share field is not selected",
      },
      {
        status: 400,
        code: "CONSENT_FIELD_NOT_REQUESTED",
        when: "a selected key was not requested",
      },
      {
        status: 409,
        code: "SESSION_IN_PROGRESS",
        when: "a phone already claimed an attempt; consent is fixed",
      },
      { status: 410, code: "SESSION_EXPIRED", when: "the session has ended" },
    ],
    async handler(c, { params, body }) {
      await limitPublicRequest(c, "consent", params.id);
      const record = await recordConsent(c.var.deps, params.id, body.selected_field_keys);
      return ok(c, {
        session_id: record.sessionId,
        selected_field_keys: record.selectedFieldKeys,
        contract_hash: record.contractHash,
        consented_at: record.consentedAt,
      });
    },
  }),
});

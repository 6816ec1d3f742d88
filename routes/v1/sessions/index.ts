/**
 * `POST /v1/sessions` (create, with `Idempotency-Key`) and `GET /v1/sessions` (newest first,
 * cursor pagination, status and creation-date filters). docs/api.md.
 */
import { z } from "@hono/zod-openapi";
import { define } from "../../../lib/framework/define.ts";
import { okList } from "../../../lib/http/envelope.ts";
import { ApiError } from "../../../lib/http/errors.ts";
import { idempotencyKeyHeaders } from "../../../lib/http/openapi_schemas.ts";
import { parseRedirectUrl, parseShareFields } from "../../../lib/sessions/share_fields.ts";
import {
  createSession,
  isUsableWebhookEndpoint,
  listSessions,
} from "../../../lib/sessions/sessions.ts";
import { attemptsAsRead } from "../../../lib/sessions/effective.ts";
import { withIdempotency } from "../../../lib/http/idempotency.ts";
import {
  includeAttemptsSchema,
  limitSchema,
  sessionSchema,
  toSessionObject,
} from "../../../lib/sessions/api_objects.ts";
import { listQueryErrors, parseDateBound } from "../../../lib/sessions/list_query.ts";
import { SESSION_STATUSES } from "../../../lib/sessions/types.ts";

const shareFieldsRequest = z.unknown().optional().openapi({
  type: "object",
  description:
    "Requested claims keyed by claim key (docs/api.md#share-fields): each `{required: boolean, reason: string}` " +
    "with a reason of 1–200 characters; at most 32 entries; one `age_over_N` (N 12–130) at most. " +
    "`kayle_document_id` is always added (required). Omit for the default contract.",
  additionalProperties: {
    type: "object",
    properties: {
      required: { type: "boolean" },
      reason: { type: "string", minLength: 1, maxLength: 200 },
    },
    required: ["required", "reason"],
  },
  example: { date_of_birth: { required: true, reason: "Needed to verify age eligibility" } },
});

const createBody = z.object({
  redirect_url: z.string().nullable().optional().openapi({
    description:
      "Absolute https URL (≤ 2048 characters, no credentials) the user returns to, with " +
      "`session_id` added. http is accepted only for localhost in development mode.",
    example: "https://example.com/redirect",
  }),
  share_fields: shareFieldsRequest,
  webhook_endpoint_id: z.string().nullable().optional().openapi({
    description:
      "Deliver this session's events only to that endpoint (one of the key's mode; else 404).",
  }),
}).strict().openapi("CreateSessionRequest");

const shareFieldErrors = [
  "INVALID_SHARE_FIELDS",
  "UNKNOWN_CLAIM_KEY",
  "INVALID_AGE_GATE_KEY",
  "MULTIPLE_AGE_GATES_NOT_ALLOWED",
  "REASON_REQUIRED",
  "REASON_TOO_LONG",
  "TOO_MANY_SHARE_FIELDS",
  "INVALID_REDIRECT_URL",
].map((code) => ({
  status: 400,
  code,
  when: "the share-field contract or redirect URL breaks a rule",
}));

export const api = define.api({
  POST: define.operation({
    summary: "Create a verification session",
    description:
      "Creates a session that expires in 60 minutes. Send `Idempotency-Key: <key>` to make retries " +
      "safe: the same key and body within 24 h returns the first response (`Idempotent-Replayed: true`).",
    tags: ["Sessions"],
    operationId: "createSession",
    scope: "sessions:write",
    body: createBody,
    headers: idempotencyKeyHeaders,
    query: z.object({ include_attempts: includeAttemptsSchema }),
    response: sessionSchema,
    errors: [
      ...shareFieldErrors,
      {
        status: 404,
        code: "NOT_FOUND",
        when: "webhook_endpoint_id names no endpoint of the organization in the key's mode",
      },
      {
        status: 409,
        code: "CONFLICT",
        when: "the Idempotency-Key was used with another body, or is in use",
      },
      {
        status: 409,
        code: "WEBHOOKS_DISABLED",
        when: "webhook_endpoint_id is given but this instance runs without webhooks",
      },
    ],
    async handler(c, { body, query }) {
      const deps = c.var.deps;
      const key = c.var.apiKey!;
      return await withIdempotency(
        c,
        "POST /v1/sessions",
        { body, query },
        async () => {
          const shareFields = parseShareFields(body?.share_fields);
          const redirectUrl = typeof body?.redirect_url === "string"
            ? parseRedirectUrl(body.redirect_url, deps.config.devMode)
            : null;
          const endpointId = body?.webhook_endpoint_id ?? null;
          const scope = { orgId: key.orgId, mode: key.mode };
          if (endpointId && !await isUsableWebhookEndpoint(deps, scope, endpointId)) {
            throw new ApiError(
              404,
              "NOT_FOUND",
              `webhook_endpoint_id names no webhook endpoint of this organization in ${key.mode} mode.`,
              { hint: `Use the id of a ${key.mode} endpoint (GET /v1/webhooks/endpoints).` },
            );
          }
          const { session, cancelToken } = await createSession(deps, {
            orgId: key.orgId,
            mode: key.mode,
            shareFields,
            redirectUrl,
            webhookEndpointId: endpointId,
          });
          deps.logger.info("session.created", {
            org_id: key.orgId,
            session_id: session.id,
            mode: key.mode,
          });
          const data = toSessionObject(session, {
            publicUrl: deps.config.publicUrl,
            cancelToken,
            attempts: query.include_attempts === "true" ? [] : undefined,
          });
          return { status: 200, body: { data, error: null } };
        },
      );
    },
  }),
  GET: define.operation({
    summary: "List verification sessions",
    description:
      "Sessions of the key's mode, newest first. `created_from` / `created_to` are ISO 8601 and inclusive (a bare date " +
      "covers the whole UTC day). `starting_after` continues after that session.",
    tags: ["Sessions"],
    operationId: "listSessions",
    scope: "sessions:read",
    query: z.object({
      status: z.enum(SESSION_STATUSES).optional(),
      created_from: z.string().optional().openapi({ example: "2026-06-01T00:00:00Z" }),
      created_to: z.string().optional().openapi({ example: "2026-06-30" }),
      limit: limitSchema,
      starting_after: z.string().optional(),
      include_attempts: includeAttemptsSchema,
    }),
    response: sessionSchema,
    list: true,
    errors: listQueryErrors,
    async handler(c, { query }) {
      const deps = c.var.deps;
      const createdFrom = parseDateBound("created_from", query.created_from, "start");
      const createdTo = parseDateBound("created_to", query.created_to, "end");
      if (createdFrom && createdTo && createdFrom > createdTo) {
        throw new ApiError(400, "INVALID_REQUEST", "created_from is after created_to.");
      }
      const limit = query.limit ?? 10;
      const page = await listSessions(deps, {
        orgId: c.var.apiKey!.orgId,
        mode: c.var.apiKey!.mode,
      }, {
        status: query.status,
        createdFrom,
        createdTo,
        limit,
        startingAfter: query.starting_after,
      });
      const withAttempts = query.include_attempts === "true";
      const data = await Promise.all(page.items.map(async (s) =>
        toSessionObject(s, {
          publicUrl: deps.config.publicUrl,
          attempts: withAttempts ? await attemptsAsRead(deps.kv, s) : undefined,
        })
      ));
      return okList(c, data, {
        limit,
        has_more: page.hasMore,
        next_cursor: page.hasMore ? data.at(-1)!.id : null,
      });
    },
  }),
});

/**
 * The API objects of sessions and attempts (docs/api.md) as zod schemas (they feed the OpenAPI
 * document) and the functions that build them from stored records. The objects never carry
 * document data, MRZ fields, portraits, selfies, face scores or claims.
 */
import { z } from "@hono/zod-openapi";
import {
  ATTEMPT_STATUSES,
  type AttemptRecord,
  attemptsRemaining,
  SESSION_STATUSES,
  type SessionRecord,
} from "./types.ts";

const timestamp = z.string().openapi({ format: "date-time", example: "2026-06-01T12:00:00.000Z" });

/** A stored share-field entry. */
export const shareFieldEntrySchema = z.object({
  required: z.boolean(),
  reason: z.string().openapi({ example: "Needed to verify age eligibility" }),
  source: z.enum(["rc", "default"]).openapi({
    description: "`rc`: requested by the relying party; `default`: added by the platform.",
  }),
}).openapi("ShareFieldEntry");

/** The attempt object. */
export const attemptSchema = z.object({
  id: z.string().openapi({ example: "va_…" }),
  object: z.literal("verification_attempt"),
  session_id: z.string(),
  status: z.enum(ATTEMPT_STATUSES),
  failure_code: z.string().nullable().openapi({ example: "selfie_face_mismatch" }),
  risk_score: z.number().min(0).max(1).nullable(),
  claimed_at: timestamp.nullable(),
  completed_at: timestamp.nullable(),
  created_at: timestamp,
  updated_at: timestamp,
}).openapi("VerificationAttempt");

/** The session object (cancel_token only at creation, attempts only on request). */
export const sessionSchema = z.object({
  id: z.string().openapi({
    example: "vs_mza7vecksrtyfw193ekcvl5vnws3bt1lz96buu3iw7zidckf8dga2zx2echb3t16",
  }),
  object: z.literal("verification_session"),
  mode: z.enum(["live", "test"]),
  status: z.enum(SESSION_STATUSES),
  outcome: z.enum(["succeeded", "failed"]).nullable(),
  failure_code: z.string().nullable(),
  contract_version: z.number().int(),
  share_fields: z.record(z.string(), shareFieldEntrySchema),
  redirect_url: z.string().nullable(),
  webhook_endpoint_id: z.string().nullable(),
  verification_url: z.string().openapi({
    description:
      "Where to send the user. The create response embeds `?cancel_token=`; later reads do not " +
      "(the token is stored only as a hash).",
  }),
  attempts_used: z.number().int(),
  attempts_remaining: z.number().int(),
  expires_at: timestamp,
  completed_at: timestamp.nullable(),
  created_at: timestamp,
  updated_at: timestamp,
  cancel_token: z.string().optional().openapi({
    description: "One-shot; only in the create response.",
  }),
  attempts: z.array(attemptSchema).optional().openapi({
    description: "Only with `include_attempts=true`.",
  }),
}).openapi("VerificationSession");

/** A session object. */
export type SessionObject = z.infer<typeof sessionSchema>;
/** An attempt object. */
export type AttemptObject = z.infer<typeof attemptSchema>;

/** The attempt object of a record. */
export function toAttemptObject(a: AttemptRecord): AttemptObject {
  return {
    id: a.id,
    object: "verification_attempt",
    session_id: a.sessionId,
    status: a.status,
    failure_code: a.failureCode,
    risk_score: a.riskScore,
    claimed_at: a.claimedAt,
    completed_at: a.completedAt,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
  };
}

/** `<public URL>/verify/<id>`, with `?cancel_token=` when the token is known (creation only). */
export function verificationUrl(
  publicUrl: string,
  sessionId: string,
  cancelToken?: string,
): string {
  const base = `${publicUrl}/verify/${sessionId}`;
  return cancelToken ? `${base}?cancel_token=${encodeURIComponent(cancelToken)}` : base;
}

/** The session object of a record. */
export function toSessionObject(
  s: SessionRecord,
  options: { publicUrl: string; cancelToken?: string; attempts?: AttemptRecord[] },
): SessionObject {
  return {
    id: s.id,
    object: "verification_session",
    mode: s.mode,
    status: s.status,
    outcome: s.outcome,
    failure_code: s.outcome === "failed" ? s.failureCode : null,
    contract_version: s.contractVersion,
    share_fields: s.shareFields,
    redirect_url: s.redirectUrl,
    webhook_endpoint_id: s.webhookEndpointId,
    verification_url: verificationUrl(options.publicUrl, s.id, options.cancelToken),
    attempts_used: s.attemptsUsed,
    attempts_remaining: attemptsRemaining(s),
    expires_at: s.expiresAt,
    completed_at: s.completedAt,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    ...(options.cancelToken ? { cancel_token: options.cancelToken } : {}),
    ...(options.attempts ? { attempts: options.attempts.map(toAttemptObject) } : {}),
  };
}

/** `include_attempts` query flag. */
export const includeAttemptsSchema = z.enum(["true", "false"]).optional().openapi({
  description: "`true` adds the `attempts` array (newest first).",
});

/** `limit` query parameter (decimal 1–100, default 10). */
export { limitSchema } from "../http/list_params.ts";

/** The `{id}` path parameter (an unknown, malformed or oversized id is 404). */
export const sessionIdParamsSchema = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "vs_…" }),
});

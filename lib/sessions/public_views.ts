/**
 * What the public verify surface (docs/api.md#the-public-verify-surface) shows about a session: the consent screen's details
 * and the status a verify page polls. Scoped by session id; never any document data.
 */
import { z } from "@hono/zod-openapi";
import { claimDescription, claimLabel } from "../../verify/claims/mod.ts";
import type { ConsentRecord } from "./consent.ts";
import { type AttemptRecord, attemptsRemaining, isTerminal, type SessionRecord } from "./types.ts";
import { ATTEMPT_STATUSES, SESSION_STATUSES } from "./types.ts";

/** The consent screen's view of a session. */
export const publicDetailsSchema = z.object({
  session_id: z.string(),
  organization_name: z.string(),
  mode: z.enum(["live", "test"]),
  status: z.enum(SESSION_STATUSES),
  is_terminal: z.boolean(),
  expires_at: z.string().openapi({ format: "date-time" }),
  contract_version: z.number().int(),
  share_fields: z.array(z.object({
    key: z.string(),
    label: z.string(),
    description: z.string(),
    required: z.boolean(),
    reason: z.string(),
    source: z.enum(["rc", "default"]),
  })).openapi({ description: "In the session's canonical order." }),
  consent: z.object({
    selected_field_keys: z.array(z.string()),
    consented_at: z.string().openapi({ format: "date-time" }),
  }).nullable(),
}).openapi("PublicSessionDetails");

/** The polled status of a session. */
export const publicStatusSchema = z.object({
  session_id: z.string(),
  status: z.enum(SESSION_STATUSES),
  is_terminal: z.boolean(),
  same_device_only: z.boolean(),
  attempts_remaining: z.number().int(),
  latest_attempt: z.object({
    id: z.string(),
    status: z.enum(ATTEMPT_STATUSES),
    failure_code: z.string().nullable(),
  }).nullable(),
  redirect_url: z.string().nullable().openapi({
    description:
      "Only once terminal: the integrator's redirect URL with `session_id` added; else null.",
  }),
}).openapi("PublicSessionStatus");

/** The details object. */
export function toPublicDetails(
  session: SessionRecord,
  organizationName: string,
  consent: ConsentRecord | null,
): z.infer<typeof publicDetailsSchema> {
  return {
    session_id: session.id,
    organization_name: organizationName,
    mode: session.mode,
    status: session.status,
    is_terminal: isTerminal(session.status),
    expires_at: session.expiresAt,
    contract_version: session.contractVersion,
    share_fields: Object.entries(session.shareFields).map(([key, field]) => ({
      key,
      label: claimLabel(key) ?? key,
      description: claimDescription(key) ?? "",
      required: field.required,
      reason: field.reason,
      source: field.source,
    })),
    consent: consent
      ? { selected_field_keys: consent.selectedFieldKeys, consented_at: consent.consentedAt }
      : null,
  };
}

/** The redirect URL with `session_id` added (where the verify page sends the user at the end). */
export function redirectWithSessionId(redirectUrl: string, sessionId: string): string {
  const url = new URL(redirectUrl);
  url.searchParams.set("session_id", sessionId);
  return url.toString();
}

/** The status object. */
export function toPublicStatus(
  session: SessionRecord,
  latest: AttemptRecord | null,
): z.infer<typeof publicStatusSchema> {
  const terminal = isTerminal(session.status);
  return {
    session_id: session.id,
    status: session.status,
    is_terminal: terminal,
    same_device_only: session.deviceIdHash !== null,
    attempts_remaining: attemptsRemaining(session),
    latest_attempt: latest
      ? { id: latest.id, status: latest.status, failure_code: latest.failureCode }
      : null,
    redirect_url: terminal && session.redirectUrl
      ? redirectWithSessionId(session.redirectUrl, session.id)
      : null,
  };
}

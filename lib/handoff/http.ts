/**
 * The HTTP edge of the handoff: rate limits of the handoff and the phone's WebSocket (per client
 * address, shared with the other public verify endpoints, and per session) and the error mapping.
 */
import type { AppContext } from "../framework/define.ts";
import { ApiError, notFound } from "../http/errors.ts";
import { limitVerifyRequest } from "../sessions/http.ts";
import { HandoffError } from "./handoff.ts";

/** Requests per minute per session. */
export const HANDOFF_RATE_LIMITS = { handoff: 30, mobile: 120 } as const;

/** Counts a handoff or WebSocket request; throws 429 `RATE_LIMITED`, then 404 for a bad id. */
export function limitHandoffRequest(
  c: AppContext,
  endpoint: keyof typeof HANDOFF_RATE_LIMITS,
  sessionId: string,
): Promise<void> {
  return limitVerifyRequest(c, endpoint, sessionId, HANDOFF_RATE_LIMITS[endpoint]);
}

/** Maps a {@link HandoffError} to an API error; anything else is rethrown as is. */
export function toHandoffApiError(error: unknown): unknown {
  if (!(error instanceof HandoffError)) return error;
  if (error.code === "NOT_FOUND") return notFound("session");
  const hint = error.code === "CONSENT_REQUIRED"
    ? "Record the user's consent with POST /v1/verify/session/:id/consent first."
    : error.code === "SESSION_IN_PROGRESS"
    ? "The phone reconnects with the token it already has."
    : "Create a new session to verify again.";
  return new ApiError(error.status, error.code, error.message, { hint });
}

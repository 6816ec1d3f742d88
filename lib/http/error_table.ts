/**
 * The one table from a coded error (`lib/core/errors.ts`) to its answers: the HTTP status, the
 * public code when it differs from the layer's, a fixed message or a hint, and the phone
 * protocol's error code (whose WebSocket close code is `CLOSE_CODES` in
 * `lib/handoff/protocol.ts`). `onError` (`lib/app.ts`, {@link apiErrorOf}) and the phone's
 * connection (`lib/handoff/connection.ts`, {@link mobileErrorOf}) read it; no route or layer maps
 * errors itself.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { CodedError } from "../core/errors.ts";
import { HelloRefused, type MobileErrorCode } from "../handoff/protocol.ts";
import { ApiError, type ErrorCode } from "./errors.ts";

/** How one code is answered. */
export interface ErrorAnswer {
  status: ContentfulStatusCode;
  /** The public code, when it is not the layer's own. */
  code?: ErrorCode;
  /** A fixed message, when the layer's message is not the one to show. */
  message?: string;
  hint?: string;
  /** The phone protocol's code when the phone's connection meets this error. */
  mobile?: MobileErrorCode;
}

/** A session that ended: `410 SESSION_EXPIRED`, whichever layer noticed. */
const SESSION_ENDED: ErrorAnswer = {
  status: 410,
  code: "SESSION_EXPIRED",
  hint: "Create a new session to verify again.",
  mobile: "ATTEMPT_ENDED",
};
const NO_SESSION: ErrorAnswer = {
  status: 404,
  code: "NOT_FOUND",
  message: "No such session.",
  mobile: "SESSION_NOT_FOUND",
};
const STATE_CONFLICT: ErrorAnswer = { status: 409, code: "CONFLICT", mobile: "ATTEMPT_ENDED" };
const BAD_SHARE_FIELDS: ErrorAnswer = { status: 400 };

/** Every coded error of the layers, by code. */
export const ERROR_TABLE: Readonly<Record<string, ErrorAnswer>> = {
  // Session state changes (lib/sessions/types.ts SessionStateError).
  session_not_found: NO_SESSION,
  attempt_not_found: NO_SESSION,
  session_terminal: { ...SESSION_ENDED, message: "The session has ended." },
  session_in_progress: { status: 409, code: "SESSION_IN_PROGRESS", mobile: "ATTEMPT_ENDED" },
  attempt_not_current: STATE_CONFLICT,
  attempt_not_in_progress: STATE_CONFLICT,
  attempt_not_claimed: STATE_CONFLICT,
  device_mismatch: { ...STATE_CONFLICT, mobile: "HANDOFF_DEVICE_MISMATCH" },
  contention: { ...STATE_CONFLICT, hint: "Retry the request." },
  // Lists (lib/sessions/sessions.ts).
  invalid_cursor: {
    status: 400,
    code: "INVALID_REQUEST",
    hint: "Pass the id of an item from a previous page of the same list.",
  },
  unknown_filter: {
    status: 404,
    code: "NOT_FOUND",
    hint: "Filter by the id of an object your key can read (same organization and mode).",
  },
  // Share fields and redirect URL (lib/sessions/share_fields.ts), consent (consent.ts).
  INVALID_SHARE_FIELDS: BAD_SHARE_FIELDS,
  UNKNOWN_CLAIM_KEY: BAD_SHARE_FIELDS,
  INVALID_AGE_GATE_KEY: BAD_SHARE_FIELDS,
  MULTIPLE_AGE_GATES_NOT_ALLOWED: BAD_SHARE_FIELDS,
  REASON_REQUIRED: BAD_SHARE_FIELDS,
  REASON_TOO_LONG: BAD_SHARE_FIELDS,
  TOO_MANY_SHARE_FIELDS: BAD_SHARE_FIELDS,
  INVALID_REDIRECT_URL: BAD_SHARE_FIELDS,
  CONSENT_REQUIRED_FIELD_MISSING: { status: 400 },
  CONSENT_FIELD_NOT_REQUESTED: { status: 400 },
  // The user's cancel (lib/sessions/cancel_tokens.ts).
  CANCEL_TOKEN_INVALID: { status: 401 },
  CANCEL_TOKEN_USED: {
    status: 409,
    hint: "The session is still open: the token was consumed by an earlier request.",
  },
  // The handoff (lib/handoff/handoff.ts HandoffError).
  NOT_FOUND: { status: 404 },
  SESSION_EXPIRED: SESSION_ENDED,
  CONSENT_REQUIRED: {
    status: 409,
    hint: "Record the user's consent with POST /v1/verify/session/:id/consent first.",
  },
  SESSION_IN_PROGRESS: {
    status: 409,
    hint: "The phone reconnects with the token it already has.",
  },
  // The short link (lib/handoff/short_link.ts ShortLinkError).
  HANDOFF_TOKEN_INVALID: { status: 404, mobile: "HANDOFF_TOKEN_INVALID" },
  HANDOFF_TOKEN_EXPIRED: { status: 410, mobile: "HANDOFF_TOKEN_EXPIRED" },
  // Passkey ceremonies (lib/accounts/passkeys.ts).
  PASSKEYS_UNAVAILABLE: { status: 409 },
  PASSKEY_CHALLENGE_INVALID: { status: 400 },
  PASSKEY_UNKNOWN_CREDENTIAL: { status: 401 },
  PASSKEY_VERIFICATION_FAILED: { status: 401 },
  PASSKEY_COUNTER_REGRESSED: { status: 401 },
  PASSKEY_ALREADY_REGISTERED: { status: 409 },
  PASSKEY_LIMIT_REACHED: { status: 409 },
};

/** The answer of a coded error, or null for an error the table does not know. */
export function answerOf(error: unknown): ErrorAnswer | null {
  if (!(error instanceof CodedError)) return null;
  return Object.hasOwn(ERROR_TABLE, error.code) ? ERROR_TABLE[error.code] : null;
}

/**
 * The phone protocol's code and message for an error its connection met: a hello refused in the
 * protocol's terms as it is, a coded error through the table, or null (an internal error).
 */
export function mobileErrorOf(error: unknown): { code: MobileErrorCode; message: string } | null {
  if (error instanceof HelloRefused) return { code: error.code, message: error.message };
  const answer = answerOf(error);
  if (!answer?.mobile) return null;
  return { code: answer.mobile, message: answer.message ?? (error as CodedError).message };
}

/** The API error of a coded error, or null for an error the table does not know. */
export function apiErrorOf(error: unknown): ApiError | null {
  const answer = answerOf(error);
  if (!answer) return null;
  const coded = error as CodedError;
  return new ApiError(
    answer.status,
    answer.code ?? coded.code,
    answer.message ?? coded.message,
    answer.hint ? { hint: answer.hint } : {},
  );
}

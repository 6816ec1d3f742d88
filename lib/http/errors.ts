/**
 * Typed API errors. Handlers throw `ApiError`; one `onError` turns it into the `{data, error}`
 * envelope (docs/api.md). Codes are stable: integrators match on them.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Generic error codes of docs/api.md plus every domain code used across the API. */
export type ErrorCode =
  | "BAD_REQUEST"
  | "INVALID_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "METHOD_NOT_ALLOWED"
  | "CONFLICT"
  | "PAYLOAD_TOO_LARGE"
  | "RATE_LIMITED"
  | "INTERNAL_ERROR"
  // deno-lint-ignore ban-types
  | (string & {});

/** An error with an HTTP status and a stable code, safe to show to the caller. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly options: { hint?: string; docs?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** 400 BAD_REQUEST naming the field at fault. */
export function badRequest(message: string, hint?: string): ApiError {
  return new ApiError(400, "BAD_REQUEST", message, { hint });
}

/** 404 NOT_FOUND (also for another organization's objects). */
export function notFound(what = "resource"): ApiError {
  return new ApiError(404, "NOT_FOUND", `No such ${what}.`);
}

/** 429 RATE_LIMITED with Retry-After. */
export function rateLimited(retryAfterSeconds: number): ApiError {
  return new ApiError(429, "RATE_LIMITED", "Too many requests; slow down and retry later.", {
    hint: `Retry after ${retryAfterSeconds} seconds.`,
    headers: { "Retry-After": String(retryAfterSeconds) },
  });
}

/**
 * 409 WEBHOOKS_DISABLED: this platform was composed without webhooks (`lib/platform.ts`), so an
 * endpoint can neither be created nor named by a session — refused, never silently undelivered.
 */
export function webhooksDisabled(): ApiError {
  return new ApiError(409, "WEBHOOKS_DISABLED", "This instance runs without webhooks.", {
    hint: "Create sessions without webhook_endpoint_id, or run the server with webhooks.",
  });
}

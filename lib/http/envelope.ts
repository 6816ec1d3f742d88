/**
 * The response envelope of docs/api.md: `{data, error}` on every JSON response, and
 * `pagination` on lists.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ApiError } from "./errors.ts";

/** Error body inside the envelope. */
export interface ErrorBody {
  code: string;
  message: string;
  hint?: string;
  docs?: string;
}

/** Pagination block of list responses. */
export interface Pagination {
  limit: number;
  has_more: boolean;
  next_cursor: string | null;
}

/** A success envelope. */
export function ok<T>(c: Context, data: T, status: ContentfulStatusCode = 200): Response {
  return c.json({ data, error: null }, status);
}

/** A list envelope with pagination. */
export function okList<T>(c: Context, data: T[], pagination: Pagination): Response {
  return c.json({ data, error: null, pagination }, 200);
}

/** The envelope for an error (used by the one `onError`). */
export function errorEnvelope(error: ApiError): { data: null; error: ErrorBody } {
  const body: ErrorBody = { code: error.code, message: error.message };
  if (error.options.hint) body.hint = error.options.hint;
  if (error.options.docs) body.docs = error.options.docs;
  return { data: null, error: body };
}

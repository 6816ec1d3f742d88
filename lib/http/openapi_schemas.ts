/**
 * Zod schemas of the response envelope, registered in the OpenAPI document.
 */
import { z } from "@hono/zod-openapi";

/** The error object inside the envelope. */
export const errorBodySchema = z.object({
  code: z.string().openapi({ example: "NOT_FOUND" }),
  message: z.string(),
  hint: z.string().optional(),
  docs: z.string().optional(),
}).openapi("Error");

/** `{data: null, error}`. */
export const apiErrorSchema = z.object({ data: z.null(), error: errorBodySchema }).openapi(
  "ErrorEnvelope",
);

/** Pagination of list responses. */
export const paginationSchema = z.object({
  limit: z.number().int(),
  has_more: z.boolean(),
  next_cursor: z.string().nullable(),
}).openapi("Pagination");

/** `{data, error: null}` around a schema. */
export function envelopeOf(data: z.ZodType) {
  return z.object({ data, error: z.null() });
}

/** `{data: [...], error: null, pagination}` around an item schema. */
export function listEnvelopeOf(item: z.ZodType) {
  return z.object({ data: z.array(item), error: z.null(), pagination: paginationSchema });
}

/** The `Idempotency-Key` header of creating POSTs (docs/api.md). */
export const idempotencyKeyHeaders = z.object({
  "idempotency-key": z.string().optional().openapi({
    param: { name: "idempotency-key", in: "header" },
    description:
      "1–255 printable ASCII characters. Same key and same body within 24 h returns the first response; another body is 409 CONFLICT.",
    example: "order-7-attempt-1",
  }),
});

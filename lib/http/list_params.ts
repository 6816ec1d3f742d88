/**
 * Query parameters every list shares (docs/api.md, "Lists and pagination"). `limit` is written as
 * a plain decimal integer from 1 to 100: JavaScript's number syntax (`1e1`, `0x10`, `+5`, ` 5`,
 * `5.0`) is refused with 400 `BAD_REQUEST` naming the field, so one page size has one spelling.
 */
import { z } from "@hono/zod-openapi";

/** The page size when `limit` is absent. */
export const DEFAULT_LIMIT = 10;

/** `limit`: 1–100 in decimal digits without sign, space or leading zero; absent → 10. */
export const limitSchema = z.string()
  .regex(/^(?:[1-9][0-9]?|100)$/, { message: "use a decimal integer from 1 to 100" })
  .transform(Number)
  .optional()
  .openapi({
    type: "integer",
    minimum: 1,
    maximum: 100,
    default: DEFAULT_LIMIT,
    description: "Page size: a decimal integer from 1 to 100 (default 10).",
    example: 10,
  });

/** `starting_after`: the id of the last item of the previous page. */
export const startingAfterSchema = z.string().optional().openapi({
  description: "Continue after this item (the `next_cursor` of the previous page).",
});

/**
 * Cursor pagination of SPEC §2 over an in-memory, newest-first list: `limit` 1–100 (default 10),
 * `starting_after=<id>` continues after that item, an unknown cursor is `400 INVALID_REQUEST`.
 */
import { z } from "@hono/zod-openapi";
import { ApiError } from "../lib/http/errors.ts";
import type { Pagination } from "../lib/http/envelope.ts";

/** Query fields shared by every list. */
export const listQueryFields = {
  limit: z.coerce.number().int().min(1).max(100).default(10).openapi({ example: 10 }),
  starting_after: z.string().max(100).optional(),
};

/** One page of `items` (each with an `id`). */
export function paginate<T extends { id: string }>(
  items: T[],
  limit: number,
  startingAfter: string | undefined,
): { page: T[]; pagination: Pagination } {
  let start = 0;
  if (startingAfter) {
    const index = items.findIndex((item) => item.id === startingAfter);
    if (index < 0) {
      throw new ApiError(
        400,
        "INVALID_REQUEST",
        "starting_after does not name an item of this list.",
        {
          hint: "Use the next_cursor of the previous page.",
        },
      );
    }
    start = index + 1;
  }
  const page = items.slice(start, start + limit);
  const hasMore = start + limit < items.length;
  return {
    page,
    pagination: {
      limit,
      has_more: hasMore,
      next_cursor: hasMore ? page[page.length - 1].id : null,
    },
  };
}

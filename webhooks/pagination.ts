/**
 * Cursor pagination of docs/api.md over an in-memory, newest-first list: `limit` 1–100 (default 10),
 * `starting_after=<id>` continues after that item, an unknown cursor is `400 INVALID_REQUEST`.
 */
import { ApiError } from "../lib/http/errors.ts";
import type { Pagination } from "../lib/http/envelope.ts";
import { DEFAULT_LIMIT, limitSchema, startingAfterSchema } from "../lib/http/list_params.ts";

/** Query fields shared by every list (`limit` in decimal digits, docs/api.md). */
export const listQueryFields = { limit: limitSchema, starting_after: startingAfterSchema };

/** One page of `items` (each with an `id`); `limit` absent means 10. */
export function paginate<T extends { id: string }>(
  items: T[],
  requestedLimit: number | undefined,
  startingAfter: string | undefined,
): { page: T[]; pagination: Pagination } {
  const limit = requestedLimit ?? DEFAULT_LIMIT;
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

/**
 * Cursor pagination (docs/api.md) of a short in-memory, newest-first list (an endpoint list, the
 * events of one session; long histories are read a page at a time, `lib/core/index_page.ts`): `limit` 1–100 (default 10),
 * `starting_after=<id>` continues after that item, an unknown cursor is `400 INVALID_REQUEST`.
 */
import { ApiError } from "../lib/http/errors.ts";
import type { Pagination } from "../lib/http/envelope.ts";
import { DEFAULT_LIMIT, limitSchema, startingAfterSchema } from "../lib/http/list_params.ts";

/** Query fields shared by every list (`limit` in decimal digits, docs/api.md). */
export const listQueryFields = { limit: limitSchema, starting_after: startingAfterSchema };

/** `400 INVALID_REQUEST`: `starting_after` names no item of this list. */
export function invalidCursor(): ApiError {
  return new ApiError(
    400,
    "INVALID_REQUEST",
    "starting_after does not name an item of this list.",
    {
      hint: "Use the next_cursor of the previous page.",
    },
  );
}

/** The pagination block of a page read from an index. */
export function pageInfo(page: { id: string }[], limit: number, hasMore: boolean): Pagination {
  return { limit, has_more: hasMore, next_cursor: hasMore ? page[page.length - 1].id : null };
}

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
    if (index < 0) throw invalidCursor();
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

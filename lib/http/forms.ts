/**
 * The one reader of submitted forms (the verify pages and the dashboard post plain HTML forms,
 * docs/verify-pages.md). Hono's `parseBody` throws on a body that claims to be a form and is not
 * (a multipart body without its boundary, or with garbage in it); here that is the caller's
 * mistake, answered `400 BAD_REQUEST`, not an unexpected failure.
 */
import type { Context } from "hono";
import type { BodyData, ParseBodyOptions } from "hono/utils/body";
import { ApiError } from "./errors.ts";

/** A form that could not be read. */
export function unreadableForm(): ApiError {
  return new ApiError(400, "BAD_REQUEST", "The form could not be read.", {
    hint: "Send it as application/x-www-form-urlencoded, or as multipart/form-data with its " +
      "boundary.",
  });
}

/** The submitted form; `{all: true}` keeps every value of a repeated field. */
export async function readForm<Options extends Partial<ParseBodyOptions> = Record<never, never>>(
  c: Context,
  options?: Options,
): Promise<BodyData<Options>> {
  try {
    return await c.req.parseBody<Options, BodyData<Options>>(options);
  } catch {
    throw unreadableForm();
  }
}

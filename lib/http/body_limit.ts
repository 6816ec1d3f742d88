/**
 * Request body limits, per route: every route's middleware chain starts with one
 * (`lib/framework/router.ts`), 256 KiB unless its route file raises it with
 * `export const config = { maxBodyBytes }` (the trust store's upload). The phone's WebSocket has
 * its own frame limits (`lib/handoff/protocol.ts`).
 */
import { bodyLimit } from "hono/body-limit";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../framework/define.ts";
import { ApiError } from "./errors.ts";

/** Largest request body a route accepts unless its route file says otherwise. */
export const MAX_BODY_BYTES = 256 * 1024;

/** hono's body limit answering 413 `PAYLOAD_TOO_LARGE` in the envelope. */
export function limitBody(maxSize: number): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError(
        413,
        "PAYLOAD_TOO_LARGE",
        `Request bodies are limited to ${maxSize} bytes.`,
      );
    },
  });
}

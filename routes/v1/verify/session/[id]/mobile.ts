/**
 * `GET /v1/verify/session/:id/mobile` (SPEC §5): the phone's WebSocket. Without an upgrade the
 * answer is `426 WEBSOCKET_REQUIRED`. The protocol is in `docs/mobile-protocol.md`.
 */
import { define } from "../../../../../lib/framework/define.ts";
import { ApiError } from "../../../../../lib/http/errors.ts";
import { limitHandoffRequest } from "../../../../../lib/handoff/http.ts";
import { acceptMobileSocket } from "../../../../../lib/handoff/websocket.ts";

export const handler = define.handlers({
  async GET(c) {
    const sessionId = c.req.param("id") ?? "";
    await limitHandoffRequest(c, "mobile", sessionId);
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError(426, "WEBSOCKET_REQUIRED", "This endpoint speaks WebSocket only.", {
        hint: "Open it with a WebSocket client; see docs/mobile-protocol.md.",
        headers: { Upgrade: "websocket" },
      });
    }
    return acceptMobileSocket(c.var.deps, c.req.raw, sessionId);
  },
});

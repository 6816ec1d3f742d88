/**
 * `GET /v1/verify/session/:id/mobile` (docs/mobile-protocol.md): the phone's WebSocket. Before upgrading: the
 * rate limits, `426 WEBSOCKET_REQUIRED` without an upgrade (`400 BAD_REQUEST` for an incomplete
 * handshake), `404 NOT_FOUND` for an unknown
 * session, `410 SESSION_EXPIRED` for an ended one, and `429 RATE_LIMITED` past the cap of sockets
 * per address waiting for their hello. The protocol is in `docs/mobile-protocol.md`.
 */
import { define } from "../../../../../lib/framework/define.ts";
import { ApiError, notFound } from "../../../../../lib/http/errors.ts";
import { limitHandoffRequest } from "../../../../../lib/handoff/http.ts";
import { acceptMobileSocket } from "../../../../../lib/handoff/websocket.ts";
import { HandoffError } from "../../../../../lib/handoff/handoff.ts";
import { readSession } from "../../../../../lib/sessions/sessions.ts";
import { isTerminal } from "../../../../../lib/sessions/types.ts";

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
    const session = await readSession(c.var.deps, sessionId);
    if (!session) throw notFound("session");
    if (isTerminal(session.status)) {
      throw new HandoffError("SESSION_EXPIRED", `The session is ${session.status}.`);
    }
    return acceptMobileSocket(c.var.deps, c.req.raw, sessionId, c.var.clientIp);
  },
});

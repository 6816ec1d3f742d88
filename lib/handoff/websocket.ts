/**
 * Adapts a Deno WebSocket to a {@link MobileConnection}: frames in, messages and closes out.
 * Counts the sockets of each client address that have not said a valid hello yet; past the
 * services' cap the request is answered `429 RATE_LIMITED` before upgrading
 * (docs/mobile-protocol.md §2).
 */
import type { AppDeps } from "../deps.ts";
import { ApiError, rateLimited } from "../http/errors.ts";
import { MobileConnection } from "./connection.ts";
import { handoffServices } from "./services.ts";

/**
 * The runtime's upgrade, whose refusal of a handshake that asks for a WebSocket without the rest
 * of it (no `Connection: Upgrade`, no `Sec-WebSocket-Key`, another version) is the client's
 * mistake: 400 `BAD_REQUEST` (RFC 6455 §4.2.2), not an unexpected failure.
 */
function upgrade(request: Request): { socket: WebSocket; response: Response } {
  try {
    return Deno.upgradeWebSocket(request);
  } catch {
    throw new ApiError(400, "BAD_REQUEST", "The WebSocket handshake is incomplete.", {
      hint: "Send Connection: Upgrade, Sec-WebSocket-Key and Sec-WebSocket-Version: 13, as " +
        "WebSocket clients do.",
    });
  }
}

/** Upgrades the request and serves the phone protocol on it; throws 429 past the cap. */
export function acceptMobileSocket(
  deps: AppDeps,
  request: Request,
  sessionId: string,
  clientAddress: string,
): Response {
  const services = handoffServices(deps);
  const pending = services.pendingSockets;
  if ((pending.get(clientAddress) ?? 0) >= services.maxPendingSocketsPerAddress) {
    deps.logger.warn("mobile.too_many_unauthenticated", { session_id: sessionId });
    throw rateLimited(Math.max(1, Math.ceil(services.helloTimeoutMs / 1000)));
  }
  const { socket, response } = upgrade(request);
  pending.set(clientAddress, (pending.get(clientAddress) ?? 0) + 1);
  let counted = true;
  const release = () => {
    if (!counted) return;
    counted = false;
    const left = (pending.get(clientAddress) ?? 1) - 1;
    if (left > 0) pending.set(clientAddress, left);
    else pending.delete(clientAddress);
  };
  const connection = new MobileConnection(
    deps,
    services,
    {
      send: (text) => {
        if (socket.readyState === WebSocket.OPEN) socket.send(text);
      },
      close: (code, reason) => {
        release();
        socket.close(code, reason);
      },
    },
    sessionId,
    release,
  );
  socket.onmessage = (event) => {
    if (typeof event.data === "string") connection.receiveText(event.data);
    else connection.receiveBinary();
  };
  const closed = () => {
    release();
    connection.transportClosed();
  };
  socket.onclose = closed;
  socket.onerror = closed;
  return response;
}

/**
 * Adapts a Deno WebSocket to a {@link MobileConnection}: frames in, messages and closes out.
 */
import type { AppDeps } from "../deps.ts";
import { MobileConnection } from "./connection.ts";
import { handoffServices } from "./services.ts";

/** Upgrades the request and serves the phone protocol on it. */
export function acceptMobileSocket(deps: AppDeps, request: Request, sessionId: string): Response {
  const { socket, response } = Deno.upgradeWebSocket(request);
  const connection = new MobileConnection(deps, handoffServices(deps), {
    send: (text) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
    },
    close: (code, reason) => socket.close(code, reason),
  }, sessionId);
  socket.onmessage = (event) => {
    if (typeof event.data === "string") connection.receiveText(event.data);
    else connection.receiveBinary();
  };
  socket.onclose = () => connection.transportClosed();
  socket.onerror = () => connection.transportClosed();
  return response;
}

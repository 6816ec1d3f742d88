/**
 * Side-effect registration of the handoff layer, imported once by `main.ts` and the test
 * harness. At start it installs the phone protocol's services and loads the biometric verifier
 * (so the first verification does not pay for the model); at shutdown it closes every phone
 * connection with `SERVER_SHUTTING_DOWN` (the phones resume elsewhere with their tokens).
 */
import { registerBackgroundWork } from "../background.ts";
import { CLOSE_CODES, PROTOCOL_VERSION } from "./protocol.ts";
import { handoffServices } from "./services.ts";

registerBackgroundWork("handoff", async (deps) => {
  const services = handoffServices(deps);
  await services.biometric();
  return {
    stop() {
      for (const runtime of services.runtimes.values()) {
        const socket = runtime.socket;
        if (!socket) continue;
        try {
          socket.send(JSON.stringify({
            v: PROTOCOL_VERSION,
            type: "error",
            code: "SERVER_SHUTTING_DOWN",
            message: "The server is restarting; reconnect with the same token.",
            fatal: true,
          }));
          socket.close(CLOSE_CODES.SERVER_SHUTTING_DOWN!, "SERVER_SHUTTING_DOWN");
        } catch {
          // already gone
        }
      }
      return Promise.resolve();
    },
  };
});

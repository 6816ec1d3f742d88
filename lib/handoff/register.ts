/**
 * Side-effect registration of the handoff layer, imported once by `main.ts` and the test
 * harness. At start it installs the phone protocol's services and loads the biometric verifier
 * (so the first verification does not pay for the model); at shutdown it closes every phone
 * connection with `SERVER_SHUTTING_DOWN` (the phones resume elsewhere with their tokens).
 */
import { registerBackgroundWork } from "../background.ts";
import { closePhoneConnectionsForShutdown, handoffServices } from "./services.ts";

registerBackgroundWork("handoff", async (deps) => {
  const services = handoffServices(deps);
  await services.biometric();
  return {
    stop() {
      closePhoneConnectionsForShutdown(services);
      return Promise.resolve();
    },
  };
});

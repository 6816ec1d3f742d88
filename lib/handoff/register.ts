/**
 * The handoff layer's background work, wired by `lib/platform.ts`. At start it installs the phone
 * protocol's services and loads the biometric verifier (so the first verification does not pay
 * for the model); at shutdown it closes every phone connection with `SERVER_SHUTTING_DOWN` (the
 * phones resume elsewhere with their tokens) and ends the verifier's worker thread.
 */
import type { BackgroundHandle } from "../background.ts";
import type { AppDeps } from "../deps.ts";
import { closePhoneConnectionsForShutdown, handoffServices } from "./services.ts";

/** Starts the handoff layer for these dependencies. */
export async function startHandoffWork(deps: AppDeps): Promise<BackgroundHandle> {
  const services = handoffServices(deps);
  const verifier = await services.biometric();
  return {
    stop() {
      closePhoneConnectionsForShutdown(services);
      // The worker's thread ends once the face checks already asked for have answered.
      verifier?.close?.();
      return Promise.resolve();
    },
  };
}

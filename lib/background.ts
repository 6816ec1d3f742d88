/**
 * Background work of an instance (scheduled sweeps, job workers). Each layer registers a
 * starter; `main.ts` starts them all after the server is built and stops them at shutdown.
 */
import type { AppDeps } from "./deps.ts";
import { startHeartbeat } from "./core/instances.ts";
import { startScheduler } from "./jobs/scheduled.ts";

/** A started piece of background work. */
export interface BackgroundHandle {
  stop(): Promise<void>;
}

/** Starts one piece of background work. */
export type BackgroundStarter = (deps: AppDeps) => Promise<BackgroundHandle>;

const starters: Array<{ name: string; start: BackgroundStarter }> = [];

/** Registers background work (called at module load by the layers that need it). */
export function registerBackgroundWork(name: string, start: BackgroundStarter): void {
  if (!starters.some((s) => s.name === name)) starters.push({ name, start });
}

/**
 * Starts every registered piece of background work: first this instance's heartbeat (so its
 * claims are known to be alive, `core/instances.ts`), then the starters, then the scheduled
 * tasks (`jobs/scheduled.ts`). Stopped in reverse order.
 */
export async function startBackgroundWork(deps: AppDeps): Promise<BackgroundHandle> {
  const handles: BackgroundHandle[] = [await startHeartbeat(deps)];
  for (const starter of starters) {
    handles.push(await starter.start(deps));
    deps.logger.debug("background.started", { worker: starter.name });
  }
  handles.push(startScheduler(deps));
  return {
    async stop() {
      for (const handle of handles.reverse()) await handle.stop();
    },
  };
}

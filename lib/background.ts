/**
 * Background work of an instance (scheduled sweeps, job workers). The composition root
 * (`lib/platform.ts`) lists the pieces; `main.ts` starts them after the server is built and stops
 * them at shutdown, in reverse order.
 */
import type { AppDeps } from "./deps.ts";

/** A started piece of background work. */
export interface BackgroundHandle {
  stop(): Promise<void>;
}

/** Starts one piece of background work. */
export type BackgroundStarter = (deps: AppDeps) => Promise<BackgroundHandle>;

/** A named piece of background work. */
export interface BackgroundWork {
  name: string;
  start: BackgroundStarter;
}

/** Starts the pieces in order; the handle stops them in reverse order. */
export async function startBackgroundWork(
  deps: AppDeps,
  work: readonly BackgroundWork[],
): Promise<BackgroundHandle> {
  const handles: BackgroundHandle[] = [];
  for (const piece of work) {
    handles.push(await piece.start(deps));
    deps.logger.debug("background.started", { worker: piece.name });
  }
  return {
    async stop() {
      for (const handle of handles.reverse()) await handle.stop();
    },
  };
}

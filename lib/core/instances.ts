/**
 * Instances sharing one KV (docs/self-hosting.md): each running process has an id and writes a
 * heartbeat every `HEARTBEAT_MS`, so work it claimed (a delivery being sent, a job) can be told
 * apart from work claimed by a process that died: a claim whose holder has not beaten for
 * `STALE_AFTER_MS` is a dead claim another instance may take over at once, instead of waiting
 * for the claim's own expiry. Liveness is real time (`Date.now()`), not the injected clock: it
 * is about processes, which a test's manual clock does not stop.
 *
 * Key: `["instances", id]` → `{ id, startedAt, beatAt }`, expiring shortly after it goes stale.
 */
import type { AppDeps } from "../deps.ts";
import { randomAlphanumeric } from "./ids.ts";
import { errorFields } from "./error_fields.ts";
import { coreKeys } from "./kv.ts";

/** How often a live instance writes its heartbeat. */
export const HEARTBEAT_MS = 1_000;
/**
 * A holder silent for this long is dead: six missed beats (the beats come from a worker thread,
 * so a busy main thread does not miss them).
 */
export const STALE_AFTER_MS = 6_000;

/** A stored heartbeat. */
export interface InstanceRecord {
  id: string;
  startedAt: number;
  beatAt: number;
}

/** This process's instance id on these dependencies (created on first use). */
export function instanceId(deps: Pick<AppDeps, "services" | "random">): string {
  let id = deps.services.instanceId;
  if (!id) {
    id = `inst_${randomAlphanumeric(16, deps.random)}`;
    deps.services.instanceId = id;
  }
  return id;
}

/** Writes this instance's heartbeat now. */
export async function beat(deps: Pick<AppDeps, "kv" | "services" | "random">): Promise<void> {
  const id = instanceId(deps);
  const now = Date.now();
  const previous = (await deps.kv.get<InstanceRecord>(coreKeys.instance(id))).value;
  const record: InstanceRecord = { id, startedAt: previous?.startedAt ?? now, beatAt: now };
  await deps.kv.set(coreKeys.instance(id), record, { expireIn: STALE_AFTER_MS * 6 });
}

/** True while `holder` (an instance id) has a fresh heartbeat. */
export async function isInstanceAlive(kv: Deno.Kv, holder: string): Promise<boolean> {
  const record = (await kv.get<InstanceRecord>(coreKeys.instance(holder))).value;
  return !!record && Date.now() - record.beatAt < STALE_AFTER_MS;
}

/**
 * Beats now and every `HEARTBEAT_MS` until stopped; the record is deleted at a clean stop. On a
 * KV file or KV Connect the beats come from a worker thread (`heartbeat_worker.ts`), so a main
 * thread busy for seconds still counts as alive; an in-memory KV (tests) beats on the main thread.
 */
export async function startHeartbeat(
  deps: Pick<AppDeps, "kv" | "services" | "random" | "logger" | "config">,
): Promise<{ stop(): Promise<void> }> {
  const id = instanceId(deps);
  if (deps.config.kvPath === ":memory:") return await mainThreadHeartbeat(deps);
  const worker = new Worker(new URL("./heartbeat_worker.ts", import.meta.url), { type: "module" });
  const reply = () =>
    new Promise<void>((resolve, reject) => {
      worker.onmessage = (message: MessageEvent<unknown>) => {
        const slow = (message.data as { slow?: { tookMs: number; failed: boolean } }).slow;
        if (!slow) return resolve();
        // A beat that is late or lost brings this instance closer to looking dead to the others.
        deps.logger.warn("instance.heartbeat_slow", {
          instance_id: id,
          took_ms: slow.tookMs,
          failed: slow.failed,
        });
      };
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(`heartbeat worker failed: ${event.message}`));
      };
    });
  const started = reply();
  worker.postMessage({
    kvPath: deps.config.kvPath,
    id,
    intervalMs: HEARTBEAT_MS,
    expireInMs: STALE_AFTER_MS * 6,
  });
  await started;
  deps.logger.info("instance.started", { instance_id: id });
  return {
    async stop() {
      const stopped = reply();
      worker.postMessage("stop");
      await stopped.catch(() => {});
      worker.terminate();
    },
  };
}

async function mainThreadHeartbeat(
  deps: Pick<AppDeps, "kv" | "services" | "random" | "logger">,
): Promise<{ stop(): Promise<void> }> {
  await beat(deps);
  deps.logger.info("instance.started", { instance_id: instanceId(deps) });
  const timer = setInterval(() => {
    beat(deps).catch((error) => deps.logger.warn("instance.heartbeat_failed", errorFields(error)));
  }, HEARTBEAT_MS);
  return {
    async stop() {
      clearInterval(timer);
      await deps.kv.delete(coreKeys.instance(instanceId(deps))).catch(() => {});
    },
  };
}

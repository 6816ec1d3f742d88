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

/** How often a live instance writes its heartbeat. */
export const HEARTBEAT_MS = 2_000;
/** A holder silent for this long is dead (five missed beats: a busy event loop is not death). */
export const STALE_AFTER_MS = 10_000;

/** A stored heartbeat. */
export interface InstanceRecord {
  id: string;
  startedAt: number;
  beatAt: number;
}

/** This process's instance id on these dependencies (created on first use). */
export function instanceId(deps: Pick<AppDeps, "services" | "random">): string {
  let id = deps.services.instanceId as string | undefined;
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
  const previous = (await deps.kv.get<InstanceRecord>(["instances", id])).value;
  const record: InstanceRecord = { id, startedAt: previous?.startedAt ?? now, beatAt: now };
  await deps.kv.set(["instances", id], record, { expireIn: STALE_AFTER_MS * 6 });
}

/** True while `holder` (an instance id) has a fresh heartbeat. */
export async function isInstanceAlive(kv: Deno.Kv, holder: string): Promise<boolean> {
  const record = (await kv.get<InstanceRecord>(["instances", holder])).value;
  return !!record && Date.now() - record.beatAt < STALE_AFTER_MS;
}

/** When a claim by `holder` counts as dead at the latest, if it is alive now (ms, real time). */
export async function staleAt(kv: Deno.Kv, holder: string): Promise<number> {
  const record = (await kv.get<InstanceRecord>(["instances", holder])).value;
  return (record?.beatAt ?? 0) + STALE_AFTER_MS;
}

/** Beats now and every `HEARTBEAT_MS` until stopped; the record is deleted at a clean stop. */
export async function startHeartbeat(
  deps: Pick<AppDeps, "kv" | "services" | "random" | "logger">,
): Promise<{ stop(): Promise<void> }> {
  await beat(deps);
  const timer = setInterval(() => {
    beat(deps).catch((error) =>
      deps.logger.warn("instance.heartbeat_failed", {
        error_class: (error as Error)?.name ?? "unknown",
      })
    );
  }, HEARTBEAT_MS);
  return {
    async stop() {
      clearInterval(timer);
      await deps.kv.delete(["instances", instanceId(deps)]).catch(() => {});
    },
  };
}

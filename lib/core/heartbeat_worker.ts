/**
 * The heartbeat of an instance, on its own thread (`instances.ts`): the main thread may be busy
 * for seconds (a face match), which must not make a live process look dead to the others. The
 * worker opens its own handle on the same KV and beats until told to stop or until the process
 * dies with it (SIGKILL ends both).
 */
/// <reference lib="deno.worker" />
import { coreKeys, openKv } from "./kv.ts";

interface Start {
  kvPath: string;
  id: string;
  intervalMs: number;
  expireInMs: number;
}

let kv: Deno.Kv | null = null;
let timer: ReturnType<typeof setInterval> | null = null;
let startedAt = 0;

async function beat(id: string, expireInMs: number): Promise<void> {
  await kv!.set(coreKeys.instance(id), { id, startedAt, beatAt: Date.now() }, {
    expireIn: expireInMs,
  });
}

/** Beats, and tells the main thread (to log it) when a beat was late or failed. */
async function beatAndReport(data: Start): Promise<void> {
  const started = Date.now();
  let failed = false;
  try {
    await beat(data.id, data.expireInMs);
  } catch {
    failed = true;
  }
  const tookMs = Date.now() - started;
  if (failed || tookMs >= data.intervalMs) self.postMessage({ slow: { tookMs, failed } });
}

self.onmessage = async (message: MessageEvent<Start | "stop">) => {
  const data = message.data;
  if (data === "stop") {
    if (timer !== null) clearInterval(timer);
    const id = (self as unknown as { instanceId?: string }).instanceId;
    if (kv && id) await kv.delete(coreKeys.instance(id)).catch(() => {});
    kv?.close();
    self.postMessage("stopped");
    return;
  }
  (self as unknown as { instanceId?: string }).instanceId = data.id;
  kv = await openKv(data.kvPath);
  startedAt = Date.now();
  await beat(data.id, data.expireInMs);
  self.postMessage("started");
  timer = setInterval(() => void beatAndReport(data), data.intervalMs);
};

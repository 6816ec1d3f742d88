/**
 * A cluster for the multi-instance tests: a KV file seeded with an organization, a test API key
 * and a webhook endpoint pointing at a loopback receiver; real `main.ts` processes started on it
 * (same KV file, same server key, their own ports), whose JSON log lines are kept; and a mixed
 * load (creates, cancels, test-mode simulations) spread over the instances.
 */
import { testConfig } from "../../lib/core/config.ts";
import type { JobBackend } from "../../lib/core/config.ts";
import { createPlatform } from "../../lib/platform.ts";
import { silentLogger } from "../../lib/core/logger.ts";
import { openKv } from "../../lib/core/kv.ts";
import { eventKeys, type EventRecord } from "../../lib/events/events.ts";
import { seedApiKey } from "./app.ts";
import {
  type Receiver,
  seedWebhookEndpoint,
  sharedKeyPair,
  startReceiver,
  waitFor,
} from "./webhooks.ts";

const SERVER_KEY = btoa(String.fromCharCode(...new Uint8Array(32).fill(23)));
const root = new URL("../..", import.meta.url).pathname;

/** One running `main.ts`. */
export interface Instance {
  name: string;
  url: string;
  instanceId: string;
  process: Deno.ChildProcess;
  /** Every JSON log line it wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  exited: boolean;
}

/** The shared KV file, its receiver and credentials. */
export interface Cluster {
  dataDir: string;
  kvPath: string;
  backend: JobBackend;
  /**
   * The test's own handle on the KV file, opened once: opening one takes SQLite's write lock
   * (migrations, queue clean-up), so a test that reopened it in a polling loop would itself keep
   * the instances waiting on the lock.
   */
  kv: Deno.Kv;
  apiKey: string;
  receiver: Receiver;
  instances: Instance[];
  start(name: string): Promise<Instance>;
  close(): Promise<void>;
}

/** Seeds a KV file and starts a receiver (answering after `receiverDelayMs`). */
export async function createCluster(
  backend: JobBackend,
  options: { receiverDelayMs?: number; schedulePeriodMs?: number } = {},
): Promise<Cluster> {
  const dataDir = await Deno.makeTempDir({ prefix: "kayle-multi-" });
  const kvPath = `${dataDir}/kayle.kv3`;
  const pair = await sharedKeyPair();
  let secret = "";
  const receiver = startReceiver({ secrets: () => [secret], privateKey: pair.privateKey });
  const delay = options.receiverDelayMs ?? 0;
  if (delay) {
    receiver.respond = () => new Promise((ok) => setTimeout(() => ok(new Response("ok")), delay));
  }
  const config = testConfig({ kvPath, dataDir, serverKey: SERVER_KEY, jobBackend: backend });
  const deps = (await createPlatform(config, { logger: silentLogger, usageFlushMs: 0 })).deps;
  const seeded = await seedWebhookEndpoint(deps, { url: receiver.url, publicJwk: pair.publicJwk });
  secret = seeded.signingSecret;
  const { secret: apiKey } = await seedApiKey(deps, seeded.orgId);
  await deps.usage.close();
  deps.kv.close();
  const kv = await openKv(kvPath);
  const instances: Instance[] = [];
  const cluster: Cluster = {
    dataDir,
    kvPath,
    backend,
    kv,
    apiKey,
    receiver,
    instances,
    async start(name) {
      const instance = await startInstance(name, cluster, options.schedulePeriodMs ?? 2000);
      instances.push(instance);
      return instance;
    },
    async close() {
      for (const instance of instances) {
        if (!instance.exited) {
          try {
            instance.process.kill("SIGKILL");
          } catch { /* gone */ }
        }
        await instance.process.status;
      }
      await receiver.close();
      kv.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
  return cluster;
}

async function startInstance(
  name: string,
  cluster: Cluster,
  schedulePeriodMs: number,
): Promise<Instance> {
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-kv", "--unstable-cron", "main.ts"],
    cwd: root,
    env: {
      PORT: "0",
      KAYLE_DATA_DIR: cluster.dataDir,
      KAYLE_KV_PATH: cluster.kvPath,
      KAYLE_SERVER_KEY: SERVER_KEY,
      KAYLE_DEV_MODE: "true",
      KAYLE_LOG_LEVEL: "info",
      KAYLE_JOB_BACKEND: cluster.backend,
      KAYLE_SCHEDULE_PERIOD_MS: String(schedulePeriodMs),
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const instance: Instance = { name, url: "", instanceId: "", process, logs: [], exited: false };
  const raw: string[] = [];
  let ready: (url: string) => void = () => {};
  const listening = new Promise<string>((resolve) => (ready = resolve));
  const read = async (stream: ReadableStream<Uint8Array<ArrayBuffer>>) => {
    let buffer = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      const lines = buffer.split("\n");
      buffer = lines.pop()!;
      for (const line of lines) {
        raw.push(line);
        if (raw.length > 200) raw.shift();
        if (!line.startsWith("{")) continue;
        const entry = JSON.parse(line);
        instance.logs.push(entry);
        if (entry.event === "instance.started") instance.instanceId = entry.instance_id;
        if (entry.event === "server.listening") ready(entry.url);
      }
    }
  };
  read(process.stdout).catch(() => {});
  read(process.stderr).catch(() => {});
  const exited = process.status.then((s) => {
    instance.exited = true;
    return s;
  });
  const winner = await Promise.race([
    listening,
    exited.then((s) => ({ exit: s.code })),
    new Promise<{ timeout: true }>((ok) => setTimeout(() => ok({ timeout: true }), 30_000)),
  ]);
  if (typeof winner !== "string") {
    throw new Error(`${name} did not start (${JSON.stringify(winner)}): ${raw.join("\n")}`);
  }
  instance.url = winner;
  return instance;
}

/** What the load saw. */
export interface LoadReport {
  statuses: Record<string, number>;
  /** Responses with a 5xx status, as `operation status code`. */
  serverErrors: string[];
  /** Requests that got no answer (the instance was killed under them). */
  dropped: number;
  /** Events the answers imply: a cancel's, and a simulation's attempt and terminal session events. */
  expectedEvents: number;
}

/** A load report to fill. */
export function emptyReport(): LoadReport {
  return { statuses: {}, serverErrors: [], dropped: 0, expectedEvents: 0 };
}

async function call(
  report: LoadReport,
  label: string,
  url: string,
  apiKey: string,
  body: unknown,
): Promise<{ status: number; data?: Record<string, unknown> } | null> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch {
    report.dropped++;
    return null;
  }
  const json = await response.json().catch(() => ({}));
  const key = `${label} ${response.status}${json?.error ? ` ${json.error.code}` : ""}`;
  report.statuses[key] = (report.statuses[key] ?? 0) + 1;
  if (response.status >= 500) report.serverErrors.push(`${key} ${json?.error?.code}`);
  return { status: response.status, data: json?.data };
}

/**
 * One unit of mixed load: create a session on one instance, then (by `n`) cancel it on the
 * next, simulate a phone on it there (success — a face match, seconds of CPU — or a failing
 * scenario; the one success is left out without `phones.success`), or leave it open.
 */
export async function sessionFlow(
  report: LoadReport,
  apiKey: string,
  urls: () => string[],
  n: number,
  phones: { success: boolean } = { success: true },
): Promise<void> {
  const pick = (k: number) => {
    const list = urls();
    return list[k % list.length];
  };
  const created = await call(report, "create", `${pick(n)}/v1/sessions`, apiKey, {});
  const id = created?.status === 200 ? created.data?.id : null;
  if (typeof id !== "string") return;
  const there = pick(n + 1);
  const simulate = async (scenario: string) => {
    const result = await call(
      report,
      "simulate",
      `${there}/v1/test_helpers/sessions/${id}/simulate`,
      apiKey,
      { scenario },
    );
    if (result?.status !== 200) return;
    const ended = result.data?.session_status === "completed";
    report.expectedEvents += ended ? 2 : 1;
  };
  if (n % 2 === 1) {
    const result = await call(report, "cancel", `${there}/v1/sessions/${id}/cancel`, apiKey, {});
    if (result?.status === 200) report.expectedEvents++;
  } else if (n === 0 && phones.success) {
    await simulate("success");
  } else if (n % 6 === 2) {
    await simulate("bad_mrz");
  }
}

/**
 * Runs `count` flows with at most `concurrency` at once, and more (up to four times `count`)
 * until the answers imply `minEvents` events: a floor of load that holds whatever requests a
 * kill cut or a loaded machine slowed.
 */
export async function runLoad(
  report: LoadReport,
  apiKey: string,
  urls: () => string[],
  count: number,
  concurrency: number,
  options: { success?: boolean; minEvents?: number } = {},
): Promise<void> {
  const phones = { success: options.success ?? true };
  const minEvents = options.minEvents ?? 0;
  let next = 0;
  const more = () => next < count || (report.expectedEvents < minEvents && next < count * 4);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (more()) await sessionFlow(report, apiKey, urls, next++, phones);
    }),
  );
}

/** Every event of the KV file (read while the instances run). */
export async function storedEvents(kv: Deno.Kv): Promise<EventRecord[]> {
  return (await Array.fromAsync(kv.list<EventRecord>({ prefix: eventKeys.allPrefix() }))).map((e) =>
    e.value
  );
}

/** How many times the receiver accepted each event. */
export function deliveriesByEvent(receiver: Receiver): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of receiver.received) counts.set(r.eventId, (counts.get(r.eventId) ?? 0) + 1);
  return counts;
}

/** The `scheduled.run` log lines of every instance, as `task period` → holders. */
export function scheduledRuns(instances: Instance[]): Map<string, string[]> {
  const runs = new Map<string, string[]>();
  for (const instance of instances) {
    for (const line of instance.logs) {
      if (line.event !== "scheduled.run") continue;
      const key = `${line.task} ${line.period}`;
      runs.set(key, [...(runs.get(key) ?? []), instance.name]);
    }
  }
  return runs;
}

/** Log lines at level error, for a failure message. */
export function errorLines(instances: Instance[]): string[] {
  return instances.flatMap((i) =>
    i.logs.filter((l) => l.level === "error").map((l) => `${i.name} ${JSON.stringify(l)}`)
  );
}

/** Waits until the receiver has every stored event; returns the stored event ids. */
export async function allDelivered(cluster: Cluster, timeoutMs: number): Promise<string[]> {
  let missing: string[] = [];
  let ids: string[] = [];
  await waitFor(
    async () => {
      ids = (await storedEvents(cluster.kv)).map((e) => e.id);
      const seen = deliveriesByEvent(cluster.receiver);
      missing = ids.filter((id) => !seen.has(id));
      return missing.length === 0;
    },
    timeoutMs,
    "every event delivered",
  ).catch((error) => {
    throw new Error(`${error.message}: ${missing.length} of ${ids.length} missing`);
  });
  return ids;
}

/**
 * For a failure message: every receiver hit of these events (delivery id, try number) and every
 * log line an instance wrote about their deliveries (claims taken over, tries recorded or not),
 * with instance ids replaced by the test's names. Ids and codes only.
 */
export function deliveryTrail(cluster: Cluster, eventIds: Iterable<string>): string {
  const names = new Map(cluster.instances.map((i) => [i.instanceId, i.name]));
  const lines: string[] = [];
  for (const eventId of eventIds) {
    const hits = cluster.receiver.received.filter((r) => r.eventId === eventId);
    const deliveries = new Set(hits.map((r) => r.deliveryId));
    const at = (ms: number) => new Date(ms).toISOString().slice(11);
    const tries = hits.map((r) =>
      `${r.deliveryId}#${r.attempt} (arrived ${at(r.arrivedAt)}, answered ${at(r.answeredAt)})`
    );
    lines.push(`${eventId}: ${tries.join(", ")}`);
    for (const instance of cluster.instances) {
      for (const l of instance.logs) {
        if (!deliveries.has(String(l.delivery_id))) continue;
        const holder = l.holder ? ` from ${names.get(String(l.holder)) ?? l.holder}` : "";
        const details = ["attempt", "committed", "reason", "holder_beat_age_ms", "error_class"]
          .filter((k) => l[k] !== undefined).map((k) => `${k}=${l[k]}`).join(" ");
        lines.push(`  ${instance.name} ${l.time ?? ""} ${l.event}${holder} ${details}`);
      }
    }
  }
  for (const instance of cluster.instances) {
    const failed = instance.logs.filter((l) => l.event === "job.failed");
    for (const l of failed) lines.push(`${instance.name} ${l.time} job.failed ${l.error_class}`);
    const slow = instance.logs.filter((l) => l.event === "instance.heartbeat_slow");
    if (slow.length) {
      lines.push(`${instance.name} late beats: ${slow.map((l) => `${l.time} ${l.took_ms}ms`)}`);
    }
  }
  return lines.join("\n");
}

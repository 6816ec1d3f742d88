/**
 * Crash safety with the real server: 200 events with pending deliveries are written to a KV
 * file, `main.ts` is started on it in a subprocess and killed with SIGKILL in the middle of the
 * deliveries, then started again on the same file; every event must reach the loopback receiver
 * at least once with its original event_id, and every delivery must end `succeeded`.
 */
import assert from "node:assert/strict";
import { testConfig } from "../lib/core/config.ts";
import { createPlatform } from "../lib/platform.ts";
import { silentLogger } from "../lib/core/logger.ts";
import { type DeliveryRecord, webhookKeys } from "../webhooks/model.ts";
import {
  seedWebhookEndpoint,
  sharedKeyPair,
  startReceiver,
  waitFor,
  writeEvent,
} from "./support/webhooks.ts";

const EVENTS = 200;
const SERVER_KEY = btoa(String.fromCharCode(...new Uint8Array(32).fill(42)));
const root = new URL("..", import.meta.url).pathname;

/** The server's stderr, kept to explain a failure. */
let serverErrors = "";

function startServer(dataDir: string): Deno.ChildProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-kv", "--unstable-cron", "main.ts"],
    cwd: root,
    env: {
      PORT: "0",
      KAYLE_DATA_DIR: dataDir,
      KAYLE_KV_PATH: `${dataDir}/kayle.kv3`,
      KAYLE_SERVER_KEY: SERVER_KEY,
      KAYLE_DEV_MODE: "true",
      KAYLE_LOG_LEVEL: "error",
      KAYLE_JOB_BACKEND: "kv_queue",
    },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({
      write: (chunk) => void (serverErrors = (serverErrors + chunk).slice(-4000)),
    }),
  ).catch(() => {});
  return child;
}

Deno.test({
  name: "SIGKILL in the middle of 200 deliveries: after a restart every event arrives",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "kayle-crash-" });
    const config = testConfig({
      kvPath: `${dataDir}/kayle.kv3`,
      dataDir,
      serverKey: SERVER_KEY,
      jobBackend: "kv_queue",
    });
    const pair = await sharedKeyPair();
    let secret = "";
    const receiver = startReceiver({ secrets: () => [secret], privateKey: pair.privateKey });
    // Slow answers keep many deliveries in flight when the kill comes.
    receiver.respond = () => new Promise((ok) => setTimeout(() => ok(new Response("ok")), 40));
    const written = new Set<string>();
    const deps = (await createPlatform(config, { logger: silentLogger, usageFlushMs: 0 })).deps;
    const seeded = await seedWebhookEndpoint(deps, {
      url: receiver.url,
      publicJwk: pair.publicJwk,
    });
    secret = seeded.signingSecret;
    for (let i = 0; i < EVENTS; i++) written.add((await writeEvent(deps, seeded.orgId)).id);
    await deps.usage.close();
    deps.kv.close();
    let server = startServer(dataDir);
    try {
      let exited = false;
      server.status.then(() => (exited = true));
      await waitFor(
        () => {
          if (exited) throw new Error("the server exited before delivering");
          return receiver.received.length >= 20;
        },
        60_000,
        "first deliveries",
      )
        .catch((error) => {
          throw new Error(`${error.message}; server said: ${serverErrors}`);
        });
      server.kill("SIGKILL");
      await server.status;
      const beforeKill = new Set(receiver.received.map((r) => r.eventId)).size;
      assert.ok(beforeKill < EVENTS, `killed after ${beforeKill} events: not in the middle`);
      server = startServer(dataDir);
      const arrived = () => new Set(receiver.received.map((r) => r.eventId));
      // Well under the maintenance period (60 s): the restarted instance resumes the dead one's sends
      // once its heartbeat is stale (webhooks/register.ts), not at the next period.
      await waitFor(() => arrived().size === EVENTS, 40_000, "every event after restart");
      assert.deepEqual([...arrived()].sort(), [...written].sort());
      assert.deepEqual(receiver.rejected, []);
      // The server records the outcomes too (read from the same KV file while it runs).
      const kv = await Deno.openKv(config.kvPath);
      const statuses = async () => {
        const counts: Record<string, number> = {};
        for await (
          const e of kv.list<DeliveryRecord>({ prefix: webhookKeys.allDeliveriesPrefix() })
        ) {
          counts[e.value.status] = (counts[e.value.status] ?? 0) + 1;
        }
        return counts;
      };
      try {
        await waitFor(
          async () => (await statuses()).succeeded === EVENTS,
          30_000,
          "every delivery succeeded",
        )
          .catch(async (error) => {
            throw new Error(`${error.message}: ${JSON.stringify(await statuses())}`);
          });
      } finally {
        kv.close();
      }
      server.kill("SIGTERM");
      await server.status;
    } finally {
      try {
        server.kill("SIGKILL");
      } catch { /* already stopped */ }
      await receiver.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});

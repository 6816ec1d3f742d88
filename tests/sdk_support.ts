/**
 * Support for the SDK's tests (`tests/sdk_*_test.ts`): a real server on a fresh data directory and
 * port with an organization and a test API key (the admin commands, as `deno task demo` does), and
 * a local HTTP sink that records webhook deliveries byte for byte.
 */
import { loadConfig } from "../lib/core/config.ts";
import { createDeps } from "../lib/bootstrap.ts";
import { createLogger } from "../lib/core/logger.ts";
import { SCOPES } from "../lib/api_keys/api_keys.ts";
import { runAdmin } from "../scripts/admin.ts";

/** A running server and a test key for it. */
export interface SdkServer {
  url: string;
  apiKey: string;
  close(): Promise<void>;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Starts the real server (HTTP, delivery worker) and creates an organization and a test key. */
export async function startSdkServer(): Promise<SdkServer> {
  const { startServer } = await import("../main.ts");
  const dataDir = await Deno.makeTempDir({ prefix: "kayle-sdk-" });
  const env = { KAYLE_DATA_DIR: dataDir, PORT: String(freePort()), KAYLE_LOG_LEVEL: "error" };
  const server = await startServer(loadConfig(env), {}, { bundle: false });
  const deps = await createDeps(loadConfig(env), {
    logger: createLogger({ level: "error" }),
    usageFlushMs: 0,
  });
  let apiKey: string;
  try {
    const slug = `sdk-${crypto.randomUUID().slice(0, 8)}`;
    await runAdmin(deps, [
      "create-org",
      "--name",
      "SDK tests",
      "--slug",
      slug,
      "--owner-email",
      `${slug}@example.test`,
      "--owner-password",
      crypto.randomUUID(),
    ]);
    const created = await runAdmin(deps, [
      "create-key",
      "--org",
      slug,
      "--name",
      "sdk",
      "--scopes",
      SCOPES.join(","),
      "--mode",
      "test",
      "--json",
    ]);
    apiKey = JSON.parse(created).key;
  } finally {
    await deps.usage.close();
    deps.kv.close();
  }
  return {
    url: server.url,
    apiKey,
    async close() {
      await server.shutdown();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

/** One delivery as the receiver got it: the exact bytes and the headers. */
export interface RecordedDelivery {
  body: Uint8Array;
  headers: Headers;
  event: string;
}

/** A receiver that answers 204 and records every delivery; `next(type)` waits for one. */
export function startDeliverySink() {
  const deliveries: RecordedDelivery[] = [];
  const waiters = new Set<() => void>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const body = new Uint8Array(await req.arrayBuffer());
    deliveries.push({ body, headers: req.headers, event: req.headers.get("x-kayle-event") ?? "" });
    for (const wake of waiters) wake();
    return new Response(null, { status: 204 });
  });
  const { port } = server.addr as Deno.NetAddr;
  return {
    url: `http://127.0.0.1:${port}/webhooks/kayle`,
    deliveries,
    /** The first delivery of this event type after `from` deliveries, waiting up to `ms`. */
    async next(type: string, from = 0, ms = 30_000): Promise<RecordedDelivery> {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = deliveries.slice(from).find((d) => d.event === type);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new Error(
            `no ${type} delivery within ${ms} ms (got ${deliveries.map((d) => d.event)})`,
          );
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, left);
          function done() {
            clearTimeout(timer);
            waiters.delete(done);
            resolve();
          }
          waiters.add(done);
        });
      }
    },
    close: () => server.shutdown(),
  };
}

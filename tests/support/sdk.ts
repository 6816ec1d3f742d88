/**
 * Support for the SDK's tests (`tests/sdk_*_test.ts`): a real server on a fresh data directory and
 * port with an organization and a test API key (the admin commands, as `deno task demo` does), and
 * a local HTTP sink that records webhook deliveries byte for byte.
 */
import { loadConfig } from "../../lib/core/config.ts";
import { createPlatform } from "../../lib/platform.ts";
import { createLogger } from "../../lib/core/logger.ts";
import { SCOPES } from "../../lib/api_keys/api_keys.ts";
import { runAdmin } from "../../scripts/admin.ts";

/** A running server and a test key for it. */
export interface SdkServer {
  url: string;
  apiKey: string;
  close(): Promise<void>;
}

export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Starts the real server (HTTP, delivery worker) and creates an organization and a test key. */
export async function startSdkServer(): Promise<SdkServer> {
  const { startServer } = await import("../../main.ts");
  const dataDir = await Deno.makeTempDir({ prefix: "kayle-sdk-" });
  const env = { KAYLE_DATA_DIR: dataDir, PORT: String(freePort()), KAYLE_LOG_LEVEL: "error" };
  const server = await startServer(loadConfig(env), {}, { bundle: false });
  const deps = (await createPlatform(loadConfig(env), {
    logger: createLogger({ level: "error" }),
    usageFlushMs: 0,
  })).deps;
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
    async next(type: string, from = 0, ms = 60_000): Promise<RecordedDelivery> {
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

/** A child process whose stdout is read line by line. */
export function watchLines(child: Deno.ChildProcess) {
  const lines: string[] = [];
  let errors = "";
  const wake = new Set<() => void>();
  const decoder = new TextDecoder();
  const read = async (stream: ReadableStream<Uint8Array>, onText: (text: string) => void) => {
    for await (const chunk of stream) onText(decoder.decode(chunk, { stream: true }));
  };
  // Lines of both streams (`deno serve` announces its address on stderr).
  const splitter = () => {
    let partial = "";
    return (text: string) => {
      const parts = (partial + text).split("\n");
      partial = parts.pop() ?? "";
      lines.push(...parts);
      for (const w of wake) w();
    };
  };
  const out = splitter();
  const err = splitter();
  const done = Promise.all([
    read(child.stdout, out),
    read(child.stderr, (text) => {
      errors += text;
      err(text);
    }),
  ]).finally(() => {
    for (const w of wake) w();
  });
  let exited = false;
  child.status.then(() => {
    exited = true;
    for (const w of wake) w();
  });
  return {
    lines,
    stderr: () => errors,
    /** The first line matching, waiting up to `ms` (fails early if the process exits). */
    async waitFor(match: (line: string) => boolean, what: string, ms = 60_000): Promise<string> {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = lines.find(match);
        if (found !== undefined) return found;
        const left = deadline - Date.now();
        if (left <= 0 || exited) {
          throw new Error(
            `${what}: not seen ${exited ? "(the process exited)" : `within ${ms} ms`}.\n` +
              `stdout:\n${lines.join("\n")}\nstderr:\n${errors}`,
          );
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(finish, left);
          function finish() {
            clearTimeout(timer);
            wake.delete(finish);
            resolve();
          }
          wake.add(finish);
        });
      }
    },
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      await child.status;
      await done.catch(() => {});
    },
  };
}

/** What a receiver sample printed for the delivery it verified. */
export interface ReceiverRun {
  summary: { type: string; event_id: string; claims: Record<string, unknown> | null };
  refusal: { status: number; body: string };
  /** How the receiver answered {@link EDGE_CASES}' requests, by case. */
  edges: Record<string, string>;
}

/**
 * What every receiver answers to the same unusual requests (docs/webhooks.md, "reading the
 * header"): the SDK, the Deno module and the four samples must agree on each.
 */
export const EDGE_CASES: Record<string, string> = {
  "a header of one part without =": "400 malformed_signature",
  "a valid header with a stray part": "400 decryption_failed",
  "two timestamps": "400 malformed_signature",
  "a v1 value followed by =x": "400 malformed_signature",
  "a signed event without data": "400 invalid_payload",
  "a signed event with data null": "400 invalid_payload",
  "a signed event sent as text/plain": "400 wrong_content_type",
};

/** Sends {@link EDGE_CASES}' requests, signed with `secret`, encrypted to `publicJwk`. */
async function edgeCases(
  url: string,
  secret: string,
  publicJwk: JsonWebKey,
  kid: string,
): Promise<Record<string, string>> {
  const { CompactEncrypt, importJWK } = await import("jose");
  const key = await importJWK({ ...publicJwk, kid } as import("jose").JWK, "RSA-OAEP-256");
  const jwe = async (event: unknown) =>
    await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(event)))
      .setProtectedHeader({ alg: "RSA-OAEP-256", enc: "A256GCM", kid })
      .encrypt(key);
  const sign = async (t: number, body: string) => {
    const hmac = await crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const mac = await crypto.subtle.sign("HMAC", hmac, new TextEncoder().encode(`${t}.${body}`));
    return new Uint8Array(mac).toHex();
  };
  const metadata = { contract_version: 1, event_id: "evt_edge", verification_session_id: "" };
  const testEvent = {
    type: "webhook.test",
    metadata,
    data: { endpoint_id: "whe_edge", message: "edge" },
  };
  const now = Math.floor(Date.now() / 1000);
  const notJwe = "e30.a.b.c.d";
  const requests: Record<string, () => Promise<[string, string, string]>> = {
    "a header of one part without =": () =>
      Promise.resolve(["garbage", notJwe, "application/jose"]),
    "a valid header with a stray part": async () => [
      `t=${now},v1=${await sign(now, notJwe)},x`,
      notJwe,
      "application/jose",
    ],
    "two timestamps": async () => [
      `t=1,t=${now},v1=${await sign(now, notJwe)}`,
      notJwe,
      "application/jose",
    ],
    "a v1 value followed by =x": async () => [
      `t=${now},v1=${await sign(now, notJwe)}=x`,
      notJwe,
      "application/jose",
    ],
    "a signed event without data": async () => {
      const body = await jwe({ type: "webhook.test", metadata });
      return [`t=${now},v1=${await sign(now, body)}`, body, "application/jose"];
    },
    "a signed event with data null": async () => {
      const body = await jwe({ type: "webhook.test", metadata, data: null });
      return [`t=${now},v1=${await sign(now, body)}`, body, "application/jose"];
    },
    "a signed event sent as text/plain": async () => {
      const body = await jwe(testEvent);
      return [`t=${now},v1=${await sign(now, body)}`, body, "text/plain"];
    },
  };
  const answers: Record<string, string> = {};
  for (const [name, make] of Object.entries(requests)) {
    const [signature, body, type] = await make();
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": type, "x-kayle-signature": signature },
      body,
    });
    answers[name] = `${res.status} ${(await res.text()).trim()}`;
  }
  return answers;
}

/**
 * Runs a receiver sample against a real delivery: an endpoint pointing at it and a registered key;
 * the sample is started with its secrets (a retired one first, as during a rotation) and private
 * keys in the environment; a forged delivery is refused; then a simulated verification's
 * `verification.session.succeeded` must be printed verified, with its claims.
 */
export async function runReceiverSample(
  server: SdkServer,
  start: (env: Record<string, string>) => Deno.ChildProcess,
): Promise<ReceiverRun> {
  const { Kayle, generateEncryptionKeyPair } = await import("../../sdk/js/src/index.ts");
  const kayle = new Kayle({ apiKey: server.apiKey, baseUrl: server.url });
  const keys = await generateEncryptionKeyPair({ modulusLength: 2048 });
  const port = freePort();
  const url = `http://127.0.0.1:${port}/webhooks/kayle`;
  const { endpoint, signing_secret } = await kayle.webhookEndpoints.create({ name: "sample", url });
  const key = await kayle.encryptionKeys.create(endpoint.id, { jwk: keys.publicJwk });
  const child = start({
    PORT: String(port),
    KAYLE_WEBHOOK_SECRETS: `whsec_${"R".repeat(32)},${signing_secret}`,
    KAYLE_WEBHOOK_PRIVATE_KEYS: JSON.stringify({ [key.key_id]: keys.privateJwk }),
  });
  const output = watchLines(child);
  try {
    // "listening on …" (the samples), "deno serve: Listening on …", Bun's "Started … server: …".
    await output.waitFor((l) => /listening on|started .*server/i.test(l), "the listening line");
    const forged = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/jose",
        "x-kayle-signature": `t=${Math.floor(Date.now() / 1000)},v1=${"0".repeat(64)}`,
      },
      body: "e30.a.b.c.d",
    });
    const refusal = { status: forged.status, body: await forged.text() };
    const edges = await edgeCases(url, `whsec_${"R".repeat(32)}`, keys.publicJwk, key.key_id);
    const session = await kayle.sessions.create({
      share_fields: {
        given_names: { required: true, reason: "Greet you by name" },
        family_name: { required: true, reason: "Match your account" },
        age_over_18: { required: true, reason: "Adults only" },
      },
      webhook_endpoint_id: endpoint.id,
    });
    await kayle.testHelpers.simulateSession(session.id, { scenario: "success" });
    const prefix = "kayle webhook verified: ";
    const line = await output.waitFor(
      (l) => l.startsWith(prefix) && l.includes('"verification.session.succeeded"'),
      "the verified verification.session.succeeded line",
    );
    return { summary: JSON.parse(line.slice(prefix.length)), refusal, edges };
  } finally {
    await output.stop();
  }
}

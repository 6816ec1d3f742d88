/**
 * Sessions API throughput against a running server, measured by a load generator that is not
 * ours (autocannon, from npm, in its own Node process), beside its floors in the same run:
 *
 * - `POST /v1/sessions` (create: key lookup, rate limit, one multi-key KV commit) at concurrency
 *   1, 16 and 64, against a bare `Deno.serve` handler doing one KV atomic write;
 * - authenticated `GET /v1/sessions?limit=1` against a bare `Deno.serve` hello.
 *
 * The server is the real one (`startServer` from main.ts) on a temporary KV file and a free port,
 * seeded through the library. API keys are limited to 600 requests a minute each, so the load
 * rotates over {@link KEY_COUNT} keys of one organization (an autocannon HAR file, one entry per
 * key), which keeps every measured request under its key's limit.
 *
 * Run alone: `deno run -A --unstable-kv --unstable-cron bench/sessions_bench.ts`
 * (`BENCH_SECONDS` sets the duration of each measurement, default 3).
 */
import { type BenchSection, round } from "./section.ts";
import { startServer } from "../main.ts";
import { testConfig } from "../lib/core/config.ts";
import { createPlatform } from "../lib/platform.ts";
import { createUser } from "../lib/accounts/users.ts";
import { createOrganization } from "../lib/accounts/organizations.ts";
import { createApiKey } from "../lib/api_keys/api_keys.ts";

/** Keys the load rotates over (600 requests a minute each). */
export const KEY_COUNT = 256;
/** The load generator, pinned. */
export const AUTOCANNON = "autocannon@8.0.0";

const CONCURRENCY = [1, 16, 64];

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

interface Target {
  url: string;
  method: "GET" | "POST";
  har?: string;
}

async function runAutocannon(
  target: Target,
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  const args = ["-y", AUTOCANNON, "--json", "-c", String(connections), "-d", String(seconds)];
  if (target.har) args.push("--har", target.har);
  else {args.push(
      "-m",
      target.method,
      ...(target.method === "POST" ? ["-b", "{}", "-H", "content-type=application/json"] : []),
    );}
  args.push(target.url);
  const { code, stdout, stderr } = await new Deno.Command("npx", {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`autocannon failed: ${new TextDecoder().decode(stderr).slice(-500)}`);
  }
  const text = new TextDecoder().decode(stdout);
  const json = JSON.parse(text.slice(text.indexOf("{")));
  return {
    rps: json.requests.average,
    p50: json.latency.p50,
    p99: json.latency.p99,
    non2xx: json.non2xx,
    errors: json.errors + json.timeouts,
  };
}

async function writeHar(
  dir: string,
  name: string,
  url: string,
  method: string,
  secrets: string[],
): Promise<string> {
  const entries = secrets.map((secret) => ({
    request: {
      method,
      url,
      headers: [
        { name: "authorization", value: `Bearer ${secret}` },
        ...(method === "POST" ? [{ name: "content-type", value: "application/json" }] : []),
      ],
      ...(method === "POST" ? { postData: { mimeType: "application/json", text: "{}" } } : {}),
    },
  }));
  const path = `${dir}/${name}.har`;
  await Deno.writeTextFile(path, JSON.stringify({ log: { version: "1.2", entries } }));
  return path;
}

async function seed(config: ReturnType<typeof testConfig>): Promise<string[]> {
  const deps = (await createPlatform(config, { usageFlushMs: 0 })).deps;
  const user = await createUser(
    deps.kv,
    { email: "bench@example.test", passwordHash: "unused" },
    deps.clock,
    deps.random,
  );
  const org = await createOrganization(
    deps.kv,
    { name: "Bench", slug: "bench", ownerId: user.id },
    deps.clock,
    deps.random,
  );
  const secrets: string[] = [];
  for (let i = 0; i < KEY_COUNT; i++) {
    const { secret } = await createApiKey(deps, {
      orgId: org.id,
      name: `bench ${i}`,
      scopes: ["sessions:write"],
      mode: "test",
      createdBy: null,
    });
    secrets.push(secret);
  }
  await deps.usage.close();
  deps.kv.close();
  return secrets;
}

function startFloors(dir: string) {
  const kvPromise = Deno.openKv(`${dir}/floor.kv3`);
  const write = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async () => {
    await (await kvPromise).atomic().set(["floor", crypto.randomUUID()], 1).commit();
    return new Response('{"ok":true}', { headers: { "content-type": "application/json" } });
  });
  const hello = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    () => new Response("hello"),
  );
  const url = (s: Deno.HttpServer) => `http://127.0.0.1:${(s.addr as Deno.NetAddr).port}/`;
  return {
    writeUrl: url(write),
    helloUrl: url(hello),
    async stop() {
      await write.shutdown();
      await hello.shutdown();
      (await kvPromise).close();
    },
  };
}

function row(what: string, concurrency: number, r: LoadResult, floor: LoadResult | null) {
  return {
    target: what,
    concurrency,
    "req/s": round(r.rps, 0),
    "p50 ms": r.p50,
    "p99 ms": r.p99,
    "non-2xx": r.non2xx + r.errors,
    "vs floor": floor ? `${round((r.rps / floor.rps) * 100, 1)} %` : "—",
  };
}

/** Measures the sessions API and its floors; see the module comment. */
export async function bench(): Promise<BenchSection> {
  const seconds = Number(Deno.env.get("BENCH_SECONDS") ?? 3);
  const dir = await Deno.makeTempDir({ prefix: "kayle-sessions-bench-" });
  const config = testConfig({
    port: 0,
    kvPath: `${dir}/kayle.kv3`,
    dataDir: dir,
    logLevel: "warn",
  });
  const secrets = await seed(config);
  const server = await startServer(config, {}, { bundle: false, background: false });
  const floors = startFloors(dir);
  try {
    const create: Target = { url: `${server.url}/v1/sessions`, method: "POST" };
    create.har = await writeHar(dir, "create", create.url, "POST", secrets);
    const list: Target = { url: `${server.url}/v1/sessions?limit=1`, method: "GET" };
    list.har = await writeHar(dir, "list", list.url, "GET", secrets);
    const floorWrite: Target = { url: floors.writeUrl, method: "POST" };
    const floorHello: Target = { url: floors.helloUrl, method: "GET" };
    for (const t of [create, floorWrite, list, floorHello]) await runAutocannon(t, 8, 1); // warm-up
    const rows = [];
    for (const c of CONCURRENCY) {
      const floor = await runAutocannon(floorWrite, c, seconds);
      const ours = await runAutocannon(create, c, seconds);
      rows.push(row("floor: Deno.serve + 1 KV atomic write", c, floor, null));
      rows.push(row("POST /v1/sessions", c, ours, floor));
    }
    for (const c of CONCURRENCY) {
      const floor = await runAutocannon(floorHello, c, seconds);
      const ours = await runAutocannon(list, c, seconds);
      rows.push(row("floor: Deno.serve hello", c, floor, null));
      rows.push(row("GET /v1/sessions?limit=1 (authenticated)", c, ours, floor));
    }
    return {
      title: "Sessions API (autocannon against the running server)",
      rows,
      notes: [
        `${AUTOCANNON} via npx, ${seconds} s per row, after a 1 s warm-up per target; the load generator ` +
        `shares the machine (${navigator.hardwareConcurrency} cores) with the server.`,
        `Requests rotate over ${KEY_COUNT} API keys (600 requests/min each) so none is rate-limited; ` +
        `non-2xx counts any answer that is not 2xx, and errors/timeouts.`,
        "Each create is one KV commit of 6 keys (session, 3 indexes, cancel-token hash) plus 2 counter " +
        "sums, after the key lookup (1 KV read); the floor is one single-key commit.",
      ],
    };
  } finally {
    await floors.stop();
    await server.shutdown();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const section = await bench();
  console.log(`\n${section.title}\n`);
  console.table(section.rows);
  for (const note of section.notes ?? []) console.log(`- ${note}`);
  Deno.exit(0);
}

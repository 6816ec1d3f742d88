/**
 * The sessions API hot paths against the server as `deno task start` runs it (`startServer` with
 * its background work on, info logging, a KV file), beside their floors in the same run, each at
 * concurrency 8, 64 and 256 from a load generator in a second process (`bench/load.ts`):
 *
 * - `POST /v1/sessions` vs `Deno.serve` + one KV atomic write of a ~1.5 KB value;
 * - `GET /v1/sessions/:id` vs `Deno.serve` + one KV get of a ~1.5 KB value.
 *
 * Product and floor alternate per concurrency, so machine load affects both alike. Goal (issue 15,
 * docs/performance.md "The bench"): ratio ≥ 0.5 at c = 64, the measure, and 0 errors at
 * every concurrency; the ratios at c = 8 and 256 are printed beside it. One API key of one
 * organization, its limit raised through `KAYLE_API_RATE_LIMIT_PER_MINUTE` as a big integrator
 * would.
 *
 * Run alone: `deno run -A --unstable-kv --unstable-cron bench/sessions_bench.ts`
 * (`BENCH_SECONDS` sets each measurement, default 3).
 */
import { type BenchSection, round } from "./section.ts";
import { type LoadResult, runLoad } from "./load.ts";
import { BENCH_SERVER_KEY, startServerProcess } from "./server.ts";
import { testConfig } from "../lib/core/config.ts";
import { createPlatform } from "../lib/platform.ts";
import { createUser } from "../lib/accounts/users.ts";
import { createOrganization } from "../lib/accounts/organizations.ts";
import { createApiKey } from "../lib/api_keys/api_keys.ts";

/** Concurrencies every HTTP row is measured at. */
export const CONCURRENCY = [8, 64, 256];
/** Goal of the product/floor ratio at {@link GOAL_CONCURRENCY}. */
export const RATIO_GOAL = 0.5;
/** The concurrency the ratio goal is measured at (issue 15's table: "c=64"). */
export const GOAL_CONCURRENCY = 64;
const VALUE = "x".repeat(1500);

async function seed(config: ReturnType<typeof testConfig>): Promise<string> {
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
  const { secret } = await createApiKey(deps, {
    orgId: org.id,
    name: "bench",
    scopes: ["sessions:write", "sessions:read"],
    mode: "test",
    createdBy: null,
  });
  await deps.usage.close();
  deps.kv.close();
  return secret;
}

function startFloors(dir: string) {
  const kvPromise = Deno.openKv(`${dir}/floor.kv3`);
  const opts = { port: 0, hostname: "127.0.0.1", onListen: () => {} };
  const write = Deno.serve(opts, async () => {
    const id = crypto.randomUUID();
    await (await kvPromise).atomic().set(["floor", id], { id, value: VALUE }).commit();
    return Response.json({ data: { id }, error: null });
  });
  const read = Deno.serve(opts, async (req) => {
    const id = new URL(req.url).pathname.slice(1);
    const entry = await (await kvPromise).get<{ id: string }>(["floor_read", id]);
    return entry.value ? Response.json({ data: entry.value, error: null }) : new Response("", {
      status: 404,
    });
  });
  const url = (s: Deno.HttpServer) => `http://127.0.0.1:${(s.addr as Deno.NetAddr).port}/`;
  return {
    writeUrl: url(write),
    readUrl: url(read),
    async seedReads(n: number): Promise<string[]> {
      const kv = await kvPromise;
      const ids = Array.from({ length: n }, () => crypto.randomUUID());
      for (const id of ids) await kv.set(["floor_read", id], { id, value: VALUE });
      return ids.map((id) => `${url(read)}${id}`);
    },
    async stop() {
      await write.shutdown();
      await read.shutdown();
      (await kvPromise).close();
    },
  };
}

function merge(runs: LoadResult[]): LoadResult {
  const sum = (f: (r: LoadResult) => number) => runs.reduce((a, r) => a + f(r), 0);
  const max = (f: (r: LoadResult) => number) => Math.max(...runs.map(f));
  return {
    rps: sum((r) => r.rps) / runs.length,
    p50: max((r) => r.p50),
    p99: max((r) => r.p99),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    requests: sum((r) => r.requests),
  };
}

/**
 * One product row beside its floor, with the goal and whether it holds: at c = 64 the ratio and no
 * errors, at the other concurrencies no errors (their ratio is shown, not judged).
 */
export function ratioRow(what: string, c: number, ours: LoadResult, floor: LoadResult) {
  const ratio = ours.rps / floor.rps;
  const errors = ours.non2xx + ours.errors;
  const judged = c === GOAL_CONCURRENCY;
  return {
    measure: what,
    c,
    "req/s": round(ours.rps, 0),
    "floor req/s": round(floor.rps, 0),
    ratio: round(ratio, 2),
    "p50 ms": ours.p50,
    "p99 ms": ours.p99,
    errors,
    goal: judged ? `ratio ≥ ${RATIO_GOAL}, 0 errors` : "0 errors",
    holds: (!judged || ratio >= RATIO_GOAL) && errors === 0 && floor.non2xx + floor.errors === 0
      ? "yes"
      : "NO",
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
    serverKey: BENCH_SERVER_KEY,
  });
  const secret = await seed(config);
  const server = await startServerProcess(dir, { KAYLE_API_RATE_LIMIT_PER_MINUTE: "100000000" });
  const floors = startFloors(dir);
  try {
    const auth = { authorization: `Bearer ${secret}` };
    const post = {
      method: "POST" as const,
      headers: { ...auth, "content-type": "application/json" },
      body: "{}",
    };
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`${server.url}/v1/sessions`, post);
      ids.push((await res.json()).data.id);
    }
    const getUrls = ids.map((id) => `${server.url}/v1/sessions/${id}`);
    const floorGetUrls = await floors.seedReads(100);
    const load = (urls: string[], method: "GET" | "POST", c: number, s = seconds) =>
      runLoad({
        urls,
        method,
        headers: method === "POST" ? post.headers : auth,
        body: method === "POST" ? "{}" : undefined,
        concurrency: c,
        seconds: s,
      });
    // Warm-up (JIT, connection pools) of every target.
    await load([`${server.url}/v1/sessions`], "POST", 8, 1);
    await load([floors.writeUrl], "POST", 8, 1);
    await load(getUrls, "GET", 8, 1);
    await load(floorGetUrls, "GET", 8, 1);
    // Floor and product alternate in halves, so a change of machine load hits both alike.
    const pair = async (
      ourUrls: string[],
      floorUrls: string[],
      method: "GET" | "POST",
      c: number,
    ) => {
      const halves = { ours: [] as LoadResult[], floor: [] as LoadResult[] };
      for (let i = 0; i < 2; i++) {
        halves.floor.push(await load(floorUrls, method, c, seconds / 2));
        halves.ours.push(await load(ourUrls, method, c, seconds / 2));
      }
      return { ours: merge(halves.ours), floor: merge(halves.floor) };
    };
    const rows = [];
    for (const c of CONCURRENCY) {
      const { ours, floor } = await pair(
        [`${server.url}/v1/sessions`],
        [floors.writeUrl],
        "POST",
        c,
      );
      rows.push(ratioRow("POST /v1/sessions vs serve + 1 KV write", c, ours, floor));
    }
    for (const c of CONCURRENCY) {
      const { ours, floor } = await pair(getUrls, floorGetUrls, "GET", c);
      rows.push(ratioRow("GET /v1/sessions/:id vs serve + 1 KV get", c, ours, floor));
    }
    return {
      title:
        "Sessions API hot paths (server as `deno task start` runs it, load from a 2nd process)",
      rows,
      notes: [
        `bench/load.ts in its own process, ${seconds} s per row after a 1 s warm-up per target; ` +
        `it shares the machine (${navigator.hardwareConcurrency} cores, load average ` +
        `${Deno.loadavg().map((l) => l.toFixed(1)).join(" ")}) with the server.`,
        "Server: main.ts in its own process (background work on, info logging to a file, KV " +
        "file), as `deno task start` runs it; p50/p99 are the worse of the two halves. Floors: " +
        "Deno.serve + one KV atomic write / one KV get of a 1.5 KB value, on a KV file.",
        `V8 flags of both: ${Deno.env.get("DENO_V8_FLAGS") || "V8's defaults"} (DENO_V8_FLAGS).`,
      ],
    };
  } finally {
    await floors.stop();
    await server.stop();
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

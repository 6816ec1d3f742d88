/**
 * End-to-end webhook delivery: from the commit of an event (the state change) to the local
 * receiver's 2xx, through the real fan-out (JWE per endpoint), the job queue and the worker
 * (signing, SSRF check, fetch, outcome commit) on a KV file — beside a bare `fetch` loop to the
 * same receiver in the same run, which is the floor. Run standalone:
 * `deno run -A --unstable-kv --unstable-cron bench/webhooks_bench.ts`.
 */
import { generateEncryptionKeyPair } from "../webhooks/receiver.ts";
import { type BenchSection, median, percentile, round } from "./section.ts";
import { loadConfig, testConfig } from "../lib/core/config.ts";
import { createPlatform } from "../lib/platform.ts";
import { silentLogger } from "../lib/core/logger.ts";
import { createOrganization } from "../lib/accounts/organizations.ts";
import { addEventToCommit } from "../lib/events/events.ts";
import type { AppDeps } from "../lib/deps.ts";
import { createEndpoint } from "../webhooks/endpoints.ts";
import { addEncryptionKey, validatePublicJwk } from "../webhooks/encryption_keys.ts";
import { type EndpointRecord, webhookKeys } from "../webhooks/model.ts";
import { startWebhookWorker } from "../webhooks/register.ts";
import { groupCommitterOf } from "../lib/core/group_commit.ts";
import type { BackgroundHandle } from "../lib/background.ts";
import { addCpuSpent, cpuPerItem, threadCpuMs } from "./thread_cpu.ts";
import { contractMinimumDelivery } from "./contract_minimum.ts";
import { generateSigningSecret, signingKeyOf } from "../webhooks/signing.ts";
import { cryptoRandom } from "../lib/core/random.ts";

const SEQUENTIAL = 100;
const BURST = 300;

interface Receiver {
  url: string;
  arrivals: Map<string, number>;
  close(): Promise<void>;
}

function startReceiver(): Receiver {
  const arrivals = new Map<string, number>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      await request.text();
      arrivals.set(
        request.headers.get("x-kayle-delivery-id") ?? crypto.randomUUID(),
        performance.now(),
      );
      return new Response("ok");
    },
  );
  return {
    url: `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}/hooks`,
    arrivals,
    close: () => server.shutdown(),
  };
}

async function seed(deps: AppDeps, url: string): Promise<string> {
  const org = await createOrganization(
    deps.kv,
    { name: "Bench", slug: "bench-org", ownerId: "usr_bench" },
    deps.clock,
    deps.random,
  );
  const { endpoint } = await createEndpoint(deps, org.id, "test", { name: "bench", url });
  const pair = await generateEncryptionKeyPair(2048);
  const checked = await validatePublicJwk(pair.publicJwk);
  if (!checked.ok) throw new Error(checked.problem.message);
  await addEncryptionKey(
    deps,
    (await deps.kv.get<EndpointRecord>(webhookKeys.endpoint(endpoint.id))) as Deno.KvEntry<
      EndpointRecord
    >,
    checked,
  );
  return org.id;
}

/**
 * Commits one event as the session lifecycle commits a state change (`checkedOp`,
 * lib/sessions/lifecycle.ts: through the shared group committer); returns its id and the commit
 * time.
 */
async function commitEvent(
  deps: AppDeps,
  orgId: string,
): Promise<{ eventId: string; committedAt: number }> {
  const op = groupCommitterOf(deps.kv).atomic();
  const event = await addEventToCommit(deps, op, {
    orgId,
    mode: "test",
    type: "verification.session.succeeded",
    sessionId: `vs_${"b".repeat(64)}`,
    data: {
      claims: { kayle_document_id: "kdid_bench" },
      selected_field_keys: ["kayle_document_id"],
    },
  });
  await op.commit();
  return { eventId: event.id, committedAt: performance.now() };
}

/** The delivery id of each event (the bench's bookkeeping: read outside the timed spans). */
async function deliveryIds(deps: AppDeps, eventIds: string[]): Promise<string[]> {
  return await Promise.all(eventIds.map(async (eventId) => {
    for await (
      const e of deps.kv.list<string>({ prefix: webhookKeys.deliveriesByEventPrefix(eventId) })
    ) {
      return e.value;
    }
    throw new Error("no delivery was fanned out");
  }));
}

/**
 * Waits until the receiver has seen `count` deliveries beyond the `before` it had seen; the
 * arrival times are the receiver's own, so waiting adds nothing to them.
 */
async function waitForArrivals(
  receiver: Receiver,
  before: number,
  count: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (receiver.arrivals.size < before + count) {
    if (Date.now() > deadline) throw new Error("deliveries did not all arrive");
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Commits `count` events at once and waits for their deliveries; arrival times by event. */
async function burstOfEvents(
  deps: AppDeps,
  orgId: string,
  receiver: Receiver,
  count: number,
  timeoutMs: number,
): Promise<Array<{ committedAt: number; arrivedAt: number }>> {
  const before = receiver.arrivals.size;
  const commits = await Promise.all(Array.from({ length: count }, () => commitEvent(deps, orgId)));
  await waitForArrivals(receiver, before, count, timeoutMs);
  const ids = await deliveryIds(deps, commits.map((c) => c.eventId));
  return commits.map((c, i) => {
    const arrivedAt = receiver.arrivals.get(ids[i]);
    if (arrivedAt === undefined) throw new Error("a delivery of the burst did not arrive");
    return { committedAt: c.committedAt, arrivedAt };
  });
}

function row(
  name: string,
  count: number,
  elapsedMs: number,
  latencies: number[],
): Record<string, string | number> {
  return {
    case: name,
    events: count,
    "events/s": round((count / elapsedMs) * 1000, 1),
    "p50 ms": round(median(latencies)),
    "p99 ms": round(percentile(latencies, 99)),
  };
}

/**
 * Runs the product and its floor of one round, one after the other; which goes first alternates
 * with the round, so neither always meets the machine as the other left it.
 */
async function inTurn<P, F>(
  round: number,
  product: () => Promise<P>,
  floor: () => Promise<F>,
): Promise<[P, F]> {
  if (round % 2) {
    const p = await product();
    return [p, await floor()];
  }
  const f = await floor();
  return [await product(), f];
}

/** Rounds of the burst, each beside its floor (product and floor alternate). */
const ROUNDS = 5;

/** The floor of one delivery: the same fetch of a JWE-sized body, then one KV write recording it. */
function floorPost(receiver: Receiver, kv: Deno.Kv): () => Promise<number> {
  const body = "x".repeat(700);
  return async () => {
    const t0 = performance.now();
    const res = await fetch(receiver.url, {
      method: "POST",
      body,
      headers: { "content-type": "application/jose" },
    });
    await res.body?.cancel();
    await kv.set(["floor_delivery", crypto.randomUUID()], { status: res.status, at: Date.now() });
    return performance.now() - t0;
  };
}

/** The floor's burst: `BURST` fetches + KV writes at once, its CPU by thread added to `cpu`. */
function floorBurstOf(
  post: () => Promise<number>,
  cpu: Map<string, number>,
): () => Promise<{ floorMs: number; floor: number[] }> {
  return async () => {
    const cpuBefore = threadCpuMs();
    const floorStart = performance.now();
    const floor = await Promise.all(Array.from({ length: BURST }, post));
    addCpuSpent(cpu, cpuBefore, threadCpuMs());
    return { floorMs: performance.now() - floorStart, floor };
  };
}

async function deliveryRuns(
  deps: AppDeps,
  orgId: string,
  receiver: Receiver,
  floorKv: Deno.Kv,
  worker: { current: BackgroundHandle },
): Promise<Array<Record<string, string | number>>> {
  const backend = deps.config.jobBackend;
  const post = floorPost(receiver, floorKv);
  const sequential: number[] = [];
  const floorSequential: number[] = [];
  let sequentialMs = 0;
  let floorSequentialMs = 0;
  for (let i = 0; i < SEQUENTIAL; i++) {
    const started = performance.now();
    const [{ committedAt, arrivedAt }] = await burstOfEvents(deps, orgId, receiver, 1, 10_000);
    sequential.push(arrivedAt - committedAt);
    sequentialMs += performance.now() - started;
    const floorStarted = performance.now();
    floorSequential.push(await post());
    floorSequentialMs += performance.now() - floorStarted;
  }
  const rows = [
    row(`delivery, one at a time (${backend})`, SEQUENTIAL, sequentialMs, sequential),
    row(`floor: fetch + 1 KV write, one at a time`, SEQUENTIAL, floorSequentialMs, floorSequential),
  ];
  const ratios: number[] = [];
  // CPU of the product's bursts by thread (the floor runs in turn, outside these spans).
  const burstCpu = new Map<string, number>();
  const productBurst = async () => {
    const cpuBefore = threadCpuMs();
    const burstStart = performance.now();
    const arrivals = await burstOfEvents(deps, orgId, receiver, BURST, 60_000);
    addCpuSpent(burstCpu, cpuBefore, threadCpuMs());
    return {
      burstMs: Math.max(...arrivals.map((a) => a.arrivedAt)) - burstStart,
      burst: arrivals.map((a) => a.arrivedAt - a.committedAt),
    };
  };
  const floorCpu = new Map<string, number>();
  const floorBurst = floorBurstOf(post, floorCpu);
  for (let round = 1; round <= ROUNDS; round++) {
    const [product, base] = await inTurn(round, productBurst, floorBurst);
    const { burstMs, burst } = product;
    const { floorMs, floor } = base;
    ratios.push(floorMs / burstMs);
    rows.push(
      row(`delivery, burst of ${BURST} (${backend}), round ${round}`, BURST, burstMs, burst),
      row(`floor: fetch + 1 KV write, burst of ${BURST}, round ${round}`, BURST, floorMs, floor),
    );
  }
  const drainRatios = backend === "kv_table"
    ? await drainRuns(deps, orgId, receiver, worker, floorBurst, rows)
    : [];
  rows.push({
    case: `CPU ms per delivery by thread, bursts (${backend})`,
    events: BURST * ROUNDS,
    "events/s": "",
    "p50 ms": cpuPerItem(burstCpu, BURST * ROUNDS),
    "p99 ms": "",
  }, {
    case: "CPU ms per delivery by thread, floor bursts",
    events: BURST * ROUNDS,
    "events/s": "",
    "p50 ms": cpuPerItem(floorCpu, BURST * ROUNDS),
    "p99 ms": "",
  });
  return [...rows, ...goalRows(backend, sequential, ratios), ...drainRow(backend, drainRatios)];
}

/**
 * A backlog drained: 300 deliveries due at once (their events committed while this instance's
 * worker was stopped, as after a restart or an outage of the receiver) until the last 2xx,
 * beside the floor's burst. Only on the job table: a stopped KV queue hands messages back later.
 */
async function drainRuns(
  deps: AppDeps,
  orgId: string,
  receiver: Receiver,
  worker: { current: BackgroundHandle },
  floorBurst: () => Promise<{ floorMs: number; floor: number[] }>,
  rows: Array<Record<string, string | number>>,
): Promise<number[]> {
  const ratios: number[] = [];
  for (let round = 1; round <= DRAIN_ROUNDS; round++) {
    await worker.current.stop();
    const commits = await Promise.all(
      Array.from({ length: BURST }, () => commitEvent(deps, orgId)),
    );
    const ids = await deliveryIds(deps, commits.map((c) => c.eventId));
    const drain = async () => {
      const started = performance.now();
      const before = receiver.arrivals.size;
      worker.current = await startWebhookWorker(deps);
      await waitForArrivals(receiver, before, BURST, 60_000);
      const arrivals = ids.map((id) => receiver.arrivals.get(id)! - started);
      return { drainMs: Math.max(...arrivals), arrivals };
    };
    const [product, base] = await inTurn(round, drain, floorBurst);
    ratios.push(base.floorMs / product.drainMs);
    rows.push(
      row(
        `backlog of ${BURST} drained (kv_table), round ${round}`,
        BURST,
        product.drainMs,
        product.arrivals,
      ),
      row(
        `floor: fetch + 1 KV write, burst of ${BURST}, round ${round}`,
        BURST,
        base.floorMs,
        base.floor,
      ),
    );
  }
  return ratios;
}

/** Rounds of the backlog drain. */
const DRAIN_ROUNDS = 3;

/** The drain's row: not the goal (that is the burst from the commits), for comparison. */
function drainRow(backend: string, ratios: number[]): Array<Record<string, string | number>> {
  if (!ratios.length) return [];
  return [{
    case: `backlog drain (${backend}) vs floor, median of ${DRAIN_ROUNDS} rounds (no goal)`,
    events: BURST,
    "events/s": round(median(ratios), 2),
    "p50 ms": ratios.map((r) => round(r, 2)).join(" / "),
    "p99 ms": "",
  }];
}

/** The goal rows (issue 15): p50 state change → 2xx, and the burst's median ratio to its floor. */
function goalRows(
  backend: string,
  sequential: number[],
  ratios: number[],
): Array<Record<string, string | number>> {
  const defaultBackend = loadConfig({}).jobBackend;
  const label = backend === defaultBackend ? `${backend}, the default` : backend;
  const p50 = round(median(sequential));
  const ratio = round(median(ratios), 2);
  return [
    {
      case: `GOAL p50 state change → 2xx (${label}) ≤ 50 ms`,
      events: SEQUENTIAL,
      "events/s": "",
      "p50 ms": p50,
      "p99 ms": p50 <= 50 ? "holds: yes" : "holds: NO",
    },
    {
      case: `GOAL burst throughput (${label}) vs floor ≥ 0.5 (median of ${ROUNDS} rounds)`,
      events: BURST,
      "events/s": ratio,
      "p50 ms": ratios.map((r) => round(r, 2)).join(" / "),
      "p99 ms": ratio >= 0.5 ? "holds: yes" : "holds: NO",
    },
  ];
}

/**
 * The contract's least work per delivery (bench/contract_minimum.ts) in bursts of `BURST`, beside
 * the floor's burst in turn: its ratio to the floor is the most the product's burst could reach.
 */
async function minimumRuns(
  receiver: Receiver,
  floorKv: Deno.Kv,
  kvPath: string,
): Promise<Array<Record<string, string | number>>> {
  const kv = await Deno.openKv(kvPath);
  try {
    const pair = await generateEncryptionKeyPair(2048);
    const checked = await validatePublicJwk(pair.publicJwk);
    if (!checked.ok) throw new Error(checked.problem.message);
    const deliver = contractMinimumDelivery(kv, {
      url: receiver.url,
      jwk: {
        kty: "RSA",
        n: checked.n,
        e: checked.e,
        alg: "RSA-OAEP-256",
        use: "enc",
        kid: "key_min",
      },
      signingKey: await signingKeyOf(generateSigningSecret(cryptoRandom)),
    });
    const floorBurst = floorBurstOf(floorPost(receiver, floorKv), new Map());
    const cpu = new Map<string, number>();
    const minimumBurst = async () => {
      const cpuBefore = threadCpuMs();
      const started = performance.now();
      const latencies = await Promise.all(Array.from({ length: BURST }, deliver));
      addCpuSpent(cpu, cpuBefore, threadCpuMs());
      return { ms: performance.now() - started, latencies };
    };
    await minimumBurst(); // its first key import and connection, as the product's are warm
    cpu.clear();
    const rows: Array<Record<string, string | number>> = [];
    const ratios: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const [minimum, base] = await inTurn(round, minimumBurst, floorBurst);
      ratios.push(base.floorMs / minimum.ms);
      rows.push(
        row(
          `contract minimum, burst of ${BURST}, round ${round}`,
          BURST,
          minimum.ms,
          minimum.latencies,
        ),
        row(
          `floor: fetch + 1 KV write, burst of ${BURST}, round ${round}`,
          BURST,
          base.floorMs,
          base.floor,
        ),
      );
    }
    rows.push({
      case: "CPU ms per delivery by thread, contract minimum bursts",
      events: BURST * ROUNDS,
      "events/s": "",
      "p50 ms": cpuPerItem(cpu, BURST * ROUNDS),
      "p99 ms": "",
    }, {
      case: `contract minimum vs floor, median of ${ROUNDS} rounds (no goal: the burst's ceiling)`,
      events: BURST,
      "events/s": round(median(ratios), 2),
      "p50 ms": ratios.map((r) => round(r, 2)).join(" / "),
      "p99 ms": "",
    });
    return rows;
  } finally {
    kv.close();
  }
}

/** The KV queue's own hop (enqueue → handler) on a KV file: the floor under kv_queue deliveries. */
async function queueHop(path: string): Promise<Record<string, string | number>> {
  const kv = await Deno.openKv(path);
  const latencies: number[] = [];
  let arrived = () => {};
  kv.listenQueue((sentAt: number) => {
    latencies.push(performance.now() - sentAt);
    arrived();
  }).catch(() => {});
  const started = performance.now();
  for (let i = 0; i < 30; i++) {
    const got = new Promise<void>((r) => (arrived = r));
    await kv.enqueue(performance.now());
    await got;
  }
  const elapsed = performance.now() - started;
  kv.close();
  return row("bare KV queue hop, one at a time", 30, elapsed, latencies);
}

/** Runs the webhook delivery benchmark on both job backends. */
export async function bench(): Promise<BenchSection> {
  const receiver = startReceiver();
  const rows: Array<Record<string, string | number>> = [];
  const dir = await Deno.makeTempDir({ prefix: "kayle-bench-webhooks-" });
  try {
    const floorKv = await Deno.openKv(`${dir}/floor.kv3`);
    for (const backend of ["kv_queue", "kv_table"] as const) {
      const config = testConfig({
        kvPath: `${dir}/${backend}.kv3`,
        dataDir: dir,
        jobBackend: backend,
      });
      const deps = (await createPlatform(config, { logger: silentLogger, usageFlushMs: 0 })).deps;
      const worker = { current: await startWebhookWorker(deps) };
      try {
        rows.push(
          ...await deliveryRuns(deps, await seed(deps, receiver.url), receiver, floorKv, worker),
        );
      } finally {
        await worker.current.stop();
        await deps.usage.close();
        deps.kv.close();
      }
    }
    rows.push(...await minimumRuns(receiver, floorKv, `${dir}/minimum.kv3`));
    floorKv.close();
    rows.push(await queueHop(`${dir}/hop.kv3`));
  } finally {
    await receiver.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  return {
    title: "Webhook delivery (commit of the event → receiver 2xx, local receiver)",
    rows,
    notes: [
      "Delivery = fan-out with RSA-OAEP-256/A256GCM JWE, job, claim, HMAC signature, fetch, outcome commit, on a KV file.",
      "The instance that commits an event makes the first try at once (lib/jobs/run_now.ts); the job is the fallback, so Deno KV's queue hop (its row) is no longer on the path.",
      "Burst: 300 events committed at once (as the session lifecycle commits state changes) until the last 2xx, and the floor's 300 fetch + KV write, in 5 rounds (which goes first alternates); the goal takes the median ratio.",
      "Times are the receiver's arrival times; which delivery belongs to which event is read after the arrivals, outside the timed spans.",
      "CPU by thread (from /proc/self/task, Linux) covers the product's bursts, the receiver's handler included (it runs in this process); the floor runs outside those spans.",
      "Contract minimum (bench/contract_minimum.ts): the least a delivery must do — event and delivery committed with one list entry each, the product's JWE and signature, the POST, the outcome and its attempt — without the product's reads, filtered lists, claim, crash fallback, URL check or logging. Its ratio to the floor bounds the burst's from above.",
      "Backlog drain (for comparison, no goal): 300 deliveries already due when the worker starts (as after a restart), until the last 2xx.",
      "The machine is shared with other work: compare rows of one run, not across runs.",
      `Machine: ${navigator.hardwareConcurrency} logical CPUs, Deno ${Deno.version.deno}.`,
    ],
  };
}

if (import.meta.main) {
  const section = await bench();
  console.log(section.title);
  console.table(section.rows);
  for (const note of section.notes ?? []) console.log(`- ${note}`);
}

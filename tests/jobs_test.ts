/**
 * The jobs interface, run on both backends: immediate and delayed jobs, jobs that exist only
 * when their commit does, re-runs after a thrown error, stop and start; then what only the job
 * table has: claims under a versionstamp check and leases reclaimed when they expire.
 *
 * Nothing here sleeps to show that something did not happen: a later "sentinel" job is waited
 * for instead (the queue hands jobs out in due order, so whatever would have run first has), the
 * table is polled by the manual clock, and a stopped queue's refusal is a log event.
 */
import assert from "node:assert/strict";
import type { JobBackend } from "../lib/core/config.ts";
import { ManualClock } from "../lib/core/clock.ts";
import { createLogger, silentLogger } from "../lib/core/logger.ts";
import { cryptoRandom } from "../lib/core/random.ts";
import {
  createKvQueueJobs,
  createKvTableJobs,
  type JobMap,
  type JobPayload,
  type JobQueue,
} from "../lib/jobs/mod.ts";
import { QUEUE_BACKOFF_MS } from "../lib/jobs/kv_queue.ts";
import { waitFor } from "./support/webhooks.ts";
import { jobKeys } from "../lib/jobs/types.ts";

/** Test job types: any name, any small payload. */
type TestJobs = JobMap;

interface Harness {
  kv: Deno.Kv;
  clock: ManualClock;
  jobs: JobQueue<TestJobs>;
  /** Log events of the queue (debug level). */
  events: string[];
  /** Makes due jobs run: the table polls by the manual clock; the queue runs by itself. */
  tick(): Promise<void>;
  /**
   * Runs a sentinel job due `afterMs` from now and waits for it: every job due before it has
   * been handed out by then (the table by the clock, the queue in due order).
   */
  sentinel(afterMs?: number): Promise<void>;
}

const SENTINEL = "test.sentinel";
/** The table's default lease: a claimed job that did not finish is due again after it. */
const TABLE_LEASE_MS = 15_000;

async function harness(backend: JobBackend): Promise<Harness> {
  const kv = await Deno.openKv(":memory:");
  const clock = new ManualClock();
  const events: string[] = [];
  const logger = createLogger({
    level: "debug",
    strict: true,
    sink: (line) => void events.push(JSON.parse(line).event),
  });
  const deps = { kv, clock, random: cryptoRandom, logger };
  const table = backend === "kv_table"
    ? createKvTableJobs<TestJobs>(deps, { pollIntervalMs: 5 })
    : null;
  const jobs = table ?? createKvQueueJobs<TestJobs>(deps);
  const tick = async () => void await table?.pollOnce();
  let sentinels = 0;
  jobs.register(SENTINEL, () => Promise.resolve(void sentinels++));
  const sentinel = async (afterMs = 0) => {
    const before = sentinels;
    if (table) clock.advance(afterMs);
    // The queue delays by real time; the table by the manual clock, advanced above.
    await jobs.enqueue({
      type: SENTINEL,
      payload: {},
      runAt: clock.now().getTime() + (table ? 0 : afterMs),
    });
    await waitFor(async () => (await tick(), sentinels > before), 20_000, "sentinel job");
  };
  return { kv, clock, jobs, events, tick, sentinel };
}

for (const backend of ["kv_queue", "kv_table"] as const) {
  Deno.test(`[${backend}] runs an enqueued job with its payload, once`, async () => {
    const h = await harness(backend);
    const seen: JobPayload[] = [];
    h.jobs.register("test.echo", (payload) => {
      seen.push(payload);
      return Promise.resolve();
    });
    await h.jobs.start();
    try {
      const id = await h.jobs.enqueue({ type: "test.echo", payload: { n: 1, s: "x" } });
      assert.match(id, /^job_[a-z0-9]{32}$/);
      await waitFor(() => seen.length === 1, 20_000, "job");
      assert.deepEqual(seen, [{ n: 1, s: "x" }]);
      // A second run would come with the first redelivery (or after the table's lease): a
      // sentinel due later than that has run, and the job did not run again before it.
      await h.sentinel(backend === "kv_queue" ? QUEUE_BACKOFF_MS[0] + 500 : TABLE_LEASE_MS + 1);
      assert.equal(seen.length, 1);
    } finally {
      await h.jobs.stop();
      h.kv.close();
    }
  });

  Deno.test(`[${backend}] a job added to a commit exists only if the commit succeeds`, async () => {
    const h = await harness(backend);
    const seen: unknown[] = [];
    h.jobs.register("test.commit", (p) => Promise.resolve(void seen.push(p.tag)));
    await h.jobs.start();
    try {
      await h.kv.set(["guard"], 1);
      const failing = h.kv.atomic().check({ key: ["guard"], versionstamp: null });
      h.jobs.addToCommit(failing, { type: "test.commit", payload: { tag: "lost" } });
      assert.equal((await failing.commit()).ok, false);
      const passing = h.kv.atomic();
      h.jobs.addToCommit(passing, { type: "test.commit", payload: { tag: "kept" } });
      assert.equal((await passing.commit()).ok, true);
      await waitFor(() => seen.length === 1, 20_000, "committed job");
      await h.sentinel(); // the lost job, had it existed, was due before it
      assert.deepEqual(seen, ["kept"]);
    } finally {
      await h.jobs.stop();
      h.kv.close();
    }
  });

  Deno.test(`[${backend}] a delayed job waits for its time`, async () => {
    const h = await harness(backend);
    let ran = 0;
    h.jobs.register("test.later", () => Promise.resolve(void ran++));
    await h.jobs.start();
    try {
      await h.jobs.enqueue({
        type: "test.later",
        payload: {},
        runAt: h.clock.now().getTime() + 300,
      });
      await h.tick();
      await h.sentinel(); // due now, before the delayed job: it runs first
      assert.equal(ran, 0, "not before its time");
      h.clock.advance(300);
      await waitFor(async () => (await h.tick(), ran === 1), 20_000, "delayed job");
    } finally {
      await h.jobs.stop();
      h.kv.close();
    }
  });

  Deno.test(`[${backend}] a handler that throws gets the job again`, async () => {
    const h = await harness(backend);
    let calls = 0;
    h.jobs.register("test.flaky", () => {
      calls++;
      return calls === 1 ? Promise.reject(new Error("transient")) : Promise.resolve();
    });
    await h.jobs.start();
    try {
      await h.jobs.enqueue({ type: "test.flaky", payload: {} });
      await waitFor(() => calls >= 1, 20_000, "first run");
      h.clock.advance(2000); // the table's backoff runs on the injected clock
      await waitFor(async () => (await h.tick(), calls === 2), 20_000, "second run");
    } finally {
      await h.jobs.stop();
      h.kv.close();
    }
  });

  Deno.test(`[${backend}] stop waits for running jobs and takes no more until start`, async () => {
    const h = await harness(backend);
    let finished = 0;
    let started = 0;
    h.jobs.register("test.slow", async () => {
      started++;
      await new Promise((r) => setTimeout(r, 100));
      finished++;
    });
    await h.jobs.start();
    try {
      await h.jobs.enqueue({ type: "test.slow", payload: {} });
      await waitFor(() => started === 1, 20_000, "started");
      assert.equal(h.jobs.running(), 1);
      await h.jobs.stop();
      assert.equal(finished, 1, "stop drained the running job");
      const id = await h.jobs.enqueue({ type: "test.slow", payload: {} });
      if (backend === "kv_queue") {
        // The queue hands the job out; the stopped queue gives it back for later.
        await waitFor(
          () => h.events.includes("job.deferred_while_stopped"),
          20_000,
          "the stopped queue deferring the job",
        );
      } else {
        // The stopped table has no poll loop: the job stays unclaimed even when due.
        const job = (await h.kv.get<{ holder: string | null }>(jobKeys.job(id))).value;
        assert.equal(job?.holder, null);
      }
      assert.equal(started, 1, "nothing runs while stopped");
      await h.jobs.start();
      await waitFor(async () => (await h.tick(), finished === 2), 20_000, "after restart");
    } finally {
      await h.jobs.stop();
      h.kv.close();
    }
  });
}

Deno.test("[kv_table] two instances never run one job twice; an expired lease is reclaimed", async () => {
  const kv = await Deno.openKv(":memory:");
  const clock = new ManualClock();
  const deps = { kv, clock, random: cryptoRandom, logger: silentLogger };
  const a = createKvTableJobs<TestJobs>(deps, { leaseMs: 10_000 });
  const b = createKvTableJobs<TestJobs>(deps, { leaseMs: 10_000 });
  const runs: string[] = [];
  let releaseA = () => {};
  a.register("test.lease", () => new Promise<void>((ok) => (runs.push("a"), releaseA = ok)));
  b.register("test.lease", () => Promise.resolve(void runs.push("b")));
  try {
    await a.enqueue({ type: "test.lease", payload: {} });
    const aRound = a.pollOnce();
    await waitFor(() => runs.length === 1, 20_000, "claim by a");
    assert.equal(await b.pollOnce(), 0, "the lease holds the job");
    clock.advance(10_001); // a seems dead: its lease runs out
    assert.equal(await b.pollOnce(), 1);
    assert.deepEqual(runs, ["a", "b"]);
    releaseA();
    await aRound; // a's late finish fails its versionstamp check and changes nothing
    assert.equal((await Array.fromAsync(kv.list({ prefix: jobKeys.allJobsPrefix() }))).length, 0);
    assert.equal((await Array.fromAsync(kv.list({ prefix: jobKeys.duePrefix() }))).length, 0);
    // Concurrent polls of one due job: exactly one claim wins.
    await a.enqueue({ type: "test.lease", payload: {} });
    a.register("test.lease", () => Promise.resolve(void runs.push("a")));
    const counts = await Promise.all([a.pollOnce(), b.pollOnce()]);
    assert.equal(counts[0] + counts[1], 1);
    assert.equal(runs.length, 3);
  } finally {
    kv.close();
  }
});

Deno.test("[kv_table] a slow job holds only its own slot: the jobs after it run meanwhile", async () => {
  const kv = await Deno.openKv(":memory:");
  const deps = { kv, clock: new ManualClock(), random: cryptoRandom, logger: silentLogger };
  // More jobs than one listing claims (32 by default), after one that does not end.
  const jobs = createKvTableJobs<TestJobs>(deps, { pollIntervalMs: 60_000 });
  let releaseSlow = () => {};
  const slowStarted = Promise.withResolvers<void>();
  jobs.register("test.slow", () =>
    new Promise<void>((ok) => {
      releaseSlow = ok;
      slowStarted.resolve();
    }));
  let fast = 0;
  jobs.register("test.fast", () => Promise.resolve(void fast++));
  try {
    await jobs.enqueue({ type: "test.slow", payload: {} });
    for (let i = 0; i < 80; i++) await jobs.enqueue({ type: "test.fast", payload: {} });
    await jobs.start();
    await slowStarted.promise;
    // One start of the loop (its interval is a minute): the listings go on while jobs are due.
    await waitFor(() => fast === 80, 20_000, "every fast job while the slow one runs");
    assert.equal(jobs.running(), 1, "the slow job still runs");
  } finally {
    releaseSlow();
    await jobs.stop();
    kv.close();
  }
});

Deno.test("[kv_table] at most maxRunning jobs run at once; a job that ends frees its slot at once", async () => {
  const kv = await Deno.openKv(":memory:");
  const deps = { kv, clock: new ManualClock(), random: cryptoRandom, logger: silentLogger };
  const jobs = createKvTableJobs<TestJobs>(deps, { pollIntervalMs: 60_000, maxRunning: 3 });
  const releases: Array<() => void> = [];
  let peak = 0;
  let done = 0;
  jobs.register("test.held", async () => {
    await new Promise<void>((ok) => releases.push(ok));
    done++;
  });
  const running = () => releases.length - done;
  try {
    for (let i = 0; i < 7; i++) await jobs.enqueue({ type: "test.held", payload: {} });
    await jobs.start();
    for (let i = 0; i < 7; i++) {
      await waitFor(() => releases.length > i, 20_000, `job ${i + 1} started`);
      peak = Math.max(peak, running());
      assert.ok(running() <= 3, `no more than 3 at once (saw ${running()})`);
      // Not waiting for the minute-long interval: the job that ends makes room for the next.
      releases[i]();
    }
    await waitFor(() => done === 7, 20_000, "all seven");
    assert.equal(peak, 3);
  } finally {
    for (const release of releases) release();
    await jobs.stop();
    kv.close();
  }
});

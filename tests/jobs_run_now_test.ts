/**
 * Jobs run at once by the instance that committed them (`runNow`, lib/jobs/run_now.ts), on both
 * backends: the handler runs right after the commit — before the stored copy could (the queue
 * copy is due later, the table is never polled here unless the test says so) — and exactly once
 * when it finishes; the stored copy runs the job again only when the immediate run threw; a
 * failed commit runs nothing; a stopped queue stores the job due now as usual.
 *
 * Nothing sleeps to show that something did not happen: a sentinel job due after the stored
 * copy is waited for (the queue hands jobs out in due order; the table by the manual clock).
 */
import assert from "node:assert/strict";
import type { JobBackend } from "../lib/core/config.ts";
import { ManualClock } from "../lib/core/clock.ts";
import { silentLogger } from "../lib/core/logger.ts";
import { cryptoRandom } from "../lib/core/random.ts";
import {
  createKvQueueJobs,
  createKvTableJobs,
  type JobMap,
  type JobQueue,
  type KvTableJobQueue,
} from "../lib/jobs/mod.ts";
import { waitFor } from "./support/webhooks.ts";
import { jobKeys } from "../lib/jobs/types.ts";

/** When the stored copy is due (real ms for the queue, manual-clock ms for the table). */
const FALLBACK_MS = 300;

interface Harness {
  kv: Deno.Kv;
  clock: ManualClock;
  jobs: JobQueue<JobMap>;
  table: KvTableJobQueue<JobMap> | null;
  /** Waits until every job due up to the stored copies' time has been handed out. */
  pastFallback(): Promise<void>;
}

async function harness(backend: JobBackend): Promise<Harness> {
  const kv = await Deno.openKv(":memory:");
  const clock = new ManualClock();
  const deps = { kv, clock, random: cryptoRandom, logger: silentLogger };
  // The table's own poll loop is far away: only `pollOnce` (by the manual clock) claims.
  const table = backend === "kv_table"
    ? createKvTableJobs<JobMap>(deps, { pollIntervalMs: 3_600_000, runNowFallbackMs: FALLBACK_MS })
    : null;
  const jobs = table ?? createKvQueueJobs<JobMap>(deps, { runNowFallbackMs: FALLBACK_MS });
  let sentinels = 0;
  jobs.register("test.sentinel", () => Promise.resolve(void sentinels++));
  const pastFallback = async () => {
    const before = sentinels;
    if (table) clock.advance(FALLBACK_MS + 1);
    await jobs.enqueue({
      type: "test.sentinel",
      payload: {},
      runAt: clock.now().getTime() + (table ? 0 : FALLBACK_MS + 100),
    });
    await waitFor(async () => (await table?.pollOnce(), sentinels > before), 20_000, "sentinel");
  };
  return { kv, clock, jobs, table, pastFallback };
}

for (const backend of ["kv_queue", "kv_table"] as const) {
  Deno.test(`[${backend}] a runNow job runs right after its commit, and only once`, async () => {
    const h = await harness(backend);
    const seen: unknown[] = [];
    h.jobs.register("test.now", (p) => Promise.resolve(void seen.push(p.n)));
    await h.jobs.start();
    try {
      const op = h.kv.atomic();
      const id = h.jobs.addToCommit(op, { type: "test.now", payload: { n: 1 }, runNow: true });
      assert.equal((await op.commit()).ok, true);
      // Neither backend hands the stored copy out before FALLBACK_MS: this run is the immediate one.
      await waitFor(() => seen.length === 1, 20_000, "immediate run");
      if (h.table) {
        // The table's copy is deleted once the immediate run finished.
        await waitFor(async () => (await h.kv.get(jobKeys.job(id))).value === null, 20_000, "drop");
      }
      await h.pastFallback();
      assert.deepEqual(seen, [1], "the stored copy did not run the job again");
    } finally {
      await h.jobs.stop();
      h.kv.close();
    }
  });

  Deno.test(`[${backend}] a runNow job whose immediate run throws runs from its copy`, async () => {
    const h = await harness(backend);
    let calls = 0;
    h.jobs.register("test.flaky", () => {
      calls++;
      return calls === 1 ? Promise.reject(new Error("transient")) : Promise.resolve();
    });
    await h.jobs.start();
    try {
      const op = h.kv.atomic();
      h.jobs.addToCommit(op, { type: "test.flaky", payload: {}, runNow: true });
      await op.commit();
      await waitFor(() => calls === 1, 20_000, "immediate run");
      if (h.table) h.clock.advance(FALLBACK_MS + 1);
      await waitFor(async () => (await h.table?.pollOnce(), calls === 2), 20_000, "copy");
    } finally {
      await h.jobs.stop();
      h.kv.close();
    }
  });

  Deno.test(`[${backend}] a runNow job of a failed commit runs nowhere`, async () => {
    const h = await harness(backend);
    let ran = 0;
    h.jobs.register("test.lost", () => Promise.resolve(void ran++));
    await h.jobs.start();
    try {
      await h.kv.set(["guard"], 1);
      const op = h.kv.atomic().check({ key: ["guard"], versionstamp: null });
      h.jobs.addToCommit(op, { type: "test.lost", payload: {}, runNow: true });
      assert.equal((await op.commit()).ok, false);
      await h.pastFallback();
      assert.equal(ran, 0);
    } finally {
      await h.jobs.stop();
      h.kv.close();
    }
  });
}

Deno.test("[kv_table] a stopped queue stores a runNow job due now, for whoever polls", async () => {
  const h = await harness("kv_table");
  let ran = 0;
  h.jobs.register("test.later", () => Promise.resolve(void ran++));
  try {
    const op = h.kv.atomic();
    const id = h.jobs.addToCommit(op, { type: "test.later", payload: {}, runNow: true });
    await op.commit();
    const job = (await h.kv.get<{ runAt: number }>(jobKeys.job(id))).value;
    assert.equal(job?.runAt, h.clock.now().getTime(), "due now, not at the fallback time");
    assert.equal(ran, 0, "nothing runs in a stopped queue");
    assert.equal(await h.table!.pollOnce(), 1);
    assert.equal(ran, 1);
  } finally {
    h.kv.close();
  }
});

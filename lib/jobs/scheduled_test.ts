import assert from "node:assert/strict";
import { createTestApp, type TestApp } from "../../tests/support/app.ts";
import { beat } from "../core/instances.ts";
import { type PeriodOutcome, runScheduledTask, type ScheduledTask } from "./scheduled.ts";
import { waitFor } from "../../tests/support/webhooks.ts";
import { coreKeys } from "../core/kv.ts";
import { jobKeys } from "./types.ts";

/** Two instances (their own ids) on one KV and one manual clock. */
async function twoInstances(): Promise<{ t: TestApp; a: TestApp["deps"]; b: TestApp["deps"] }> {
  const t = await createTestApp({ schedulePeriodMs: 60_000 });
  return { t, a: { ...t.deps, services: {} }, b: { ...t.deps, services: {} } };
}

function countingTask(): ScheduledTask & { runs: string[] } {
  const task = {
    name: "test.task",
    periodMs: 3600_000, // replaced by the configured 60 s
    leaseMs: 5 * 60_000,
    runs: [] as string[],
    run: (deps: TestApp["deps"]) =>
      Promise.resolve(void task.runs.push(deps.services.instanceId as string)),
  };
  return task;
}

Deno.test("each period of a task runs once, on whichever instance claims it first", async () => {
  const { t, a, b } = await twoInstances();
  try {
    const task = countingTask();
    const outcomes: PeriodOutcome[] = [];
    outcomes.push(await runScheduledTask(a, task), await runScheduledTask(b, task));
    t.clock.advance(60_000);
    outcomes.push(await runScheduledTask(b, task), await runScheduledTask(a, task));
    assert.deepEqual(outcomes, ["ran", "taken", "ran", "taken"]);
    assert.deepEqual(task.runs, [a.services.instanceId, b.services.instanceId]);
    // The run log names the instance of each period.
    const log = await Array.fromAsync(
      t.deps.kv.list({ prefix: jobKeys.scheduledRunsPrefix(task.name) }),
    );
    assert.equal(log.length, 2);
    // A late instance still runs a period nobody ran (catch-up), never one already run.
    const current = Math.floor(t.clock.now().getTime() / 60_000);
    assert.equal(await runScheduledTask(a, task, current - 1), "taken");
    assert.equal(await runScheduledTask(a, task, current + 1), "ran");
  } finally {
    await t.close();
  }
});

Deno.test("a slow run holds the lease; a dead holder's lease is taken over, and fenced", async () => {
  const { t, a, b } = await twoInstances();
  const leaseHolder = async () =>
    (await t.deps.kv.get<{ holder: string }>(coreKeys.lease("test.slow"))).value?.holder ?? null;
  try {
    const finishes: Array<() => void> = [];
    const slow: ScheduledTask = {
      name: "test.slow",
      periodMs: 60_000,
      leaseMs: 5 * 60_000,
      run: () => new Promise<void>((resolve) => finishes.push(resolve)),
    };
    await beat(a); // a is alive
    const first = runScheduledTask(a, slow);
    await waitFor(async () => (await leaseHolder()) === a.services.instanceId, 5000, "a's lease");
    t.clock.advance(60_000);
    assert.equal(await runScheduledTask(b, slow), "busy", "a's slow run holds the lease");
    // a's heartbeat is gone (a died): its lease no longer holds the next period back.
    await t.deps.kv.delete(coreKeys.instance(a.services.instanceId as string));
    const second = runScheduledTask(b, slow);
    await waitFor(async () => (await leaseHolder()) === b.services.instanceId, 5000, "b's lease");
    // a was only slow: its late end must not release b's lease (the period is the fence).
    finishes[0]();
    assert.equal(await first, "ran");
    assert.equal(await leaseHolder(), b.services.instanceId);
    finishes[1]();
    assert.equal(await second, "ran");
    assert.equal(await leaseHolder(), null);
  } finally {
    await t.close();
  }
});

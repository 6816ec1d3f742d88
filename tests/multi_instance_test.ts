/**
 * Several instances on one KV file behave as one (docs/self-hosting.md): real `main.ts`
 * processes on loopback share a KV file and a server key under a mixed load — creates, cancels,
 * test-mode simulations as the phones, webhook deliveries to a local receiver. No response is a
 * 5xx, every event is delivered, none twice, and every scheduled task runs once per period
 * (`KAYLE_SCHEDULE_PERIOD_MS`, read from the instances' `scheduled.run` log lines). Then one
 * instance is killed with SIGKILL in the middle: the survivor goes on, the restarted one
 * recovers, and only the tries the dead instance had in flight may arrive twice.
 */
import assert from "node:assert/strict";
import type { JobBackend } from "../lib/core/config.ts";
import { waitFor } from "./support/webhooks.ts";
import {
  allDelivered,
  createCluster,
  deliveriesByEvent,
  deliveryTrail,
  emptyReport,
  errorLines,
  type Instance,
  runLoad,
  scheduledRuns,
} from "./support/multi_instance.ts";

const PERIOD_MS = 2000;
const FLOWS = 24;
const TASKS = ["sessions_expiry_sweep", "sessions_retention", "webhooks.maintenance"];

/** Asserts each task ran once per period, without gaps, over at least `periods` periods. */
function assertOncePerPeriod(instances: Instance[], periods: number): void {
  const runs = scheduledRuns(instances);
  for (const [key, holders] of runs) {
    assert.equal(holders.length, 1, `${key} ran on ${holders.join(", ")}`);
  }
  for (const task of TASKS) {
    const seen = [...runs.keys()].filter((k) => k.startsWith(`${task} `)).map((k) =>
      Number(k.split(" ")[1])
    ).sort((a, b) => a - b);
    assert.ok(seen.length >= periods, `${task} ran in ${seen.length} periods`);
    for (let i = 1; i < seen.length; i++) {
      assert.equal(seen[i], seen[i - 1] + 1, `${task}: no run in period ${seen[i - 1] + 1}`);
    }
  }
}

async function steadyCluster(backend: JobBackend, count: number): Promise<void> {
  const cluster = await createCluster(backend, { schedulePeriodMs: PERIOD_MS });
  try {
    const names = Array.from({ length: count }, (_, i) => `i${i + 1}`);
    await Promise.all(names.map((name) => cluster.start(name)));
    const urls = cluster.instances.map((i) => i.url);
    const report = emptyReport();
    await runLoad(report, cluster.apiKey, () => urls, FLOWS, 8);
    const ids = await allDelivered(cluster, 30_000);
    await waitFor(
      () =>
        TASKS.every((task) =>
          [...scheduledRuns(cluster.instances).keys()].filter((k) => k.startsWith(`${task} `))
            .length >= 3
        ),
      20_000,
      "three periods of every scheduled task",
    );
    assert.deepEqual(report.serverErrors, [], JSON.stringify(report.statuses));
    assert.equal(report.dropped, 0);
    assert.ok((report.statuses["create 200"] ?? 0) === FLOWS, JSON.stringify(report.statuses));
    // 12 cancels, a success (attempt and session events), 4 failed attempts: at least every
    // answer's event is stored (a phone refused under load, 409, may still end its attempt).
    assert.ok(ids.length >= report.expectedEvents, JSON.stringify(report.statuses));
    assert.ok(ids.length >= 12, `${ids.length} events`);
    const twice = [...deliveriesByEvent(cluster.receiver)].filter(([, n]) => n > 1);
    assert.deepEqual(
      twice,
      [],
      `no event delivered twice without a crash:\n${
        deliveryTrail(cluster, twice.map(([eventId]) => eventId))
      }`,
    );
    assert.deepEqual(cluster.receiver.rejected, []);
    assert.deepEqual(errorLines(cluster.instances), []);
    assertOncePerPeriod(cluster.instances, 3);
    // Every instance took part: sends and scheduled runs are not all on one.
    const senders = cluster.instances.filter((i) => i.logs.some((l) => l.event === "webhook.try"));
    assert.ok(senders.length >= 2, `deliveries sent by ${senders.length} instance(s)`);
  } finally {
    await cluster.close();
  }
}

Deno.test({
  name: "two instances on one KV file (kv_queue): no 5xx, every event once, each period once",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => steadyCluster("kv_queue", 2),
});

Deno.test({
  name: "three instances on one KV file (kv_table): no 5xx, every event once, each period once",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => steadyCluster("kv_table", 3),
});

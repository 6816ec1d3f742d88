/**
 * Delivery upkeep: the send-time SSRF check through the worker, disabled and deleted endpoints,
 * the 30-day history retention, and the maintenance that gives a lost job back to an overdue
 * delivery.
 */
import assert from "node:assert/strict";
import { createKvTableJobs } from "../lib/jobs/mod.ts";
import { configureWebhookSender } from "../webhooks/runtime.ts";
import { startWebhookWorker } from "../webhooks/register.ts";
import { listAttempts } from "../webhooks/deliveries.ts";
import { recoverDeliveries, runMaintenance } from "../webhooks/maintenance.ts";
import { deleteExpiredHistory } from "../webhooks/history_retention.ts";
import { createTestApp } from "./support/app.ts";
import {
  seedWebhookEndpoint,
  sharedKeyPair,
  startReceiver,
  waitFor,
  writeEvent,
} from "./support/webhooks.ts";
import { deliveryOf, driveNextTry, getDelivery, world } from "./support/webhooks_world.ts";
import { deleteEndpoint, updateEndpoint } from "../webhooks/endpoints.ts";
import { runDeliveryJob } from "../webhooks/worker.ts";
import { webhookKeys } from "../webhooks/model.ts";
import { eventKeys } from "../lib/events/events.ts";
import { jobKeys } from "../lib/jobs/types.ts";

Deno.test("a name that resolves to a metadata address at send time fails the try as blocked_address", async () => {
  const w = await world("kv_queue", { url: "https://hooks.rebound.example/h" });
  configureWebhookSender(w.t.deps, {
    resolveDns: (_host, type) => Promise.resolve(type === "A" ? ["169.254.169.254"] : []),
    fetch: () => Promise.reject(new Error("must not be called")),
  });
  try {
    const event = await writeEvent(w.t.deps, w.orgId);
    const { id } = await deliveryOf(w.t.deps, event.id);
    await waitFor(
      async () => (await getDelivery(w.t.deps, id)).attemptCount === 1,
      20_000,
      "first try",
    );
    const [attempt] = await listAttempts(w.t.deps.kv, id);
    assert.equal(attempt.errorClass, "blocked_address");
    assert.equal(attempt.statusCode, null);
    assert.equal((await getDelivery(w.t.deps, id)).status, "pending");
  } finally {
    await w.stop();
  }
});

Deno.test("history: events and deliveries go 30 days later, unless a payload is retained", async () => {
  const w = await world("kv_table");
  try {
    const delivered = await writeEvent(w.t.deps, w.orgId);
    const d = await deliveryOf(w.t.deps, delivered.id);
    await waitFor(
      async () => (await getDelivery(w.t.deps, d.id)).status === "succeeded",
      20_000,
      "sent",
    );
    w.t.clock.advance(29 * 24 * 3600_000);
    const young = await writeEvent(w.t.deps, w.orgId, {
      type: "verification.session.expired",
      data: {},
    });
    await waitFor(() => w.receiver.received.length === 2, 20_000, "second");
    assert.equal(await deleteExpiredHistory(w.t.deps), 0, "nothing is 30 days old yet");
    w.t.clock.advance(2 * 24 * 3600_000);
    // A delivery that still holds its payload (a retry queued, say) keeps its event.
    const held = await getDelivery(w.t.deps, d.id);
    await w.t.deps.kv.set(webhookKeys.delivery(d.id), {
      ...held,
      status: "pending",
      payload: "x",
    });
    assert.equal(await deleteExpiredHistory(w.t.deps), 0);
    await w.t.deps.kv.set(webhookKeys.delivery(d.id), held);
    assert.equal(await deleteExpiredHistory(w.t.deps), 1);
    assert.equal((await w.t.deps.kv.get(eventKeys.event(delivered.id))).value, null);
    assert.equal((await w.t.deps.kv.get(webhookKeys.delivery(d.id))).value, null);
    assert.equal((await listAttempts(w.t.deps.kv, d.id)).length, 0);
    assert.notEqual((await w.t.deps.kv.get(eventKeys.event(young.id))).value, null);
  } finally {
    await w.stop();
  }
});

Deno.test("maintenance gives a lost job back to an overdue delivery", async () => {
  const t = await createTestApp({ jobBackend: "kv_table" });
  const jobs = createKvTableJobs(t.deps, { pollIntervalMs: 10 });
  t.deps.services.jobs = jobs;
  const pair = await sharedKeyPair();
  let secret = "";
  const receiver = startReceiver({
    secrets: () => [secret],
    privateKey: pair.privateKey,
    now: () => t.clock.now().getTime(),
  });
  try {
    const seeded = await seedWebhookEndpoint(t.deps, {
      url: receiver.url,
      publicJwk: pair.publicJwk,
    });
    secret = seeded.signingSecret;
    const event = await writeEvent(t.deps, seeded.orgId);
    // The job vanishes (a crash of a queue that lost it): nothing would ever send the delivery.
    for await (const e of t.deps.kv.list({ prefix: jobKeys.allJobsPrefix() })) {
      await t.deps.kv.delete(e.key);
    }
    for await (const e of t.deps.kv.list({ prefix: jobKeys.duePrefix() })) {
      await t.deps.kv.delete(e.key);
    }
    const worker = await startWebhookWorker(t.deps); // recovery at start (grace 0)
    try {
      await waitFor(() => receiver.received.length === 1, 20_000, "recovered delivery");
      assert.equal(receiver.received[0].eventId, event.id);
      t.clock.advance(10 * 60_000);
      assert.equal(
        await runMaintenance(t.deps),
        true,
        "the lease is free; nothing left to recover",
      );
      assert.equal(await recoverDeliveries(t.deps, 0), 0);
    } finally {
      await worker.stop();
    }
  } finally {
    await receiver.close();
    await t.close();
  }
});

Deno.test("a disabled endpoint skips tries (they count); a deleted one ends the delivery", async () => {
  const w = await world("kv_table");
  try {
    w.receiver.respond = () => new Response("down", { status: 500 });
    const event = await writeEvent(w.t.deps, w.orgId);
    const { id } = await deliveryOf(w.t.deps, event.id);
    await waitFor(
      async () => (await getDelivery(w.t.deps, id)).attemptCount === 1,
      20_000,
      "first",
    );
    await updateEndpoint(w.t.deps, { orgId: w.orgId, mode: "any" }, w.endpointId, {
      enabled: false,
    });
    const skipped = await driveNextTry(w, id);
    assert.equal(skipped.lastErrorClass, "endpoint_disabled");
    assert.equal(skipped.status, "pending");
    assert.equal(w.receiver.hits, 1, "no request to a disabled endpoint");
    assert.equal(
      await deleteEndpoint(w.t.deps.kv, { orgId: w.orgId, mode: "any" }, w.endpointId),
      true,
    );
    const before = await getDelivery(w.t.deps, id);
    w.t.clock.set(before.nextAttemptAt!);
    await runDeliveryJob(w.t.deps, { delivery_id: id, seq: before.attemptCount + 1 });
    await waitFor(
      async () => (await getDelivery(w.t.deps, id)).status === "failed",
      20_000,
      "gone",
    );
    const gone = await getDelivery(w.t.deps, id);
    assert.equal(gone.failureReason, "endpoint_gone");
    assert.equal(gone.payload, null);
  } finally {
    await w.stop();
  }
});

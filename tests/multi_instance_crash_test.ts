/**
 * Crash safety with several instances on one KV file (docs/self-hosting.md): two real `main.ts`
 * processes under a mixed load (creates, cancels, failing phones, deliveries); one is killed
 * with SIGKILL while a webhook try of its own hangs at the receiver. The survivor keeps
 * answering (no 5xx), the restarted instance joins, the dead instance's claims are taken over
 * once its heartbeat stops, every event arrives, and only a try that was in flight at the kill
 * may arrive twice. Both job backends.
 */
import assert from "node:assert/strict";
import type { JobBackend } from "../lib/core/config.ts";
import { type DeliveryRecord, webhookKeys } from "../webhooks/model.ts";
import { waitFor } from "./support/webhooks.ts";
import {
  allDelivered,
  createCluster,
  deliveriesByEvent,
  deliveryTrail,
  emptyReport,
  errorLines,
  runLoad,
  scheduledRuns,
} from "./support/multi_instance.ts";

const PERIOD_MS = 2000;
/** Events the load's answers must imply at least. */
const MIN_EVENTS = 12;

/** Deliveries the instance `holder` is sending (claimed, not finished). */
async function claimsOf(kv: Deno.Kv, holder: string): Promise<DeliveryRecord[]> {
  const out: DeliveryRecord[] = [];
  for await (const e of kv.list<DeliveryRecord>({ prefix: webhookKeys.allDeliveriesPrefix() })) {
    const d = e.value;
    if (d?.status === "delivering" && d.deliveringBy === holder) out.push(d);
  }
  return out;
}

async function killOneOfTwo(backend: JobBackend): Promise<void> {
  const cluster = await createCluster(backend, { schedulePeriodMs: PERIOD_MS });
  // Responses to the deliveries held here wait until the kill: their sender dies mid-try.
  const held = new Set<string>();
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  cluster.receiver.respond = async (request) => {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (held.has(request.headers.get("x-kayle-delivery-id") ?? "")) await released;
    return new Response("ok");
  };
  try {
    const [a, b] = await Promise.all([cluster.start("a"), cluster.start("b")]);
    let live = [a.url, b.url];
    const report = emptyReport();
    const load = runLoad(report, cluster.apiKey, () => live, 24, 6, {
      success: false,
      minEvents: MIN_EVENTS,
    });
    // Wait until `a` is sending a delivery, and keep that try hanging.
    await waitFor(
      async () => {
        for (const d of await claimsOf(cluster.kv, a.instanceId)) held.add(d.id);
        return held.size > 0;
      },
      30_000,
      "a delivery in flight on a",
    );
    live = [b.url];
    a.process.kill("SIGKILL");
    await a.process.status;
    const killedAt = new Date().toISOString();
    const inFlight = new Set((await claimsOf(cluster.kv, a.instanceId)).map((d) => d.eventId));
    release();
    const restarted = await cluster.start("a2");
    live = [b.url, restarted.url];
    await load;
    const ids = await allDelivered(cluster, 40_000);
    assert.deepEqual(report.serverErrors, [], JSON.stringify(report.statuses));
    assert.ok(inFlight.size >= 1, "a was killed in the middle of a try");
    const twice = [...deliveriesByEvent(cluster.receiver)].filter(([, n]) => n > 1);
    const trail = () =>
      `killed at ${killedAt}, in flight then: ${[...inFlight].join(", ")}\n` +
      deliveryTrail(cluster, twice.map(([eventId]) => eventId));
    for (const [eventId, n] of twice) {
      assert.ok(
        inFlight.has(eventId),
        `${eventId} arrived ${n} times but was not in flight\n${trail()}`,
      );
      assert.equal(n, 2, `${eventId} arrived ${n} times\n${trail()}`);
    }
    // Requests cut by the kill may or may not have made their event: at least every answered one,
    // and the load went on until the answers implied `MIN_EVENTS`.
    const statuses = JSON.stringify(report.statuses);
    assert.ok(report.expectedEvents >= MIN_EVENTS, `${report.expectedEvents} events: ${statuses}`);
    assert.ok(ids.length >= report.expectedEvents, `${ids.length} events stored: ${statuses}`);
    assert.deepEqual(cluster.receiver.rejected, []);
    assert.deepEqual(errorLines([b, restarted]), []);
    // Every delivery ends succeeded: the dead instance's claims were taken over.
    await waitFor(
      async () => {
        for await (
          const e of cluster.kv.list<DeliveryRecord>({ prefix: webhookKeys.allDeliveriesPrefix() })
        ) {
          if (e.value.status !== "succeeded") return false;
        }
        return true;
      },
      20_000,
      "every delivery succeeded",
    );
    for (const [key, holders] of scheduledRuns(cluster.instances)) {
      assert.equal(holders.length, 1, `${key} ran on ${holders.join(", ")}`);
    }
  } finally {
    release();
    await cluster.close();
  }
}

for (const backend of ["kv_queue", "kv_table"] as const) {
  Deno.test({
    name:
      `[${backend}] SIGKILL of one of two instances mid-try: the survivor goes on, the restarted one recovers, only the killed try arrives twice`,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: () => killOneOfTwo(backend),
  });
}

/**
 * Delivery claims under starvation (docs/self-hosting.md): a claim is taken over only from a
 * holder that stayed silent — the takeover is fenced on the holder's heartbeat record — an owner
 * that lost its claim, or kept it too long, while it was starved sends nothing, and two jobs of one
 * delivery in one instance make one try. Starvation is staged by holding a KV answer back (no
 * timers): the world has no running worker, each job is run by the test. The first try made right
 * after the event's commit sends under the claim the delivery was born with.
 */
import assert from "node:assert/strict";
import { createLogger } from "../lib/core/logger.ts";
import type { InstanceRecord } from "../lib/core/instances.ts";
import { STALE_AFTER_MS } from "../lib/core/instances.ts";
import { webhookRuntime } from "../webhooks/runtime.ts";
import { registerDeliveryHandler } from "../webhooks/register.ts";
import { CLAIM_MARGIN_MS, runDeliveryJob } from "../webhooks/worker.ts";
import { type DeliveryRecord, webhookKeys } from "../webhooks/model.ts";
import { coreKeys } from "../lib/core/kv.ts";
import { createTestApp, type TestApp } from "./support/app.ts";
import { commitEvent, type Receiver, waitFor, writeEvent } from "./support/webhooks.ts";
import { deliveryOf, getDelivery, receiverWithEndpoint, world } from "./support/webhooks_world.ts";

interface Quiet {
  t: TestApp;
  receiver: Receiver;
  id: string;
  endpointId: string;
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** One pending delivery whose job nobody runs but the test. */
async function quietWorld(): Promise<Quiet> {
  const t = await createTestApp({ jobBackend: "kv_table" });
  const logs: Array<Record<string, unknown>> = [];
  t.deps.logger = createLogger({
    level: "info",
    strict: true,
    sink: (line) => logs.push(JSON.parse(line)),
  });
  registerDeliveryHandler(t.deps);
  const { receiver, seeded } = await receiverWithEndpoint(t);
  const event = await writeEvent(t.deps, seeded.orgId);
  const id = (await deliveryOf(t.deps, event.id)).id;
  return {
    t,
    receiver,
    id,
    endpointId: seeded.endpoint.id,
    logs,
    async close() {
      await receiver.close();
      await t.close();
    },
  };
}

/** Marks the delivery as being sent by `holder`, whose last heartbeat was `beatAgeMs` ago. */
async function claimedBy(w: Quiet, holder: string, beatAgeMs: number): Promise<void> {
  const d = await getDelivery(w.t.deps, w.id);
  const until = new Date(w.t.clock.now().getTime() + 15_000).toISOString();
  await w.t.deps.kv.set(webhookKeys.delivery(w.id), {
    ...d,
    status: "delivering",
    deliveringBy: holder,
    deliveringUntil: until,
  });
  await beatAt(w, holder, Date.now() - beatAgeMs);
}

async function beatAt(w: Quiet, holder: string, at: number): Promise<void> {
  const record: InstanceRecord = { id: holder, startedAt: at, beatAt: at };
  await w.t.deps.kv.set(coreKeys.instance(holder), record);
}

/** Runs `during` once, right after the first read of `key` is answered (before the reader goes on). */
function afterRead(kv: Deno.Kv, key: Deno.KvKey, during: () => Promise<void>): void {
  const get = kv.get.bind(kv);
  let done = false;
  kv.get = (async (k: Deno.KvKey, options?: { consistency?: Deno.KvConsistencyLevel }) => {
    const entry = await get(k, options);
    if (!done && JSON.stringify(k) === JSON.stringify(key)) {
      done = true;
      await during();
    }
    return entry;
  }) as Deno.Kv["get"];
}

Deno.test("a holder silent for the stale time loses its claim; the takeover is logged", async () => {
  const w = await quietWorld();
  try {
    await claimedBy(w, "inst_gone", STALE_AFTER_MS + 1000);
    assert.equal(await runDeliveryJob(w.t.deps, { delivery_id: w.id, seq: 1 }), "sent");
    assert.equal(w.receiver.received.length, 1);
    const d = await getDelivery(w.t.deps, w.id);
    assert.equal(d.status, "succeeded");
    const line = w.logs.find((l) => l.event === "webhook.claim_taken_over");
    assert.equal(line?.holder, "inst_gone");
    assert.equal(line?.reason, "holder_stale");
  } finally {
    await w.close();
  }
});

Deno.test("a holder that beats while the taker decides keeps its claim (fenced takeover)", async () => {
  const w = await quietWorld();
  try {
    await claimedBy(w, "inst_slow", STALE_AFTER_MS + 1000);
    // The taker reads a silent heartbeat; the holder, only slow, beats before the takeover commits.
    afterRead(
      w.t.deps.kv,
      coreKeys.instance("inst_slow"),
      () => beatAt(w, "inst_slow", Date.now()),
    );
    assert.equal(await runDeliveryJob(w.t.deps, { delivery_id: w.id, seq: 1 }), "conflict");
    assert.equal(w.receiver.hits, 0);
    const d = await getDelivery(w.t.deps, w.id);
    assert.equal(d.status, "delivering");
    assert.equal(d.deliveringBy, "inst_slow");
    assert.equal(w.logs.some((l) => l.event === "webhook.claim_taken_over"), false);
  } finally {
    await w.close();
  }
});

Deno.test("an owner whose claim was taken over while it was starved sends nothing", async () => {
  const w = await quietWorld();
  try {
    // Between its claim and its request, the owner stalls (here: on the endpoint read) long
    // enough for another instance to judge it dead and take the claim.
    afterRead(w.t.deps.kv, webhookKeys.endpoint(w.endpointId), async () => {
      const d = await getDelivery(w.t.deps, w.id);
      await w.t.deps.kv.set(webhookKeys.delivery(w.id), { ...d, deliveringBy: "inst_taker" });
    });
    await runDeliveryJob(w.t.deps, { delivery_id: w.id, seq: 1 });
    assert.equal(w.receiver.hits, 0);
    const line = w.logs.find((l) => l.event === "webhook.try_not_sent");
    assert.equal(line?.reason, "claim_lost");
    // The taker's claim is untouched: the owner recorded nothing.
    const d = await getDelivery(w.t.deps, w.id);
    assert.equal(d.deliveringBy, "inst_taker");
    assert.equal(d.attemptCount, 0);
  } finally {
    await w.close();
  }
});

Deno.test("a claim too old to end its try before it expires is handed back, not sent", async () => {
  const w = await quietWorld();
  try {
    afterRead(w.t.deps.kv, webhookKeys.endpoint(w.endpointId), () => {
      w.t.clock.advance(CLAIM_MARGIN_MS);
      return Promise.resolve();
    });
    await runDeliveryJob(w.t.deps, { delivery_id: w.id, seq: 1 });
    assert.equal(w.receiver.hits, 0);
    assert.equal(w.logs.find((l) => l.event === "webhook.try_not_sent")?.reason, "claim_late");
    const back = await getDelivery(w.t.deps, w.id);
    assert.equal(back.status, "pending");
    assert.equal(back.deliveringBy, null);
    // The next job makes the try, once.
    assert.equal(await runDeliveryJob(w.t.deps, { delivery_id: w.id, seq: 1 }), "sent");
    assert.equal(w.receiver.received.length, 1);
    assert.equal((await getDelivery(w.t.deps, w.id)).status, "succeeded");
  } finally {
    await w.close();
  }
});

Deno.test("two jobs of one delivery at once in one instance make one try", async () => {
  const w = await quietWorld();
  try {
    const kv = w.t.deps.kv;
    const key = webhookKeys.delivery(w.id);
    const same = (k: Deno.KvKey) => JSON.stringify(k) === JSON.stringify(key);
    const get = kv.get.bind(kv);
    const atomic = kv.atomic.bind(kv);
    // The first claim's commit lands, but its answer reaches the first job only once the second
    // job has read the delivery or waits its turn (a loaded event loop): the second must not
    // take the claim it reads as an abandoned one of this instance.
    let secondLooked = () => {};
    const looked = new Promise<void>((resolve) => (secondLooked = resolve));
    let held = false;
    kv.get = (async (k: Deno.KvKey, options?: { consistency?: Deno.KvConsistencyLevel }) => {
      const entry = await get(k, options);
      if (held && same(k)) secondLooked();
      return entry;
    }) as Deno.Kv["get"];
    let claimHeld = () => {};
    const claimLanded = new Promise<void>((resolve) => (claimHeld = resolve));
    kv.atomic = () => {
      const op = atomic();
      const commit = op.commit.bind(op);
      op.commit = async () => {
        const result = await commit();
        if (!held && (await get<DeliveryRecord>(key)).value?.status === "delivering") {
          held = true;
          claimHeld();
          await looked;
        }
        return result;
      };
      return op;
    };
    const runtime = webhookRuntime(w.t.deps);
    const first = runDeliveryJob(w.t.deps, { delivery_id: w.id, seq: 1 });
    await claimLanded;
    const before = runtime.inFlight.get(w.id);
    const second = runDeliveryJob(w.t.deps, { delivery_id: w.id, seq: 1 });
    if (runtime.inFlight.get(w.id) !== before) secondLooked();
    assert.deepEqual(await Promise.all([first, second]), ["sent", "ignored"]);
    assert.equal(w.receiver.hits, 1);
    assert.equal(webhookRuntime(w.t.deps).inFlight.size, 0);
  } finally {
    await w.close();
  }
});

for (const backend of ["kv_table", "kv_queue"] as const) {
  Deno.test(`[${backend}] the first try after the event's commit sends under the claim born with the delivery`, async () => {
    const w = await world(backend);
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    w.receiver.respond = async () => {
      await released;
      return new Response("ok");
    };
    try {
      const { event, versionstamp } = await commitEvent(w.t.deps, w.orgId);
      await waitFor(() => w.receiver.hits === 1, 10_000, "the first try");
      // While the request is in flight the record is still the one the event's commit wrote:
      // claimed by this instance from birth, no claim commit of its own.
      const id = (await deliveryOf(w.t.deps, event.id)).id;
      const inFlight = await w.t.deps.kv.get<DeliveryRecord>(webhookKeys.delivery(id));
      assert.equal(inFlight.versionstamp, versionstamp);
      assert.equal(inFlight.value?.status, "delivering");
      assert.equal(inFlight.value?.deliveringBy, webhookRuntime(w.t.deps).instanceId);
      release();
      await waitFor(async () => (await getDelivery(w.t.deps, id)).status === "succeeded");
      assert.equal(w.receiver.hits, 1);
      assert.equal((await getDelivery(w.t.deps, id)).attemptCount, 1);
    } finally {
      release();
      await w.stop();
    }
  });
}

Deno.test("a run told of its commit sends under its own claim only while the record is as committed", async () => {
  const w = await quietWorld();
  try {
    const self = webhookRuntime(w.t.deps).instanceId;
    await claimedBy(w, self, 0);
    const born = await w.t.deps.kv.get<DeliveryRecord>(webhookKeys.delivery(w.id));
    // Another commit than the one that wrote the claim: the claim is an abandoned one of this
    // instance, taken anew (logged) before the try.
    const other = "0".repeat(20);
    assert.notEqual(born.versionstamp, other);
    assert.equal(await runDeliveryJob(w.t.deps, { delivery_id: w.id, seq: 1 }, other), "sent");
    const takeover = w.logs.find((l) => l.event === "webhook.claim_taken_over");
    assert.equal(takeover?.reason, "abandoned");
    assert.equal(w.receiver.hits, 1);

    // The claim's own commit: sent under it, nothing taken over.
    const second = await quietWorld();
    try {
      const selfToo = webhookRuntime(second.t.deps).instanceId;
      await claimedBy(second, selfToo, 0);
      const entry = await second.t.deps.kv.get<DeliveryRecord>(webhookKeys.delivery(second.id));
      assert.equal(
        await runDeliveryJob(
          second.t.deps,
          { delivery_id: second.id, seq: 1 },
          entry.versionstamp!,
        ),
        "sent",
      );
      assert.equal(second.logs.some((l) => l.event === "webhook.claim_taken_over"), false);
      assert.equal(second.receiver.hits, 1);
      assert.equal((await getDelivery(second.t.deps, second.id)).status, "succeeded");
    } finally {
      await second.close();
    }
  } finally {
    await w.close();
  }
});

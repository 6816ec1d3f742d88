/**
 * Filtered lists read their own index (docs/performance.md, "Lists read one page"): attempts by
 * status, deliveries by status and by endpoint. The status entries move with the status in the
 * commit that changes it; the migration `2026_12_status_endpoint_indexes` writes them for records
 * stored before they existed. With the entries removed (data written the old way) the filtered
 * lists find nothing — they read the index, not the history — until the migration ran.
 */
import assert from "node:assert/strict";
import { createSessionViaApi, sessionsWorld } from "./support/sessions.ts";
import { seedWebhookEndpoint, sharedKeyPair, writeEvent } from "./support/webhooks.ts";
import { claimAttempt, completeAttempt, createAttempt } from "../lib/sessions/attempts.ts";
import { cancelSession } from "../lib/sessions/lifecycle.ts";
import { MIGRATIONS } from "../lib/migrations/mod.ts";
import { migrateStatusIndexes } from "../lib/migrations/status_indexes.ts";
import { configureWebhookSender } from "../webhooks/runtime.ts";
import { runDeliveryJob } from "../webhooks/worker.ts";
import type { DeliveryRecord } from "../webhooks/model.ts";
import { putDelivery } from "../webhooks/deliveries.ts";

type World = Awaited<ReturnType<typeof sessionsWorld>>;

/** Ids of every page of `path` (limit 2), following the cursor. */
async function allPages(world: World, path: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const after: string = cursor ? `&starting_after=${cursor}` : "";
    const res = await world.request(`${path}${path.includes("?") ? "&" : "?"}limit=2${after}`, {
      headers: world.auth,
    });
    assert.equal(res.status, 200, path);
    const body = await res.json();
    ids.push(...body.data.map((x: { id: string }) => x.id));
    cursor = body.pagination.next_cursor;
    if (!cursor) return ids;
  }
  throw new Error("too many pages");
}

async function indexSize(world: World, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of world.deps.kv.list({ prefix })) n++;
  return n;
}

/** Three attempts succeeded, two failed, one cancelled with its session, one in progress. */
async function seedAttempts(world: World): Promise<Record<string, string[]>> {
  const by: Record<string, string[]> = {
    succeeded: [],
    failed: [],
    cancelled: [],
    in_progress: [],
  };
  const plan = ["succeeded", "failed", "succeeded", "cancelled", "failed", "succeeded", "open"];
  for (const what of plan) {
    const sessionId = (await createSessionViaApi(world)).id;
    const { attempt } = await createAttempt(world.deps, sessionId);
    world.clock.advance(1000);
    if (what === "open") {
      by.in_progress.unshift(attempt.id);
      continue;
    }
    if (what === "cancelled") {
      await cancelSession(world.deps, sessionId, { by: "integrator", scope: "public" });
      by.cancelled.unshift(attempt.id);
      continue;
    }
    await claimAttempt(world.deps, attempt.id, { deviceId: "phone-1" });
    await completeAttempt(
      world.deps,
      attempt.id,
      what === "succeeded"
        ? { outcome: "succeeded", riskScore: 0.1, claims: {}, selectedFieldKeys: [] }
        : { outcome: "failed", failureCode: "document_expired" },
    );
    by[what].unshift(attempt.id);
  }
  return by;
}

/** Endpoint `keyed` (with a key) and `keyless`: 5 events; `keyed`'s first 3 tries succeed. */
async function seedDeliveries(world: World) {
  configureWebhookSender(world.deps, {
    resolveDns: () => Promise.resolve(["93.184.215.14"]),
    fetch: () => Promise.resolve(new Response("ok")),
  });
  const pair = await sharedKeyPair();
  const url = "https://hooks.example.com/kayle";
  const keyed = await seedWebhookEndpoint(world.deps, {
    url,
    publicJwk: pair.publicJwk,
    orgId: world.orgId,
  });
  const keyless = await seedWebhookEndpoint(world.deps, { url, orgId: world.orgId });
  const byEndpoint: Record<string, string[]> = {
    [keyed.endpoint.id]: [],
    [keyless.endpoint.id]: [],
  };
  const byStatus: Record<string, string[]> = { pending: [], succeeded: [], failed: [] };
  for (let i = 0; i < 5; i++) {
    const event = await writeEvent(world.deps, world.orgId);
    world.clock.advance(1000);
    for await (
      const e of world.deps.kv.list<string>({ prefix: ["webhook_deliveries_by_event", event.id] })
    ) {
      const d = (await world.deps.kv.get<DeliveryRecord>(["webhook_deliveries", e.value])).value!;
      byEndpoint[d.endpointId].unshift(d.id);
      if (d.endpointId === keyed.endpoint.id && i < 3) {
        assert.equal(await runDeliveryJob(world.deps, { delivery_id: d.id, seq: 1 }), "sent");
        byStatus.succeeded.unshift(d.id);
      } else {
        byStatus[d.status].unshift(d.id);
      }
    }
  }
  return { keyed: keyed.endpoint.id, keyless: keyless.endpoint.id, byEndpoint, byStatus };
}

async function assertFilteredLists(
  world: World,
  attempts: Record<string, string[]>,
  deliveries: Awaited<ReturnType<typeof seedDeliveries>>,
): Promise<void> {
  for (const [status, ids] of Object.entries(attempts)) {
    assert.deepEqual(await allPages(world, `/v1/sessions/attempts?status=${status}`), ids, status);
  }
  for (const [status, ids] of Object.entries(deliveries.byStatus)) {
    assert.deepEqual(
      await allPages(world, `/v1/webhooks/deliveries?status=${status}`),
      ids,
      `deliveries ${status}`,
    );
  }
  for (const [endpointId, ids] of Object.entries(deliveries.byEndpoint)) {
    assert.deepEqual(
      await allPages(world, `/v1/webhooks/deliveries?endpoint_id=${endpointId}`),
      ids,
      endpointId,
    );
  }
  assert.deepEqual(
    await allPages(world, `/v1/webhooks/deliveries?endpoint_id=${deliveries.keyed}&status=pending`),
    deliveries.byStatus.pending,
  );
}

Deno.test("status and endpoint filters read their own index, moved with each status change", async () => {
  const world = await sessionsWorld();
  try {
    const attempts = await seedAttempts(world);
    const deliveries = await seedDeliveries(world);
    assert.deepEqual(
      Object.values(deliveries.byStatus).map((ids) => ids.length),
      [2, 3, 5],
      "pending, succeeded, failed (no key)",
    );
    await assertFilteredLists(world, attempts, deliveries);
    // One entry per record: the entry of the old status was moved, not copied.
    const scope = [world.orgId, "test"];
    assert.equal(await indexSize(world, ["attempts_by_org_status", ...scope]), 7);
    assert.equal(await indexSize(world, ["webhook_deliveries_by_status", ...scope]), 10);
    assert.equal(
      await indexSize(world, ["webhook_deliveries_by_status", ...scope, "delivering"]),
      0,
    );
    assert.equal(await indexSize(world, ["webhook_deliveries_by_endpoint", ...scope]), 10);
  } finally {
    await world.close();
  }
});

Deno.test("records written before the status indexes are backfilled by the migration", async () => {
  const world = await sessionsWorld();
  try {
    const attempts = await seedAttempts(world);
    const deliveries = await seedDeliveries(world);
    // The previous release wrote none of these entries.
    const prefixes = [
      "attempts_by_org_status",
      "webhook_deliveries_by_status",
      "webhook_deliveries_by_endpoint",
    ];
    for (const prefix of prefixes) {
      for await (const e of world.deps.kv.list({ prefix: [prefix] })) {
        await world.deps.kv.delete(e.key);
      }
    }
    assert.deepEqual(await allPages(world, "/v1/sessions/attempts?status=succeeded"), []);
    assert.deepEqual(await allPages(world, "/v1/webhooks/deliveries?status=failed"), []);
    assert.deepEqual(
      await allPages(world, `/v1/webhooks/deliveries?endpoint_id=${deliveries.keyless}`),
      [],
    );
    assert.deepEqual(await migrateStatusIndexes(world.deps), { attempts: 7, deliveries: 10 });
    await assertFilteredLists(world, attempts, deliveries);
    // Running again changes nothing; the migration runs at start with the others.
    await migrateStatusIndexes(world.deps);
    await assertFilteredLists(world, attempts, deliveries);
    assert.ok(MIGRATIONS.some((m) => m.run === migrateStatusIndexes));
  } finally {
    await world.close();
  }
});

Deno.test("a record whose status moves while the migration runs is indexed by its new status", async () => {
  const world = await sessionsWorld();
  const kv = world.deps.kv;
  const atomic = kv.atomic.bind(kv);
  try {
    const deliveries = await seedDeliveries(world);
    for (const prefix of ["webhook_deliveries_by_status", "webhook_deliveries_by_endpoint"]) {
      for await (const e of kv.list({ prefix: [prefix] })) await kv.delete(e.key);
    }
    // Before the migration's first commit, an instance of this version retries a failed delivery
    // (its status entry moves: the old one did not exist yet, the new one is written).
    const moved = deliveries.byStatus.failed[0];
    let meddled = false;
    kv.atomic = () => {
      const op = atomic();
      const commit = op.commit.bind(op);
      op.commit = async () => {
        if (!meddled) {
          meddled = true;
          const d = (await kv.get<DeliveryRecord>(["webhook_deliveries", moved])).value!;
          const after: DeliveryRecord = { ...d, status: "pending" };
          const change = atomic();
          putDelivery(change, d, after);
          await change.commit();
        }
        return await commit();
      };
      return op;
    };
    await migrateStatusIndexes(world.deps);
    kv.atomic = atomic;
    assert.equal(meddled, true);
    const failed = await allPages(world, "/v1/webhooks/deliveries?status=failed");
    assert.deepEqual(failed, deliveries.byStatus.failed.slice(1));
    const pending = await allPages(world, "/v1/webhooks/deliveries?status=pending");
    assert.ok(pending.includes(moved));
    // No entry names its old status: the batch that read it was redone record by record.
    const scope = [world.orgId, "test"];
    assert.equal(await indexSize(world, ["webhook_deliveries_by_status", ...scope, "failed"]), 4);
  } finally {
    kv.atomic = atomic;
    await world.close();
  }
});

/**
 * Replay after success (docs/webhooks.md "Replay after success"): by default a delivered payload
 * is scrubbed and a retry or replay answers 409 `WEBHOOK_PAYLOAD_EXPIRED`; with
 * `delivered_payload_retention_hours` (24/72/168) the encrypted payload is kept that long, a retry
 * and an event replay deliver it again with the same delivery and event ids, and the retention
 * sweep scrubs it afterwards. Responses are checked against `/openapi.json`.
 */
import assert from "node:assert/strict";
import { bearer, seedApiKey } from "./support/app.ts";
import { checkedClient } from "./support/openapi.ts";
import { waitFor, writeEvent } from "./support/webhooks.ts";
import { deliveryOf, getDelivery, world } from "./support/webhooks_world.ts";
import { scrubExpiredPayloads } from "../webhooks/maintenance.ts";

Deno.test("replay after success: off by default, then within the delivered-payload retention", async () => {
  const w = await world("kv_table");
  try {
    const { secret } = await seedApiKey(w.t.deps, w.orgId, { mode: "test" });
    const request = checkedClient(w.t.app);
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await request(path, {
        method,
        headers: {
          ...bearer(secret),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    };
    const endpoint = await call("GET", `/v1/webhooks/endpoints/${w.endpointId}`);
    assert.equal(endpoint.body.data.delivered_payload_retention_hours, 0);

    // Default: scrubbed on success, no replay.
    const first = await writeEvent(w.t.deps, w.orgId);
    await waitFor(async () => (await deliveryOf(w.t.deps, first.id)).status === "succeeded");
    const scrubbed = await deliveryOf(w.t.deps, first.id);
    assert.equal(scrubbed.payload, null);
    const refused = await call("POST", `/v1/webhooks/deliveries/${scrubbed.id}/retry`);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, "WEBHOOK_PAYLOAD_EXPIRED");
    assert.match(refused.body.error.hint, /delivered_payload_retention_hours/);

    assert.equal(
      (await call("PATCH", `/v1/webhooks/endpoints/${w.endpointId}`, {
        delivered_payload_retention_hours: 12,
      })).status,
      400,
    );
    const patched = await call("PATCH", `/v1/webhooks/endpoints/${w.endpointId}`, {
      delivered_payload_retention_hours: 24,
    });
    assert.equal(patched.body.data.delivered_payload_retention_hours, 24);

    const second = await writeEvent(w.t.deps, w.orgId);
    await waitFor(async () => (await deliveryOf(w.t.deps, second.id)).status === "succeeded");
    const kept = await deliveryOf(w.t.deps, second.id);
    assert.ok(kept.payload, "the encrypted payload is kept");
    assert.equal(
      Date.parse(kept.payloadExpiresAt!) - Date.parse(kept.succeededAt!),
      24 * 3600_000,
    );
    const received = () => w.receiver.received.filter((r) => r.eventId === second.id);
    assert.equal(received().length, 1);
    const retried = await call("POST", `/v1/webhooks/deliveries/${kept.id}/retry`);
    assert.equal(retried.status, 202);
    await waitFor(() => received().length === 2, 20_000, "the retried delivery");
    await waitFor(async () => (await getDelivery(w.t.deps, kept.id)).status === "succeeded");
    const replayed = await call("POST", `/v1/webhooks/events/${second.id}/replay`);
    assert.equal(replayed.status, 202);
    await waitFor(() => received().length === 3, 20_000, "the replayed event");
    assert.deepEqual(new Set(received().map((r) => r.deliveryId)), new Set([kept.id]));
    await waitFor(async () => (await getDelivery(w.t.deps, kept.id)).status === "succeeded");

    // After the retention window the sweep scrubs it and a replay is refused.
    w.t.clock.advance(24 * 3600_000 + 1000);
    assert.ok(await scrubExpiredPayloads(w.t.deps) >= 1);
    assert.equal((await getDelivery(w.t.deps, kept.id)).payload, null);
    const late = await call("POST", `/v1/webhooks/events/${second.id}/replay`);
    assert.equal(late.status, 409);
    assert.equal(late.body.error.code, "WEBHOOK_PAYLOAD_EXPIRED");
  } finally {
    await w.stop();
  }
});

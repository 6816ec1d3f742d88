/**
 * "Send test event" (docs/webhooks.md "Test events") over HTTP and through the real worker: a
 * signed, encrypted `webhook.test` reaches the receiver of that endpoint only, shows in the
 * deliveries and events lists; 409 `ENDPOINT_DISABLED` for a disabled endpoint; without an active
 * key the delivery is recorded failed (`no_active_key`); other modes' endpoints are 404.
 * Responses are checked against `/openapi.json`.
 */
import assert from "node:assert/strict";
import { bearer, seedApiKey } from "./support/app.ts";
import { checkedClient } from "./support/openapi.ts";
import { waitFor } from "./support/webhooks.ts";
import { world } from "./support/webhooks_world.ts";
import { createEndpoint } from "../webhooks/endpoints.ts";

Deno.test("test event: delivered signed and encrypted to its endpoint, listed, refused when disabled", async () => {
  const w = await world("kv_table");
  try {
    const { secret } = await seedApiKey(w.t.deps, w.orgId, { mode: "test" });
    const request = checkedClient(w.t.app);
    const call = async (method: string, path: string, body?: unknown, key = secret) => {
      const res = await request(path, {
        method,
        headers: {
          ...bearer(key),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    };
    // Another endpoint of the organization must not receive it.
    await createEndpoint(w.t.deps, w.orgId, "test", {
      name: "other",
      url: "http://127.0.0.1:9/never",
    });
    const sent = await call("POST", `/v1/webhooks/endpoints/${w.endpointId}/test-event`);
    assert.equal(sent.status, 202);
    assert.equal(sent.body.data.event_type, "webhook.test");
    assert.equal(sent.body.data.endpoint_id, w.endpointId);
    await waitFor(() => w.receiver.received.length === 1, 20_000, "the test event");
    const got = w.receiver.received[0];
    assert.equal(got.eventHeader, "webhook.test");
    assert.equal(got.event.type, "webhook.test");
    assert.equal(got.deliveryId, sent.body.data.id);
    assert.deepEqual(Object.keys(got.event.data).sort(), ["endpoint_id", "message"]);
    assert.equal(w.receiver.rejected.length, 0, "signature and encryption checked");
    await waitFor(async () => {
      const d = await call("GET", `/v1/webhooks/deliveries/${sent.body.data.id}`);
      return d.body.data.status === "succeeded";
    });
    const listed = await call("GET", `/v1/webhooks/deliveries?endpoint_id=${w.endpointId}`);
    assert.deepEqual(listed.body.data.map((d: { id: string }) => d.id), [sent.body.data.id]);
    const events = await call("GET", "/v1/webhooks/events");
    assert.equal(events.body.data[0].type, "webhook.test");
    assert.equal(events.body.data[0].id, got.eventId);
    const typed = await call("GET", "/v1/webhooks/events?type=webhook.test");
    assert.deepEqual(typed.body.data.map((e: { id: string }) => e.id), [got.eventId]);

    await call("PATCH", `/v1/webhooks/endpoints/${w.endpointId}`, { enabled: false });
    const disabled = await call("POST", `/v1/webhooks/endpoints/${w.endpointId}/test-event`);
    assert.equal(disabled.status, 409);
    assert.equal(disabled.body.error.code, "ENDPOINT_DISABLED");

    const { endpoint: keyless } = await createEndpoint(w.t.deps, w.orgId, "test", {
      name: "keyless",
      url: "http://127.0.0.1:9/keyless",
    });
    const failed = await call("POST", `/v1/webhooks/endpoints/${keyless.id}/test-event`);
    assert.equal(failed.status, 202);
    assert.equal(failed.body.data.status, "failed");
    assert.equal(failed.body.data.failure_reason, "no_active_key");

    const { secret: live } = await seedApiKey(w.t.deps, w.orgId, { mode: "live" });
    const other = await call(
      "POST",
      `/v1/webhooks/endpoints/${keyless.id}/test-event`,
      undefined,
      live,
    );
    assert.equal(other.status, 404);
    assert.equal(w.receiver.received.length, 1, "nothing else was delivered");
  } finally {
    await w.stop();
  }
});

/**
 * Integration with the sessions layer: a session cancelled through the API emits
 * `verification.session.cancelled` in the cancel's commit, and the webhook worker delivers it to
 * the endpoint the session named, with the session id in its metadata.
 */
import assert from "node:assert/strict";
import { startWebhookWorker } from "../webhooks/register.ts";
import { bearer, createTestApp, seedApiKey } from "./support/app.ts";
import { seedWebhookEndpoint, sharedKeyPair, startReceiver, waitFor } from "./support/webhooks.ts";
import { webhookKeys } from "../webhooks/model.ts";

Deno.test("a cancelled session reaches its named endpoint as verification.session.cancelled", async () => {
  const t = await createTestApp();
  const pair = await sharedKeyPair();
  let secret = "";
  const receiver = startReceiver({
    secrets: () => [secret],
    privateKey: pair.privateKey,
    now: () => t.clock.now().getTime(),
  });
  const worker = await startWebhookWorker(t.deps);
  try {
    const named = await seedWebhookEndpoint(t.deps, {
      url: receiver.url,
      publicJwk: pair.publicJwk,
    });
    secret = named.signingSecret;
    // A second endpoint of the same organization must not receive the event.
    await seedWebhookEndpoint(t.deps, {
      orgId: named.orgId,
      url: receiver.url,
      publicJwk: pair.publicJwk,
    });
    const { secret: apiKey } = await seedApiKey(t.deps, named.orgId, { mode: "test" });
    const headers = { ...bearer(apiKey), "content-type": "application/json" };
    const created = await t.app.request("/v1/sessions", {
      method: "POST",
      headers,
      body: JSON.stringify({ webhook_endpoint_id: named.endpoint.id }),
    });
    assert.equal(created.status, 200);
    const session = (await created.json()).data;
    const cancelled = await t.app.request(`/v1/sessions/${session.id}/cancel`, {
      method: "POST",
      headers,
    });
    assert.equal(cancelled.status, 200);
    await waitFor(() => receiver.received.length === 1, 5000, "cancelled event");
    const got = receiver.received[0];
    assert.equal(got.event.type, "verification.session.cancelled");
    assert.equal(got.event.metadata.verification_session_id, session.id);
    assert.equal(got.event.data.cancelled_by, "integrator");
    // Deliveries are written in the event's commit: the other endpoint never got one to send.
    const deliveries = await Array.fromAsync(
      t.deps.kv.list({ prefix: webhookKeys.allDeliveriesPrefix() }),
    );
    assert.deepEqual(
      deliveries.map((entry) => (entry.value as { endpointId: string }).endpointId),
      [named.endpoint.id],
      "only the named endpoint",
    );
    assert.equal(receiver.hits, 1);
  } finally {
    await worker.stop();
    await receiver.close();
    await t.close();
  }
});

import assert from "node:assert/strict";
import { contractMinimumDelivery, minimumKeys } from "./contract_minimum.ts";
import { generateEncryptionKeyPair, receiveKayleWebhook } from "../webhooks/receiver.ts";
import { signingKeyOf } from "../webhooks/signing.ts";
import type { PublicRsaJwk } from "../webhooks/model.ts";

const SECRET = `whsec_${"A".repeat(32)}`;

/** A receiver that checks each request as an integrator's would, answering `status`. */
function receiver(privateKey: CryptoKey, status: number) {
  const received: Array<{ eventId: string; deliveryId: string | null }> = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (r) => {
    const event = await receiveKayleWebhook(r, { secret: SECRET, privateKey });
    received.push({
      eventId: event.metadata.event_id,
      deliveryId: r.headers.get("x-kayle-delivery-id"),
    });
    return new Response(null, { status });
  });
  return { url: `http://127.0.0.1:${server.addr.port}/hooks`, received, server };
}

async function keysIn(kv: Deno.Kv): Promise<Deno.KvKey[]> {
  const keys: Deno.KvKey[] = [];
  for await (const e of kv.list({ prefix: [] })) keys.push(e.key);
  return keys;
}

for (const status of [204, 500]) {
  Deno.test(`the contract minimum delivers a verifiable JWE and records a ${status}`, async () => {
    const pair = await generateEncryptionKeyPair(2048);
    const jwk = { ...pair.publicJwk, alg: "RSA-OAEP-256", use: "enc", kid: "key_min" };
    const target = receiver(pair.privateKey, status);
    const kv = await Deno.openKv(":memory:");
    try {
      const deliver = contractMinimumDelivery(kv, {
        url: target.url,
        jwk: jwk as PublicRsaJwk,
        signingKey: await signingKeyOf(SECRET),
      });
      assert.ok(await deliver() > 0);
      assert.equal(target.received.length, 1);
      const [{ eventId, deliveryId }] = target.received;
      assert.ok(deliveryId);

      const keys = await keysIn(kv);
      assert.equal(keys.length, 5);
      const event = await kv.get(minimumKeys.event(eventId));
      assert.ok(event.value);
      const delivery = await kv.get<{ status: string; attemptCount: number; eventId: string }>(
        minimumKeys.delivery(deliveryId),
      );
      assert.equal(delivery.value?.eventId, eventId);
      assert.equal(delivery.value?.status, status === 204 ? "succeeded" : "failed");
      assert.equal(delivery.value?.attemptCount, 1);
      const attempt = await kv.get<{ statusCode: number }>(minimumKeys.attempt(deliveryId));
      assert.equal(attempt.value?.statusCode, status);
      const listed = keys.filter((k) => k.at(-1) === eventId || k.at(-1) === deliveryId);
      assert.equal(listed.length, 4); // each record and its list entry
    } finally {
      kv.close();
      await target.server.shutdown();
    }
  });
}

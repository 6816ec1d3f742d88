/**
 * The JavaScript SDK (`sdk/js`, imported from source) against a real server started here: sessions
 * created, listed page by page and cancelled; a full test-mode verification whose webhook the SDK
 * verifies and decrypts; a signing-secret rotation; and each refusal of `verifyAndDecrypt` provoked
 * on a real delivery.
 */
import assert from "node:assert/strict";
import {
  generateEncryptionKeyPair,
  Kayle,
  KayleApiError,
  KayleWebhookError,
  verifyAndDecrypt,
} from "../sdk/js/src/index.ts";
import { startDeliverySink, startSdkServer } from "./support/sdk.ts";

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e) => e);
  assert.ok(error instanceof KayleWebhookError, `expected a KayleWebhookError, got ${error}`);
  return error.code;
}

Deno.test({
  name: "sdk: sessions, pagination, a verified and decrypted webhook, rotation and refusals",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const server = await startSdkServer();
    const sink = startDeliverySink();
    let requests = 0;
    const kayle = new Kayle({
      apiKey: server.apiKey,
      baseUrl: server.url,
      fetch: (input, init) => {
        requests++;
        return fetch(input, init);
      },
    });
    try {
      await t.step("create (idempotent), get, list every page, cancel", async () => {
        const first = await kayle.sessions.create(
          { share_fields: { age_over_18: { required: true, reason: "Adults only" } } },
          { idempotencyKey: "order-4711" },
        );
        assert.match(first.id, /^vs_/);
        assert.ok(first.cancel_token);
        const replay = await kayle.sessions.create(
          { share_fields: { age_over_18: { required: true, reason: "Adults only" } } },
          { idempotencyKey: "order-4711" },
        );
        assert.equal(replay.id, first.id);
        const created = [first.id];
        for (let i = 0; i < 4; i++) created.push((await kayle.sessions.create()).id);

        const page = await kayle.sessions.list({ limit: 2 });
        assert.equal(page.data.length, 2);
        assert.equal(page.hasMore, true);
        assert.equal(page.nextCursor, page.data[1].id);

        const before = requests;
        const all: string[] = [];
        for await (const session of kayle.sessions.list({ limit: 2 })) all.push(session.id);
        assert.deepEqual(all, created.toReversed(), "every session once, newest first");
        assert.equal(requests - before, 3, "5 sessions in pages of 2: 3 requests");

        const cancelled = await kayle.sessions.cancel(created[2]);
        assert.equal(cancelled.status, "cancelled");
        assert.equal((await kayle.sessions.get(created[2])).status, "cancelled");
        const onlyCancelled = await kayle.sessions.list({ status: "cancelled" }).toArray();
        assert.deepEqual(onlyCancelled.map((s) => s.id), [created[2]]);
      });

      await t.step("errors carry status, code, message and request id", async () => {
        const error = await kayle.sessions.get("vs_unknown").then(() => null, (e) => e);
        assert.ok(error instanceof KayleApiError);
        assert.equal(error.status, 404);
        assert.equal(error.code, "NOT_FOUND");
        assert.ok(error.message.length > 0);
        assert.match(error.requestId ?? "", /\S+/);
        const bad = await kayle.sessions
          .create({ share_fields: { shoe_size: { required: true, reason: "x" } } })
          .then(() => null, (e) => e);
        assert.equal(bad?.code, "UNKNOWN_CLAIM_KEY");
        assert.equal(bad?.status, 400);
      });

      const keys = await generateEncryptionKeyPair({ modulusLength: 2048 });
      const { endpoint, signing_secret: firstSecret } = await kayle.webhookEndpoints.create({
        name: "SDK test receiver",
        url: sink.url,
      });
      const key = await kayle.encryptionKeys.create(endpoint.id, { jwk: keys.publicJwk });
      const privateKeys = { [key.key_id]: keys.privateJwk };
      let succeeded!: Awaited<ReturnType<typeof sink.next>>;

      await t.step("a simulated verification's webhook, verified and decrypted", async () => {
        const session = await kayle.sessions.create({
          share_fields: {
            family_name: { required: true, reason: "Match your account" },
            age_over_18: { required: true, reason: "Adults only" },
          },
          webhook_endpoint_id: endpoint.id,
        });
        const result = await kayle.testHelpers.simulateSession(session.id, { scenario: "success" });
        assert.equal(result.attempt_status, "succeeded");
        succeeded = await sink.next("verification.session.succeeded");
        const event = await verifyAndDecrypt(succeeded.body, succeeded.headers, {
          signingSecrets: firstSecret,
          privateKeys,
        });
        assert.equal(event.type, "verification.session.succeeded");
        if (event.type !== "verification.session.succeeded") return;
        assert.equal(event.metadata.verification_session_id, session.id);
        assert.equal(event.data.claims.family_name, "ERIKSSON");
        assert.equal(event.data.claims.age_over_18, true);
        assert.deepEqual(event.data.selected_field_keys, [
          "family_name",
          "age_over_18",
          "kayle_document_id",
        ]);
        // The same delivery, as a string and as an ArrayBuffer.
        const text = new TextDecoder().decode(succeeded.body);
        const again = await verifyAndDecrypt(text, Object.fromEntries(succeeded.headers), {
          signingSecrets: firstSecret,
          privateKeys: [{ ...keys.privateJwk, kid: key.key_id }],
        });
        assert.equal(again.metadata.event_id, event.metadata.event_id);
        const buffer = succeeded.body.slice().buffer;
        assert.equal(
          (await verifyAndDecrypt(buffer, succeeded.headers, {
            signingSecrets: firstSecret,
            privateKeys,
          }))
            .metadata.event_id,
          event.metadata.event_id,
        );

        const listed = await kayle.events.list({ session_id: session.id }).toArray();
        assert.ok(listed.some((e) => e.id === event.metadata.event_id));
        const overview = await kayle.analytics.sessionsOverview();
        assert.ok(overview.by_outcome.succeeded >= 1);
      });

      await t.step("rotation: both secrets verify while both sign", async () => {
        const rotated = await kayle.webhookEndpoints.rotateSigningSecret(endpoint.id);
        const newSecret = rotated.signing_secret;
        assert.notEqual(newSecret, firstSecret);
        const from = sink.deliveries.length;
        const session = await kayle.sessions.create({ webhook_endpoint_id: endpoint.id });
        await kayle.sessions.cancel(session.id);
        const cancelled = await sink.next("verification.session.cancelled", from);
        const signature = cancelled.headers.get("x-kayle-signature") ?? "";
        assert.equal(signature.match(/v1=/g)?.length, 2, "signed with the new and the old secret");
        const both = [newSecret, firstSecret];
        const event = await verifyAndDecrypt(cancelled.body, cancelled.headers, {
          signingSecrets: both,
          privateKeys,
        });
        assert.equal(event.type, "verification.session.cancelled");
        for (const secret of both) {
          await verifyAndDecrypt(cancelled.body, cancelled.headers, {
            signingSecrets: secret,
            privateKeys,
          });
        }
        // A receiver already on [new, old] still accepts the delivery signed before the rotation.
        const t0 = Number(/t=(\d+)/.exec(succeeded.headers.get("x-kayle-signature")!)![1]);
        await verifyAndDecrypt(succeeded.body, succeeded.headers, {
          signingSecrets: both,
          privateKeys,
          now: t0 * 1000,
        });
        assert.equal(
          await refusal(verifyAndDecrypt(cancelled.body, cancelled.headers, {
            signingSecrets: "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            privateKeys,
          })),
          "signature_mismatch",
        );
      });

      await t.step("every other resource answers through its typed method", async () => {
        const [attempt] = await kayle.attempts.list({ status: "succeeded" }).toArray();
        assert.equal(attempt.object, "verification_attempt");
        assert.equal((await kayle.webhookEndpoints.get(endpoint.id)).name, "SDK test receiver");
        const endpoints = await kayle.webhookEndpoints.list().toArray();
        assert.deepEqual(endpoints.map((e) => e.id), [endpoint.id]);
        const renamed = await kayle.webhookEndpoints.update(endpoint.id, { name: "Renamed" });
        assert.equal(renamed.name, "Renamed");
        const revealed = await kayle.webhookEndpoints.revealSigningSecret(endpoint.id);
        assert.equal(revealed.endpoint_id, endpoint.id);
        const [listedKey] = await kayle.encryptionKeys.list(endpoint.id).toArray();
        assert.equal(listedKey.key_id, key.key_id);
        assert.equal((await kayle.encryptionKeys.deactivate(key.key_id)).status, "inactive");
        assert.equal((await kayle.encryptionKeys.reactivate(key.key_id)).status, "active");

        // The worker records the outcome just after the receiver answers: wait for it.
        const deliveryId = succeeded.headers.get("x-kayle-delivery-id")!;
        const deadline = Date.now() + 30_000;
        while ((await kayle.deliveries.get(deliveryId)).status !== "succeeded") {
          assert.ok(Date.now() < deadline, "the delivery is recorded as succeeded");
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const deliveries = await kayle.deliveries.list({ status: "succeeded" }).toArray();
        const delivery = deliveries.find((d) => d.id === deliveryId);
        assert.ok(delivery, "the delivery is listed as succeeded");
        assert.equal((await kayle.deliveries.get(delivery.id)).event_id, delivery.event_id);
        assert.equal(
          (await kayle.events.get(delivery.event_id)).type,
          "verification.session.succeeded",
        );
        // A succeeded delivery's payload was scrubbed: retry and replay are typed 409s.
        const retry = await kayle.deliveries.retry(delivery.id).catch((e) => e);
        assert.ok(retry instanceof KayleApiError);
        assert.deepEqual([retry.status, retry.code], [409, "WEBHOOK_PAYLOAD_EXPIRED"]);
        const replay = await kayle.events.replay(delivery.event_id).catch((e) => e);
        assert.deepEqual([replay.status, replay.code], [409, "WEBHOOK_PAYLOAD_EXPIRED"]);
        const overview = await kayle.analytics.sessionsOverview();
        assert.equal(overview.daily.length, 14);

        const testDelivery = await kayle.webhookEndpoints.sendTestEvent(endpoint.id);
        assert.equal(testDelivery.endpoint_id, endpoint.id);
        assert.equal((await kayle.events.get(testDelivery.event_id)).type, "webhook.test");
        const toExpire = await kayle.sessions.create();
        const expired = await kayle.testHelpers.expireSession(toExpire.id);
        assert.deepEqual([expired.id, expired.status], [toExpire.id, "expired"]);

        assert.equal((await kayle.webhookEndpoints.delete(endpoint.id)).deleted, true);
        const gone = await kayle.webhookEndpoints.get(endpoint.id).catch((e) => e);
        assert.deepEqual([gone.status, gone.code], [404, "NOT_FOUND"]);
      });

      await t.step("tampered body, old timestamp, parsed body: each its own refusal", async () => {
        const options = { signingSecrets: firstSecret, privateKeys };
        const t0 = Number(/t=(\d+)/.exec(succeeded.headers.get("x-kayle-signature")!)![1]);
        const at = { ...options, now: t0 * 1000 };
        const tampered = succeeded.body.slice();
        tampered[tampered.length - 3] ^= 1;
        assert.equal(
          await refusal(verifyAndDecrypt(tampered, succeeded.headers, at)),
          "signature_mismatch",
        );
        assert.equal(
          await refusal(
            verifyAndDecrypt(succeeded.body, succeeded.headers, {
              ...options,
              now: (t0 + 301) * 1000,
            }),
          ),
          "timestamp_out_of_tolerance",
        );
        // Just inside the 5-minute tolerance it is accepted.
        await verifyAndDecrypt(succeeded.body, succeeded.headers, {
          ...options,
          now: (t0 + 300) * 1000,
        });
        const parsed = { protected: "eyJ…", what: "express.json() output" };
        const error = await verifyAndDecrypt(parsed as never, succeeded.headers, at).then(
          () => null,
          (e) => e,
        );
        assert.equal(error?.code, "parsed_body");
        assert.match(error.message, /raw request body/);
        assert.equal(
          await refusal(verifyAndDecrypt(undefined as never, succeeded.headers, at)),
          "parsed_body",
        );
        assert.equal(
          await refusal(verifyAndDecrypt(succeeded.body, new Headers(), at)),
          "missing_signature",
        );
        assert.equal(
          await refusal(verifyAndDecrypt(succeeded.body, { "x-kayle-signature": "v1=zz" }, at)),
          "malformed_signature",
        );
        assert.equal(
          await refusal(
            verifyAndDecrypt(succeeded.body, succeeded.headers, { ...at, privateKeys: {} }),
          ),
          "no_key_for_kid",
        );
        const other = await generateEncryptionKeyPair({ modulusLength: 2048 });
        assert.equal(
          await refusal(verifyAndDecrypt(succeeded.body, succeeded.headers, {
            ...at,
            privateKeys: { [key.key_id]: other.privateJwk },
          })),
          "decryption_failed",
        );
      });
    } finally {
      await sink.close();
      await server.close();
    }
  },
});

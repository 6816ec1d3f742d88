/**
 * The delivery suite, run on both job backends: end-to-end to a real loopback receiver, the
 * failure paths (500, timeout, redirect, connection refused) following the schedule under a
 * manual clock, manual retry and replay with their conflict codes, rotation, no active key.
 */
import assert from "node:assert/strict";
import type { JobBackend } from "../lib/core/config.ts";
import { configureWebhookSender } from "../webhooks/runtime.ts";
import { runDeliveryJob } from "../webhooks/worker.ts";
import {
  deliveryOf,
  driveNextTry,
  getDelivery,
  type World,
  world,
} from "./support/webhooks_world.ts";
import { scrubExpiredPayloads } from "../webhooks/maintenance.ts";
import { listAttempts } from "../webhooks/deliveries.ts";
import { rotateSigningSecret } from "../webhooks/endpoints.ts";
import { RETRY_SCHEDULE_MS } from "../webhooks/schedule.ts";
import { bearer, seedApiKey } from "./support/app.ts";
import { type Receiver, waitFor, writeEvent } from "./support/webhooks.ts";
import { eventKeys } from "../lib/events/events.ts";

const BACKENDS: JobBackend[] = ["kv_queue", "kv_table"];

for (const backend of BACKENDS) {
  Deno.test(`[${backend}] an event reaches the receiver signed, encrypted, once`, async () => {
    const w = await world(backend);
    try {
      const event = await writeEvent(w.t.deps, w.orgId);
      await waitFor(() => w.receiver.received.length === 1, 20_000, "delivery");
      const got = w.receiver.received[0];
      assert.equal(got.eventId, event.id);
      assert.equal(got.eventHeader, "verification.session.succeeded");
      assert.equal(got.attempt, 1);
      assert.equal(got.signatures, 1);
      assert.deepEqual(got.event.data.claims, {
        family_name: "Curie",
        kayle_document_id: "kdid_00",
      });
      assert.equal(got.event.metadata.contract_version, 1);
      const d = await deliveryOf(w.t.deps, event.id);
      await waitFor(
        async () => (await getDelivery(w.t.deps, d.id)).status === "succeeded",
        2000,
        "succeeded",
      );
      const done = await getDelivery(w.t.deps, d.id);
      assert.equal(got.deliveryId, done.id);
      assert.equal(got.kid, done.keyId);
      assert.equal(done.payload, null, "payload scrubbed on success");
      const attempts = await listAttempts(w.t.deps.kv, d.id);
      assert.equal(attempts.length, 1);
      assert.equal(attempts[0].statusCode, 200);
      assert.match(attempts[0].id, /^wha_[a-z0-9]{64}$/);
      // The stored event keeps claim keys only.
      const stored =
        (await w.t.deps.kv.get<{ data: Record<string, unknown> }>(eventKeys.event(event.id)))
          .value!;
      assert.equal(JSON.stringify(stored).includes("Curie"), false);
      // Idempotent handler: the finished delivery is not sent again.
      assert.equal(await runDeliveryJob(w.t.deps, { delivery_id: d.id, seq: 1 }), "ignored");
      assert.equal(w.receiver.hits, 1);
      assert.deepEqual(w.receiver.rejected, []);
    } finally {
      await w.stop();
    }
  });

  const failures: Array<
    {
      name: string;
      /** Sets the receiver up; may return what to do after the test (answer held requests). */
      setup: (r: Receiver, w: World) => void | (() => void);
      errorClass: string;
      url?: () => Promise<string>;
    }
  > = [
    {
      name: "answering 500",
      setup: (r) => (r.respond = () => new Response("no", { status: 500 })),
      errorClass: "http_status",
    },
    {
      name: "timing out",
      // The receiver holds every request past the try's deadline: once a request has arrived, it
      // ends the sender's deadline (which stands for the real 15 s) and answers only after the
      // test, with a status the receiver does not count. No real timer races the request.
      setup: (r, w) => {
        const deadlines: AbortController[] = [];
        const late: Array<() => void> = [];
        configureWebhookSender(w.t.deps, {
          deadline: () => {
            const deadline = new AbortController();
            deadlines.push(deadline);
            return deadline.signal;
          },
        });
        r.respond = () => {
          deadlines.shift()?.abort(new DOMException("deadline", "TimeoutError"));
          return new Promise((answer) =>
            late.push(() => answer(new Response("late", { status: 504 })))
          );
        };
        return () => late.forEach((answer) => answer());
      },
      errorClass: "timeout",
    },
    {
      name: "redirecting",
      setup: (
        r,
      ) => (r.respond = () =>
        new Response(null, { status: 302, headers: { location: "/elsewhere" } })),
      errorClass: "redirect",
    },
    {
      name: "refusing connections",
      setup: () => {},
      errorClass: "connection_refused",
      url: () => {
        const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
        const port = (listener.addr as Deno.NetAddr).port;
        listener.close();
        return Promise.resolve(`http://127.0.0.1:${port}/hooks`);
      },
    },
  ];

  for (const failure of failures) {
    Deno.test(`[${backend}] a receiver ${failure.name}: 8 tries on the schedule, then failed`, async () => {
      const w = await world(backend, { url: failure.url ? await failure.url() : undefined });
      const after = failure.setup(w.receiver, w);
      try {
        const event = await writeEvent(w.t.deps, w.orgId);
        const { id } = await deliveryOf(w.t.deps, event.id);
        await waitFor(
          async () => (await getDelivery(w.t.deps, id)).attemptCount === 1,
          20_000,
          "first try",
        );
        for (let n = 2; n <= 8; n++) {
          const before = await getDelivery(w.t.deps, id);
          assert.equal(before.status, "pending");
          const wait = new Date(before.nextAttemptAt!).getTime() -
            new Date(before.lastAttemptAt!).getTime();
          const planned = RETRY_SCHEDULE_MS[n - 1];
          assert.ok(
            wait >= planned * 0.9 - 1 && wait <= planned * 1.1 + 1,
            `try ${n} after ${wait} ms, planned ${planned}`,
          );
          await driveNextTry(w, id);
        }
        const failed = await getDelivery(w.t.deps, id);
        assert.equal(failed.status, "failed");
        assert.equal(failed.failureReason, "retries_exhausted");
        assert.equal(failed.lastErrorClass, failure.errorClass);
        assert.notEqual(failed.payload, null, "payload retained after failure");
        const retainedFor = new Date(failed.payloadExpiresAt!).getTime() -
          new Date(failed.lastAttemptAt!).getTime();
        assert.equal(retainedFor, 72 * 3600_000);
        const attempts = await listAttempts(w.t.deps.kv, id);
        assert.deepEqual(attempts.map((a) => a.number), [1, 2, 3, 4, 5, 6, 7, 8]);
        assert.ok(attempts.every((a) => a.errorClass === failure.errorClass && !a.succeeded));
        assert.equal(w.receiver.received.length, 0);
        if (failure.errorClass !== "connection_refused") assert.equal(w.receiver.hits, 8);
      } finally {
        after?.();
        await w.stop();
      }
    });
  }

  Deno.test(`[${backend}] manual retry while retained, CONFLICT while delivering, PAYLOAD_EXPIRED after`, async () => {
    const w = await world(backend);
    const { secret } = await seedApiKey(w.t.deps, w.orgId, { mode: "test" });
    const retry = (id: string) =>
      w.t.app.request(`/v1/webhooks/deliveries/${id}/retry`, {
        method: "POST",
        headers: bearer(secret),
      });
    let release: (() => void) | null = null;
    try {
      w.receiver.respond = () => new Response("down", { status: 503 });
      const first = await deliveryOf(w.t.deps, (await writeEvent(w.t.deps, w.orgId)).id);
      const second = await deliveryOf(w.t.deps, (await writeEvent(w.t.deps, w.orgId)).id);
      for (const id of [first.id, second.id]) {
        await waitFor(
          async () => (await getDelivery(w.t.deps, id)).attemptCount >= 1,
          20_000,
          "first try",
        );
        while ((await getDelivery(w.t.deps, id)).status !== "failed") await driveNextTry(w, id);
      }
      // While a try is in flight the retry is refused.
      w.receiver.respond = () => new Promise((ok) => (release = () => ok(new Response("ok"))));
      // The receiver holds the response until release(): a long timeout keeps a loaded machine from
      // aborting the try first.
      configureWebhookSender(w.t.deps, { timeoutMs: 60_000 });
      const res = await retry(first.id);
      assert.equal(res.status, 202);
      assert.equal((await res.json()).data.status, "pending");
      await waitFor(
        async () => (await getDelivery(w.t.deps, first.id)).status === "delivering",
        20_000,
        "delivering",
      );
      const busy = await retry(first.id);
      assert.equal(busy.status, 409);
      assert.equal((await busy.json()).error.code, "CONFLICT");
      // "delivering" is written before the request reaches the receiver: wait until it holds it.
      await waitFor(() => release !== null, 20_000, "the receiver holding the retried request");
      release!();
      await waitFor(
        async () => (await getDelivery(w.t.deps, first.id)).status === "succeeded",
        20_000,
        "retried",
      );
      const got = w.receiver.received.find((r) => r.deliveryId === first.id)!;
      assert.equal(got.attempt, 9);
      assert.equal(got.eventId, first.eventId);
      const again = await retry(first.id);
      assert.equal(again.status, 409);
      assert.equal((await again.json()).error.code, "WEBHOOK_PAYLOAD_EXPIRED");
      // The second one's retention (72 h) runs out.
      w.t.clock.advance(72 * 3600_000 + 1000);
      const expired = await retry(second.id);
      assert.equal(expired.status, 409);
      assert.equal((await expired.json()).error.code, "WEBHOOK_PAYLOAD_EXPIRED");
      assert.equal(await scrubExpiredPayloads(w.t.deps), 1);
      assert.equal((await getDelivery(w.t.deps, second.id)).payload, null);
    } finally {
      (release as (() => void) | null)?.();
      await w.stop();
    }
  });

  Deno.test(`[${backend}] a failed manual try of a delivered event stays one attempt: no schedule`, async () => {
    const w = await world(backend);
    const { secret } = await seedApiKey(w.t.deps, w.orgId, {
      mode: "test",
      scopes: ["webhooks:write"],
    });
    try {
      const kept = await w.t.app.request(`/v1/webhooks/endpoints/${w.endpointId}`, {
        method: "PATCH",
        headers: { ...bearer(secret), "content-type": "application/json" },
        body: JSON.stringify({ delivered_payload_retention_hours: 24 }),
      });
      assert.equal(kept.status, 200);
      const event = await writeEvent(w.t.deps, w.orgId);
      const d = await deliveryOf(w.t.deps, event.id);
      await waitFor(
        async () => (await getDelivery(w.t.deps, d.id)).status === "succeeded",
        20_000,
        "delivered",
      );
      const succeededAt = (await getDelivery(w.t.deps, d.id)).succeededAt;

      w.receiver.respond = () => new Response("down", { status: 500 });
      const retried = await w.t.app.request(`/v1/webhooks/deliveries/${d.id}/retry`, {
        method: "POST",
        headers: bearer(secret),
      });
      assert.equal(retried.status, 202);
      await waitFor(
        async () => (await getDelivery(w.t.deps, d.id)).attemptCount === 2,
        20_000,
        "the manual try",
      );
      await waitFor(
        async () => (await getDelivery(w.t.deps, d.id)).status !== "delivering",
        20_000,
        "its outcome",
      );
      const after = await getDelivery(w.t.deps, d.id);
      assert.equal(after.status, "succeeded");
      assert.equal(after.succeededAt, succeededAt);
      assert.equal(after.nextAttemptAt, null, "no automatic try follows");
      assert.equal(after.lastStatusCode, 500);
      assert.ok(after.payload, "the payload is kept for another try");
      const attempts = await listAttempts(w.t.deps.kv, d.id);
      assert.deepEqual(attempts.map((a) => [a.number, a.manual, a.succeeded]), [
        [1, false, true],
        [2, true, false],
      ]);
      // A day later nothing more was sent; the payload's window then ends as for any delivery.
      w.t.clock.advance(24 * 3600_000 + 1000);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(w.receiver.hits, 2);
      assert.equal(await scrubExpiredPayloads(w.t.deps), 1);
    } finally {
      await w.stop();
    }
  });

  Deno.test(`[${backend}] replay resends the same event and delivery ids; conflicts are coded`, async () => {
    const w = await world(backend, { retentionHours: 24 });
    const { secret } = await seedApiKey(w.t.deps, w.orgId, { mode: "test" });
    const replay = (id: string) =>
      w.t.app.request(`/v1/webhooks/events/${id}/replay`, {
        method: "POST",
        headers: bearer(secret),
      });
    try {
      const ok = await writeEvent(w.t.deps, w.orgId);
      await waitFor(() => w.receiver.received.length === 1, 20_000, "first delivery");
      const okDelivery = await deliveryOf(w.t.deps, ok.id);
      await waitFor(
        async () => (await getDelivery(w.t.deps, okDelivery.id)).status === "succeeded",
        2000,
        "succeeded",
      );
      const scrubbed = await replay(ok.id);
      assert.equal(scrubbed.status, 409);
      assert.equal((await scrubbed.json()).error.code, "WEBHOOK_PAYLOAD_EXPIRED");

      w.receiver.respond = () => new Response("down", { status: 500 });
      const failing = await writeEvent(w.t.deps, w.orgId);
      const d = await deliveryOf(w.t.deps, failing.id);
      await waitFor(
        async () => (await getDelivery(w.t.deps, d.id)).attemptCount === 1,
        20_000,
        "first try",
      );
      w.receiver.respond = () => new Response("ok");
      const res = await replay(failing.id);
      assert.equal(res.status, 202);
      assert.equal(res.headers.get("content-type"), "application/json");
      const body = await res.json();
      assert.equal(body.data.event_id, failing.id);
      assert.deepEqual(body.data.deliveries.map((x: { id: string }) => x.id), [d.id]);
      await waitFor(
        () => w.receiver.received.some((r) => r.eventId === failing.id),
        20_000,
        "replayed delivery",
      );
      const got = w.receiver.received.find((r) => r.eventId === failing.id)!;
      assert.equal(got.deliveryId, d.id);
      assert.equal(got.attempt, 2);
      const missing = await replay(`evt_${"0".repeat(64)}`);
      assert.equal(missing.status, 404);
    } finally {
      await w.stop();
    }
  });

  Deno.test(`[${backend}] during a rotation both secrets sign; after 24 h only the new one`, async () => {
    const w = await world(backend);
    try {
      const rotated = await rotateSigningSecret(
        w.t.deps,
        { orgId: w.orgId, mode: "any" },
        w.endpointId,
      );
      assert.ok(rotated && rotated.signingSecret !== w.secret);
      await writeEvent(w.t.deps, w.orgId);
      await waitFor(() => w.receiver.received.length === 1, 20_000, "delivery");
      assert.equal(w.receiver.received[0].signatures, 2);
      w.t.clock.advance(24 * 3600_000 + 1000);
      await writeEvent(w.t.deps, w.orgId);
      await waitFor(
        () => w.receiver.received.length + w.receiver.rejected.length === 2,
        20_000,
        "second delivery",
      );
      // The receiver still knows only the old secret: the new-only signature is refused.
      assert.deepEqual(w.receiver.rejected, ["signature"]);
    } finally {
      await w.stop();
    }
  });
}

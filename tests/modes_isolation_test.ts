/**
 * Test and live are two worlds (docs/api.md, "Test and live"): one organization with a test key
 * and a live key; every object either key can reach — sessions, attempts, analytics, events,
 * deliveries, endpoints, idempotent replays — belongs to the key's mode, and the other mode's id
 * answers 404 `NOT_FOUND` as if it did not exist. Each test here failed on the code before.
 */
import assert from "node:assert/strict";
import { bearer, seedApiKey, seedOrganization } from "./support/app.ts";
import { FakeBrowser } from "./support/browser_session.ts";
import {
  assertError,
  eventTypes,
  postJson,
  type SessionsWorld,
  sessionsWorld,
} from "./support/sessions.ts";
import { createAttempt } from "../lib/sessions/attempts.ts";

interface TwoWorlds {
  world: SessionsWorld;
  /** JSON headers of the organization's test key and live key. */
  test: Record<string, string>;
  live: Record<string, string>;
}

async function twoWorlds(): Promise<TwoWorlds> {
  const world = await sessionsWorld({ mode: "test" });
  const live = await seedApiKey(world.deps, world.orgId, { mode: "live" });
  const json = { "content-type": "application/json" };
  return {
    world,
    test: { ...world.auth, ...json },
    live: { ...bearer(live.secret), ...json },
  };
}

async function create(w: TwoWorlds, key: Record<string, string>, body: unknown = {}) {
  const response = await postJson(w.world, "/v1/sessions", body, key);
  assert.equal(response.status, 200);
  return (await response.json()).data;
}

async function getJson(w: TwoWorlds, path: string, key: Record<string, string>) {
  return await w.world.request(path, { headers: key });
}

async function listIds(w: TwoWorlds, path: string, key: Record<string, string>) {
  const response = await getJson(w, path, key);
  assert.equal(response.status, 200, path);
  return ((await response.json()).data as Array<{ id: string }>).map((x) => x.id);
}

Deno.test("a test key can neither read, list nor cancel a live session (and sends no live webhook)", async () => {
  const w = await twoWorlds();
  try {
    // A live endpoint: a live event would be delivered to it.
    const endpoint = await postJson(w.world, "/v1/webhooks/endpoints", {
      name: "live hooks",
      url: "https://hooks.example.com/live",
    }, w.live);
    assert.equal(endpoint.status, 200);
    const liveSession = await create(w, w.live);
    const testSession = await create(w, w.test);
    assert.equal(liveSession.mode, "live");

    await assertError(await getJson(w, `/v1/sessions/${liveSession.id}`, w.test), 404, "NOT_FOUND");
    await assertError(await getJson(w, `/v1/sessions/${testSession.id}`, w.live), 404, "NOT_FOUND");
    await assertError(
      await postJson(w.world, `/v1/sessions/${liveSession.id}/cancel`, {}, w.test),
      404,
      "NOT_FOUND",
    );
    // Nothing happened to the live session: still open, no event, no delivery.
    const after = await (await getJson(w, `/v1/sessions/${liveSession.id}`, w.live)).json();
    assert.equal(after.data.status, "created");
    assert.deepEqual(await eventTypes(w.world, liveSession.id), []);
    assert.deepEqual(await listIds(w, "/v1/webhooks/deliveries", w.live), []);

    assert.deepEqual(await listIds(w, "/v1/sessions", w.test), [testSession.id]);
    assert.deepEqual(await listIds(w, "/v1/sessions", w.live), [liveSession.id]);
    assert.deepEqual(await listIds(w, "/v1/sessions?status=created", w.test), [testSession.id]);
    // A cursor of the other mode is not an item of this list.
    await assertError(
      await getJson(w, `/v1/sessions?starting_after=${liveSession.id}`, w.test),
      400,
      "INVALID_REQUEST",
    );

    // The live key's own cancel works and sends the live webhook.
    const cancelled = await postJson(w.world, `/v1/sessions/${liveSession.id}/cancel`, {}, w.live);
    assert.equal((await cancelled.json()).data.status, "cancelled");
    assert.deepEqual(await eventTypes(w.world, liveSession.id), ["verification.session.cancelled"]);
    assert.equal((await listIds(w, "/v1/webhooks/deliveries", w.live)).length, 1);
    assert.deepEqual(await listIds(w, "/v1/webhooks/deliveries", w.test), []);
  } finally {
    await w.world.close();
  }
});

Deno.test("attempts, analytics and events are counted and listed per mode", async () => {
  const w = await twoWorlds();
  try {
    const liveSession = await create(w, w.live);
    const testSession = await create(w, w.test);
    const liveAttempt = (await createAttempt(w.world.deps, liveSession.id)).attempt;
    const testAttempt = (await createAttempt(w.world.deps, testSession.id)).attempt;

    assert.deepEqual(await listIds(w, "/v1/sessions/attempts", w.test), [testAttempt.id]);
    assert.deepEqual(await listIds(w, "/v1/sessions/attempts", w.live), [liveAttempt.id]);
    await assertError(
      await getJson(w, `/v1/sessions/attempts?session_id=${liveSession.id}`, w.test),
      404,
      "NOT_FOUND",
    );
    await assertError(
      await getJson(w, `/v1/sessions/attempts?starting_after=${liveAttempt.id}`, w.test),
      400,
      "INVALID_REQUEST",
    );

    // Two more test sessions, one cancelled: the live overview does not see them.
    await create(w, w.test);
    const cancelled = await create(w, w.test);
    await postJson(w.world, `/v1/sessions/${cancelled.id}/cancel`, {}, w.test);
    const overview = async (key: Record<string, string>) =>
      (await (await getJson(w, "/v1/analytics/sessions/overview", key)).json()).data;
    const test = await overview(w.test);
    const live = await overview(w.live);
    assert.equal(test.total, 3);
    assert.deepEqual(test.by_status, {
      created: 2,
      in_progress: 0,
      completed: 0,
      expired: 0,
      cancelled: 1,
    });
    assert.equal(live.total, 1);
    assert.equal(live.by_status.created, 1);
    assert.equal(live.daily.at(-1).created, 1);
    assert.equal(test.daily.at(-1).created, 3);

    const testEvents = await listIds(w, "/v1/webhooks/events", w.test);
    assert.equal(testEvents.length, 1);
    assert.deepEqual(await listIds(w, "/v1/webhooks/events", w.live), []);
    await assertError(
      await getJson(w, `/v1/webhooks/events/${testEvents[0]}`, w.live),
      404,
      "NOT_FOUND",
    );
    await assertError(
      await getJson(w, `/v1/webhooks/events?session_id=${cancelled.id}`, w.live),
      404,
      "NOT_FOUND",
    );
    assert.deepEqual(
      await listIds(w, `/v1/webhooks/events?session_id=${cancelled.id}`, w.test),
      testEvents,
    );
  } finally {
    await w.world.close();
  }
});

Deno.test("an Idempotency-Key of a test key never returns its session to a live key", async () => {
  const w = await twoWorlds();
  try {
    const headers = (key: Record<string, string>) => ({ ...key, "idempotency-key": "order-4711" });
    const first = await postJson(w.world, "/v1/sessions", {}, headers(w.test));
    const testSession = (await first.json()).data;
    assert.equal(testSession.mode, "test");
    const second = await postJson(w.world, "/v1/sessions", {}, headers(w.live));
    assert.equal(second.status, 200);
    assert.equal(second.headers.get("idempotent-replayed"), null);
    const liveSession = (await second.json()).data;
    assert.equal(liveSession.mode, "live");
    assert.notEqual(liveSession.id, testSession.id);
    // Each mode still replays its own.
    const replay = await postJson(w.world, "/v1/sessions", {}, headers(w.live));
    assert.equal(replay.headers.get("idempotent-replayed"), "true");
    assert.equal((await replay.json()).data.id, liveSession.id);

    // The public test-only simulate endpoint refuses the live session, before and after consent.
    const simulate = (id: string) =>
      postJson(w.world, `/v1/verify/session/${id}/test_simulate`, {}, {
        "content-type": "application/json",
      });
    await assertError(await simulate(liveSession.id), 403, "TEST_MODE_ONLY");
    await postJson(w.world, `/v1/verify/session/${liveSession.id}/consent`, {
      selected_field_keys: ["kayle_document_id"],
    }, { "content-type": "application/json" });
    await assertError(await simulate(liveSession.id), 403, "TEST_MODE_ONLY");
    // The test helper with the test key does not even find it.
    await assertError(
      await postJson(w.world, `/v1/test_helpers/sessions/${liveSession.id}/simulate`, {}, w.test),
      404,
      "NOT_FOUND",
    );
    const still = await (await getJson(w, `/v1/sessions/${liveSession.id}`, w.live)).json();
    assert.equal(still.data.status, "created");
    assert.equal(still.data.outcome, null);
  } finally {
    await w.world.close();
  }
});

Deno.test("webhook endpoints and deliveries of the other mode answer 404", async () => {
  const w = await twoWorlds();
  try {
    const created = await postJson(w.world, "/v1/webhooks/endpoints", {
      name: "live hooks",
      url: "https://hooks.example.com/live",
    }, w.live);
    const endpointId = (await created.json()).data.endpoint.id;
    await assertError(
      await getJson(w, `/v1/webhooks/endpoints/${endpointId}`, w.test),
      404,
      "NOT_FOUND",
    );
    assert.deepEqual(await listIds(w, "/v1/webhooks/endpoints", w.test), []);
    assert.deepEqual(await listIds(w, "/v1/webhooks/endpoints", w.live), [endpointId]);
    await assertError(
      await getJson(w, `/v1/webhooks/deliveries?endpoint_id=${endpointId}`, w.test),
      404,
      "NOT_FOUND",
    );
    const session = await create(w, w.live);
    await postJson(w.world, `/v1/sessions/${session.id}/cancel`, {}, w.live);
    const [deliveryId] = await listIds(
      w,
      `/v1/webhooks/deliveries?endpoint_id=${endpointId}`,
      w.live,
    );
    assert.ok(deliveryId);
    await assertError(
      await getJson(w, `/v1/webhooks/deliveries/${deliveryId}`, w.test),
      404,
      "NOT_FOUND",
    );
    await assertError(
      await postJson(w.world, `/v1/webhooks/deliveries/${deliveryId}/retry`, {}, w.test),
      404,
      "NOT_FOUND",
    );
  } finally {
    await w.world.close();
  }
});

Deno.test("dashboard: one mode at a time; sessions, endpoints, events, deliveries and counts follow it", async () => {
  const w = await twoWorlds();
  try {
    const seeded = await seedOrganization(w.world.deps);
    // The API keys of this organization.
    const testKey = await seedApiKey(w.world.deps, seeded.org.id, { mode: "test" });
    const liveKey = await seedApiKey(w.world.deps, seeded.org.id, { mode: "live" });
    const keys = {
      test: { ...bearer(testKey.secret), "content-type": "application/json" },
      live: { ...bearer(liveKey.secret), "content-type": "application/json" },
    };
    const made: Record<string, { session: string; endpoint: string }> = {};
    for (const mode of ["test", "live"] as const) {
      const endpoint = await postJson(w.world, "/v1/webhooks/endpoints", {
        name: `${mode} hooks`,
        url: `https://hooks.example.com/${mode}`,
      }, keys[mode]);
      const session = await create(w, keys[mode]);
      await postJson(w.world, `/v1/sessions/${session.id}/cancel`, {}, keys[mode]);
      made[mode] = { session: session.id, endpoint: (await endpoint.json()).data.endpoint.id };
    }
    const browser = new FakeBrowser(w.world);
    await browser.post("/sign-in", { email: seeded.email, password: seeded.password });
    const base = `/organizations/${seeded.org.slug}`;
    const page = async (path: string) => {
      const response = await browser.get(path);
      assert.equal(response.status, 200, path);
      return await response.text();
    };
    const shows = (html: string, mode: "test" | "live") => {
      const other = mode === "test" ? "live" : "test";
      assert.match(html, new RegExp(`class="mode-switch mode-${mode}"`));
      return {
        mine: [made[mode].session, made[mode].endpoint].map((id) => html.includes(id)),
        other: [made[other].session, made[other].endpoint].map((id) => html.includes(id)),
      };
    };
    // Test data by default.
    const sessions = await page(`${base}/sessions`);
    assert.deepEqual(shows(sessions, "test").mine, [true, false]);
    assert.deepEqual(shows(sessions, "test").other, [false, false]);
    assert.deepEqual(shows(await page(`${base}/webhooks`), "test").other, [false, false]);
    assert.ok((await page(`${base}/webhooks`)).includes(made.test.endpoint));
    const events = await page(`${base}/webhooks/events`);
    assert.equal((events.match(/data-event-id=/g) ?? []).length, 1);
    const deliveryRows = async () =>
      [...(await page(`${base}/webhooks/deliveries`)).matchAll(/data-delivery-id="(whd_\w+)"/g)]
        .map((m) => m[1]);
    const [testDelivery] = await listIds(w, "/v1/webhooks/deliveries", keys.test);
    const [liveDelivery] = await listIds(w, "/v1/webhooks/deliveries", keys.live);
    assert.deepEqual(await deliveryRows(), [testDelivery]);
    // Switch to live data: remembered in a cookie for every organization page.
    const live = await page(`${base}/sessions?mode=live`);
    assert.deepEqual(shows(live, "live").mine, [true, false]);
    assert.deepEqual(shows(live, "live").other, [false, false]);
    const webhooks = await page(`${base}/webhooks`);
    assert.ok(webhooks.includes(made.live.endpoint));
    assert.equal(webhooks.includes(made.test.endpoint), false);
    assert.deepEqual(await deliveryRows(), [liveDelivery]);
    assert.equal((await page(`${base}/webhooks/events`)).match(/data-event-id=/g)?.length, 1);
    const overview = await page(base);
    assert.match(overview, /data-count="sessions">1 session /);
    assert.match(overview, /data-count="endpoints">1 webhook endpoint /);
    // A garbage mode is ignored (the remembered choice stays).
    assert.match(await page(`${base}/sessions?mode=prod`), /class="mode-switch mode-live"/);
  } finally {
    await w.world.close();
  }
});

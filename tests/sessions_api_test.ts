/**
 * docs/api.md over HTTP: create (shape, idempotency), read, organization scoping, auth and
 * scopes, the integrator cancel, lists (newest first, cursors, filters), attempts and analytics.
 * Every response is validated against `/openapi.json` by the fixture's client.
 */
import assert from "node:assert/strict";
import {
  assertError,
  createSessionViaApi,
  jsonHeaders,
  postJson,
  sessionsWorld,
} from "./support/sessions.ts";
import { bearer, seedApiKey, seedOrganization } from "./support/app.ts";
import { setApiKeyStatus } from "../lib/api_keys/api_keys.ts";
import { newId } from "../lib/core/ids.ts";

Deno.test("POST /v1/sessions returns the session object of seed 002, the token only once", async () => {
  const world = await sessionsWorld({ mode: "live" });
  try {
    const response = await postJson(world, "/v1/sessions?include_attempts=true", {});
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /application\/json/);
    assert.ok(response.headers.get("x-request-id"));
    const { data, error } = await response.json();
    assert.equal(error, null);
    assert.match(data.id, /^vs_[a-z0-9]{64}$/);
    assert.equal(data.object, "verification_session");
    assert.equal(data.mode, "live");
    assert.equal(data.status, "created");
    assert.equal(data.outcome, null);
    assert.equal(data.contract_version, 1);
    assert.deepEqual(data.attempts, []);
    assert.equal(data.attempts_used, 0);
    assert.equal(data.attempts_remaining, 3);
    assert.match(data.cancel_token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(
      data.verification_url,
      `http://127.0.0.1:8787/verify/${data.id}?cancel_token=${data.cancel_token}`,
    );
    const read = await (await world.request(`/v1/sessions/${data.id}`, { headers: world.auth }))
      .json();
    assert.equal(read.data.cancel_token, undefined);
    assert.equal(read.data.attempts, undefined);
    assert.equal(read.data.verification_url, `http://127.0.0.1:8787/verify/${data.id}`);
    const { cancel_token: _, attempts: __, verification_url: ___, ...rest } = data;
    const { verification_url: ____, ...readRest } = read.data;
    assert.deepEqual(readRest, rest);
  } finally {
    await world.close();
  }
});

Deno.test("auth and scopes: 401 without or with a disabled key, 403 without the scope, 404 across organizations", async () => {
  const world = await sessionsWorld({ scopes: ["sessions:read"] });
  try {
    await assertError(await world.request("/v1/sessions"), 401, "UNAUTHORIZED");
    await assertError(await postJson(world, "/v1/sessions", {}), 403, "FORBIDDEN");
    await assertError(
      await world.request("/v1/analytics/sessions/overview", { headers: world.auth }),
      403,
      "FORBIDDEN",
    );
    assert.equal((await world.request("/v1/sessions", { headers: world.auth })).status, 200);
    const disabled = await seedApiKey(world.deps, world.orgId);
    await setApiKeyStatus(world.deps.kv, world.orgId, disabled.id, "disabled");
    await assertError(
      await world.request("/v1/sessions", { headers: bearer(disabled.secret) }),
      401,
      "UNAUTHORIZED",
    );
    const writer = await seedApiKey(world.deps, world.orgId, { scopes: ["sessions:write"] });
    const created = await postJson(world, "/v1/sessions", {}, {
      ...bearer(writer.secret),
      "content-type": "application/json",
    });
    const id = (await created.json()).data.id;
    assert.equal(
      (await world.request(`/v1/sessions/${id}`, { headers: bearer(writer.secret) })).status,
      200,
    );
    const other = await seedOrganization(world.deps);
    const stranger = await seedApiKey(world.deps, other.org.id);
    await assertError(
      await world.request(`/v1/sessions/${id}`, { headers: bearer(stranger.secret) }),
      404,
      "NOT_FOUND",
    );
    await assertError(
      await world.request(`/v1/sessions/${id}/cancel`, {
        method: "POST",
        headers: bearer(stranger.secret),
      }),
      404,
      "NOT_FOUND",
    );
    await assertError(
      await world.request(`/v1/sessions/vs_short`, { headers: world.auth }),
      404,
      "NOT_FOUND",
    );
    await assertError(
      await world.request("/v1/sessions", { method: "PUT", headers: world.auth }),
      405,
      "METHOD_NOT_ALLOWED",
    );
  } finally {
    await world.close();
  }
});

Deno.test("POST /v1/sessions: unknown body fields and a bad webhook endpoint id are refused", async () => {
  const world = await sessionsWorld();
  try {
    await assertError(
      await postJson(world, "/v1/sessions", { redirect: "https://x.example" }),
      400,
      "BAD_REQUEST",
    );
    await assertError(
      await postJson(world, "/v1/sessions", { redirect_url: 5 }),
      400,
      "BAD_REQUEST",
    );
    const malformed = await assertError(
      await postJson(world, "/v1/sessions", { webhook_endpoint_id: "whe_x" }),
      404,
      "NOT_FOUND",
    );
    assert.match(malformed.message, /webhook_endpoint_id/);
    const response = await world.request("/v1/sessions", {
      method: "POST",
      headers: jsonHeaders(world),
      body: "{not json",
    });
    await assertError(response, 400, "BAD_REQUEST");
  } finally {
    await world.close();
  }
});

Deno.test("POST /v1/sessions: webhook_endpoint_id must name an endpoint of the organization and mode", async () => {
  const world = await sessionsWorld();
  try {
    const endpoint = await postJson(world, "/v1/webhooks/endpoints", {
      name: "hooks",
      url: "https://hooks.example.com/in",
    });
    const endpointId = (await endpoint.json()).data.endpoint.id;
    const session = await createSessionViaApi(world, { webhook_endpoint_id: endpointId });
    assert.equal(session.webhook_endpoint_id, endpointId);
    await assertError(
      await postJson(world, "/v1/sessions", { webhook_endpoint_id: newId("whe") }),
      404,
      "NOT_FOUND",
    );
    const other = await seedOrganization(world.deps);
    const stranger = await seedApiKey(world.deps, other.org.id);
    await assertError(
      await postJson(world, "/v1/sessions", { webhook_endpoint_id: endpointId }, {
        ...bearer(stranger.secret),
        "content-type": "application/json",
      }),
      404,
      "NOT_FOUND",
    );
    // The same organization's live key cannot name the test endpoint (its events would never
    // reach it: endpoints receive only the events of their own mode).
    const live = await seedApiKey(world.deps, world.orgId, { mode: "live" });
    const crossMode = await assertError(
      await postJson(world, "/v1/sessions", { webhook_endpoint_id: endpointId }, {
        ...bearer(live.secret),
        "content-type": "application/json",
      }),
      404,
      "NOT_FOUND",
    );
    assert.match(crossMode.message, /webhook_endpoint_id.*live mode/);
  } finally {
    await world.close();
  }
});

Deno.test("POST /v1/sessions/:id/cancel is idempotent and emits one cancelled event", async () => {
  const world = await sessionsWorld();
  try {
    const { id } = await createSessionViaApi(world);
    const first = await postJson(world, `/v1/sessions/${id}/cancel`, {});
    assert.equal(first.status, 200);
    const cancelled = (await first.json()).data;
    assert.equal(cancelled.status, "cancelled");
    assert.equal(cancelled.outcome, null);
    world.clock.advance(5000);
    const again = (await (await postJson(world, `/v1/sessions/${id}/cancel`, {})).json()).data;
    assert.deepEqual(again, cancelled);
  } finally {
    await world.close();
  }
});

Deno.test("Idempotency-Key: replay, conflict, concurrency, per-organization, 24 h", async () => {
  const world = await sessionsWorld();
  try {
    const headers = jsonHeaders(world, { "idempotency-key": "order-42" });
    const body = { share_fields: { date_of_birth: { required: true, reason: "Age" } } };
    const first = await postJson(world, "/v1/sessions", body, headers);
    const firstBody = await first.json();
    const replay = await postJson(world, "/v1/sessions", body, headers);
    assert.equal(replay.status, 200);
    assert.equal(replay.headers.get("idempotent-replayed"), "true");
    assert.deepEqual(await replay.json(), firstBody);
    await assertError(await postJson(world, "/v1/sessions", {}, headers), 409, "CONFLICT");
    await assertError(
      await postJson(world, "/v1/sessions", body, jsonHeaders(world, { "idempotency-key": "" })),
      400,
      "BAD_REQUEST",
    );
    const racing = jsonHeaders(world, { "idempotency-key": "race" });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => postJson(world, "/v1/sessions", {}, racing)),
    );
    const created = new Set<string>();
    for (const r of results) {
      assert.ok([200, 409].includes(r.status));
      const json = await r.json();
      if (r.status === 200) created.add(json.data.id);
    }
    assert.equal(created.size, 1);
    const list = await (await world.request("/v1/sessions?limit=100", { headers: world.auth }))
      .json();
    assert.equal(list.data.length, 2);
    const other = await seedOrganization(world.deps);
    const stranger = await seedApiKey(world.deps, other.org.id);
    const elsewhere = await postJson(world, "/v1/sessions", body, {
      ...bearer(stranger.secret),
      "content-type": "application/json",
      "idempotency-key": "order-42",
    });
    assert.notEqual((await elsewhere.json()).data.id, firstBody.data.id);
    world.clock.advance(24 * 3600_000 - 1000);
    assert.equal(
      (await postJson(world, "/v1/sessions", body, headers)).headers.get("idempotent-replayed"),
      "true",
    );
    world.clock.advance(1000);
    const fresh = await postJson(world, "/v1/sessions", {}, headers);
    assert.equal(fresh.status, 200);
    assert.equal(fresh.headers.get("idempotent-replayed"), null);
    assert.notEqual((await fresh.json()).data.id, firstBody.data.id);
  } finally {
    await world.close();
  }
});

Deno.test("GET /v1/sessions: newest first, cursor pages, filters and their errors", async () => {
  const world = await sessionsWorld();
  try {
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) {
      ids.push((await createSessionViaApi(world)).id);
      world.clock.advance(60_000);
    }
    const newest = [...ids].reverse();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=10&starting_after=${cursor}` : "?limit=10";
      const page = await (await world.request(`/v1/sessions${query}`, { headers: world.auth }))
        .json();
      seen.push(...page.data.map((s: { id: string }) => s.id));
      assert.equal(page.pagination.limit, 10);
      cursor = page.pagination.next_cursor;
      assert.equal(page.pagination.has_more, cursor !== null);
    } while (cursor);
    assert.deepEqual(seen, newest);
    const byDefault = await (await world.request("/v1/sessions", { headers: world.auth })).json();
    assert.equal(byDefault.data.length, 10);
    await postJson(world, `/v1/sessions/${ids[3]}/cancel`, {});
    const cancelled =
      await (await world.request("/v1/sessions?status=cancelled", { headers: world.auth })).json();
    assert.deepEqual(cancelled.data.map((s: { id: string }) => s.id), [ids[3]]);
    const start = new Date(Date.parse("2026-06-01T12:00:00Z") + 5 * 60_000).toISOString();
    const end = new Date(Date.parse("2026-06-01T12:00:00Z") + 7 * 60_000).toISOString();
    const range =
      await (await world.request(`/v1/sessions?created_from=${start}&created_to=${end}`, {
        headers: world.auth,
      })).json();
    assert.deepEqual(range.data.map((s: { id: string }) => s.id), [ids[7], ids[6], ids[5]]);
    const day = await (await world.request("/v1/sessions?created_to=2026-06-01&limit=100", {
      headers: world.auth,
    })).json();
    assert.equal(day.data.length, 25);
    const withAttempts = await (await world.request("/v1/sessions?limit=1&include_attempts=true", {
      headers: world.auth,
    })).json();
    assert.deepEqual(withAttempts.data[0].attempts, []);
    const other = await seedOrganization(world.deps);
    const stranger = await seedApiKey(world.deps, other.org.id);
    const foreign = (await (await postJson(world, "/v1/sessions", {}, {
      ...bearer(stranger.secret),
      "content-type": "application/json",
    })).json()).data.id;
    await assertError(
      await world.request(`/v1/sessions?starting_after=${foreign}`, { headers: world.auth }),
      400,
      "INVALID_REQUEST",
    );
    await assertError(
      await world.request(`/v1/sessions?starting_after=vs_unknown`, { headers: world.auth }),
      400,
      "INVALID_REQUEST",
    );
    await assertError(
      await world.request(`/v1/sessions?created_from=${end}&created_to=${start}`, {
        headers: world.auth,
      }),
      400,
      "INVALID_REQUEST",
    );
    await assertError(
      await world.request("/v1/sessions?created_from=yesterday", { headers: world.auth }),
      400,
      "BAD_REQUEST",
    );
    // Shaped right but not on the calendar: read as another day, they would filter another range.
    for (
      const date of [
        "2026-02-30",
        "2025-02-29",
        "2026-04-31",
        "2026-13-01",
        "2026-02-31T00:00:00Z",
        "2026-06-01T24:00:00Z",
        "2026-06-01T12:60:00Z",
        "2026-06-01T12:00:00+24:00",
      ]
    ) {
      await assertError(
        await world.request(`/v1/sessions?created_to=${encodeURIComponent(date)}`, {
          headers: world.auth,
        }),
        400,
        "BAD_REQUEST",
      );
    }
    for (const date of ["2024-02-29", "2026-06-01T23:59:59.999+05:30"]) {
      const response = await world.request(
        `/v1/sessions?created_to=${encodeURIComponent(date)}`,
        { headers: world.auth },
      );
      assert.equal(response.status, 200, date);
      await response.body?.cancel();
    }
    await assertError(
      await world.request("/v1/sessions?limit=0", { headers: world.auth }),
      400,
      "BAD_REQUEST",
    );
    await assertError(
      await world.request("/v1/sessions?limit=101", { headers: world.auth }),
      400,
      "BAD_REQUEST",
    );
    await assertError(
      await world.request("/v1/sessions?status=done", { headers: world.auth }),
      400,
      "BAD_REQUEST",
    );
  } finally {
    await world.close();
  }
});

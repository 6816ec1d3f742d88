/**
 * `GET /v1/sessions/attempts` (attempts across sessions: filters, cursor) and
 * `GET /v1/analytics/sessions/overview` (counts by status and outcome, 14-day trend), with every
 * response validated against `/openapi.json`.
 */
import assert from "node:assert/strict";
import { assertError, createSessionViaApi, postJson, sessionsWorld } from "./support/sessions.ts";
import { claimAttempt, completeAttempt, createAttempt } from "../lib/sessions/attempts.ts";

Deno.test("GET /v1/sessions/attempts: across sessions, filters, cursor", async () => {
  const world = await sessionsWorld();
  try {
    const a = (await createSessionViaApi(world)).id;
    const b = (await createSessionViaApi(world)).id;
    const first = await createAttempt(world.deps, a);
    await claimAttempt(world.deps, first.attempt.id, { deviceId: "p" });
    await completeAttempt(world.deps, first.attempt.id, {
      outcome: "failed",
      failureCode: "document_expired",
      riskScore: 0.7,
    });
    world.clock.advance(1000);
    const second = await createAttempt(world.deps, b);
    world.clock.advance(1000);
    const third = await createAttempt(world.deps, a);
    const all = await (await world.request("/v1/sessions/attempts", { headers: world.auth }))
      .json();
    assert.deepEqual(all.data.map((x: { id: string }) => x.id), [
      third.attempt.id,
      second.attempt.id,
      first.attempt.id,
    ]);
    assert.equal(all.data[2].failure_code, "document_expired");
    assert.equal(all.data[2].risk_score, 0.7);
    const ofA = await (await world.request(`/v1/sessions/attempts?session_id=${a}&limit=1`, {
      headers: world.auth,
    })).json();
    assert.deepEqual(ofA.data.map((x: { id: string }) => x.id), [third.attempt.id]);
    assert.equal(ofA.pagination.has_more, true);
    const next = await (await world.request(
      `/v1/sessions/attempts?session_id=${a}&starting_after=${ofA.pagination.next_cursor}`,
      { headers: world.auth },
    )).json();
    assert.deepEqual(next.data.map((x: { id: string }) => x.id), [first.attempt.id]);
    const failed =
      await (await world.request("/v1/sessions/attempts?status=failed", { headers: world.auth }))
        .json();
    assert.deepEqual(failed.data.map((x: { id: string }) => x.id), [first.attempt.id]);
    const paged = await (await world.request(
      `/v1/sessions/attempts?limit=1&starting_after=${third.attempt.id}`,
      { headers: world.auth },
    )).json();
    assert.deepEqual(paged.data.map((x: { id: string }) => x.id), [second.attempt.id]);
    await assertError(
      await world.request("/v1/sessions/attempts?starting_after=va_nope", { headers: world.auth }),
      400,
      "INVALID_REQUEST",
    );
  } finally {
    await world.close();
  }
});

Deno.test("GET /v1/analytics/sessions/overview: counts by status and outcome, 14-day trend", async () => {
  const world = await sessionsWorld();
  try {
    const yesterday = (await createSessionViaApi(world)).id;
    await postJson(world, `/v1/sessions/${yesterday}/cancel`, {});
    world.clock.advance(24 * 3600_000);
    const won = (await createSessionViaApi(world)).id;
    const { attempt } = await createAttempt(world.deps, won);
    await claimAttempt(world.deps, attempt.id, { deviceId: "p" });
    await completeAttempt(world.deps, attempt.id, {
      outcome: "succeeded",
      riskScore: 0,
      claims: {},
      selectedFieldKeys: [],
    });
    const running = (await createSessionViaApi(world)).id;
    const r = await createAttempt(world.deps, running);
    await claimAttempt(world.deps, r.attempt.id, { deviceId: "q" });
    await createSessionViaApi(world);
    await createSessionViaApi(world);
    const response = await world.request("/v1/analytics/sessions/overview", {
      headers: world.auth,
    });
    assert.equal(response.status, 200);
    const { data } = await response.json();
    assert.equal(data.total, 5);
    assert.deepEqual(data.by_status, {
      created: 2,
      in_progress: 1,
      completed: 1,
      expired: 0,
      cancelled: 1,
    });
    assert.deepEqual(data.by_outcome, { succeeded: 1, failed: 0 });
    assert.equal(data.daily.length, 14);
    assert.deepEqual(data.daily.at(-1), {
      date: "2026-06-02",
      created: 4,
      succeeded: 1,
      failed: 0,
      expired: 0,
      cancelled: 0,
    });
    assert.deepEqual(data.daily.at(-2), {
      date: "2026-06-01",
      created: 1,
      succeeded: 0,
      failed: 0,
      expired: 0,
      cancelled: 1,
    });
    world.clock.advance(3600_000);
    const later =
      (await (await world.request("/v1/analytics/sessions/overview", { headers: world.auth }))
        .json()).data;
    assert.deepEqual(later.by_status, {
      created: 0,
      in_progress: 0,
      completed: 1,
      expired: 3,
      cancelled: 1,
    });
  } finally {
    await world.close();
  }
});

/**
 * `POST /v1/test_helpers/sessions/:id/expire` over HTTP (docs/api.md "Test helpers"): a test
 * session ends `expired` at once with exactly one `verification.session.expired` event and its
 * `expires_at` moved to now; calling again changes nothing; live keys are refused (403
 * `TEST_MODE_ONLY`), a live session is not visible to a test key (404), unknown ids are 404.
 * Every response is checked against `/openapi.json`.
 */
import assert from "node:assert/strict";
import { seedApiKey } from "./support/app.ts";
import {
  assertError,
  createSessionViaApi,
  eventTypes,
  postJson,
  sessionsWorld,
} from "./support/sessions.ts";

Deno.test("test helper expire: ends a test session now with one expired event", async () => {
  const world = await sessionsWorld({ mode: "test" });
  try {
    const session = await createSessionViaApi(world);
    const before = Date.parse(session.expires_at);
    const path = `/v1/test_helpers/sessions/${session.id}/expire`;
    const first = await postJson(world, path, undefined);
    assert.equal(first.status, 200);
    const expired = (await first.json()).data;
    assert.equal(expired.status, "expired");
    assert.ok(Date.parse(expired.expires_at) < before, "expires_at moved to now");
    assert.equal(expired.expires_at, world.clock.now().toISOString());
    const types = await eventTypes(world, session.id);
    assert.equal(types.filter((t) => t === "verification.session.expired").length, 1);
    assert.equal(types.at(-1), "verification.session.expired");
    // Idempotent: the second call returns the ended session and emits nothing.
    const second = await postJson(world, path, undefined);
    assert.equal(second.status, 200);
    assert.equal((await second.json()).data.status, "expired");
    assert.deepEqual(await eventTypes(world, session.id), types);
    // The API read shows it expired too.
    const got = await world.request(`/v1/sessions/${session.id}`, { headers: world.auth });
    assert.equal((await got.json()).data.status, "expired");
    // A cancelled session stays cancelled.
    const other = await createSessionViaApi(world);
    await postJson(world, `/v1/sessions/${other.id}/cancel`, undefined);
    const after = await postJson(world, `/v1/test_helpers/sessions/${other.id}/expire`, undefined);
    assert.equal((await after.json()).data.status, "cancelled");
    await assertError(
      await postJson(world, `/v1/test_helpers/sessions/vs_${"0".repeat(64)}/expire`, undefined),
      404,
      "NOT_FOUND",
    );
    await assertError(
      await postJson(world, `/v1/test_helpers/sessions/nonsense/expire`, undefined),
      404,
      "NOT_FOUND",
    );
  } finally {
    await world.close();
  }
});

Deno.test("test helper expire: live keys are refused; live sessions are invisible", async () => {
  const world = await sessionsWorld({ mode: "live" });
  try {
    const live = await createSessionViaApi(world);
    const path = `/v1/test_helpers/sessions/${live.id}/expire`;
    await assertError(await postJson(world, path, undefined), 403, "TEST_MODE_ONLY");
    const { secret } = await seedApiKey(world.deps, world.orgId, { mode: "test" });
    const headers = { authorization: `Bearer ${secret}`, "content-type": "application/json" };
    await assertError(await postJson(world, path, undefined, headers), 404, "NOT_FOUND");
    const got = await world.request(`/v1/sessions/${live.id}`, { headers: world.auth });
    assert.equal((await got.json()).data.status, "created");
  } finally {
    await world.close();
  }
});

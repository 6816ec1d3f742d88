/**
 * The migration to mode-scoped indexes (`lib/migrations/mode_indexes.ts`): data written the old
 * way — `[…_by_org, orgId, …]` indexes, attempts without a mode, counters of both modes together,
 * idempotency records per organization only — is rewritten so that the mode-scoped lists,
 * analytics and lookups of the current code read it, and running again changes nothing.
 */
import assert from "node:assert/strict";
import { bearer, seedApiKey } from "./support/app.ts";
import { postJson, sessionsWorld } from "./support/sessions.ts";
import { createAttempt } from "../lib/sessions/attempts.ts";
import { type AttemptRecord, sessionKeys, type SessionRecord } from "../lib/sessions/types.ts";
import { migrateModeIndexes } from "../lib/migrations/mode_indexes.ts";
import { MIGRATIONS, runMigrations } from "../lib/migrations/mod.ts";
import { coreKeys } from "../lib/core/kv.ts";
import { createLogger } from "../lib/core/logger.ts";

/** Rewrites every mode-scoped key of the KV back into the layout of the previous release. */
async function downgradeToOldLayout(kv: Deno.Kv): Promise<void> {
  const rewrite = async (prefix: string, newLength: number, drop: number) => {
    for await (const e of kv.list({ prefix: [prefix] })) {
      if (e.key.length !== newLength) continue;
      const old = [...e.key.slice(0, drop), ...e.key.slice(drop + 1)];
      // Index entries of that release held the record's id (events' now hold the event).
      const value = typeof e.value === "object" && e.value && "id" in e.value
        ? e.value.id
        : e.value;
      await kv.atomic().delete(e.key).set(old, value).commit();
    }
  };
  await rewrite("sessions_by_org", 5, 2);
  await rewrite("sessions_by_org_status", 6, 2);
  await rewrite("attempts_by_org", 5, 2);
  await rewrite("events_by_org", 5, 2);
  await rewrite("webhook_deliveries_by_org", 5, 2);
  await rewrite("webhook_endpoints_by_org", 4, 2);
  await rewrite("idempotency", 4, 2);
  // Counters of both modes summed into one, as the previous release counted them.
  for (const [prefix, length] of [["session_counters", 4], ["session_daily", 5]] as const) {
    const sums = new Map<string, bigint>();
    for await (const e of kv.list<Deno.KvU64>({ prefix: [prefix] })) {
      if (e.key.length !== length) continue;
      const old = JSON.stringify([...e.key.slice(0, 2), ...e.key.slice(3)]);
      sums.set(old, (sums.get(old) ?? 0n) + e.value.value);
      await kv.delete(e.key);
    }
    for (const [k, n] of sums) await kv.set(JSON.parse(k), new Deno.KvU64(n));
  }
  for await (const e of kv.list<AttemptRecord>({ prefix: ["attempts"] })) {
    const { mode: _mode, ...old } = e.value;
    await kv.set(e.key, old);
  }
}

Deno.test("old-layout indexes, attempts and counters are migrated and read per mode", async () => {
  const world = await sessionsWorld({ mode: "test" });
  try {
    const live = await seedApiKey(world.deps, world.orgId, { mode: "live" });
    const liveHeaders = { ...bearer(live.secret), "content-type": "application/json" };
    const testHeaders = { ...world.auth, "content-type": "application/json" };
    const endpoint = await postJson(world, "/v1/webhooks/endpoints", {
      name: "live",
      url: "https://hooks.example.com/live",
    }, liveHeaders);
    const endpointId = (await endpoint.json()).data.endpoint.id;
    const create = async (headers: Record<string, string>) =>
      (await (await postJson(world, "/v1/sessions", {}, headers)).json()).data;
    // One second apart: lists are newest first, and equal times would order by random id.
    const liveSession = await create(liveHeaders);
    world.clock.advance(1000);
    const testSession = await create({ ...testHeaders, "idempotency-key": "k1" });
    world.clock.advance(1000);
    const cancelled = await create(liveHeaders);
    await postJson(world, `/v1/sessions/${cancelled.id}/cancel`, {}, liveHeaders);
    const testAttempt = (await createAttempt(world.deps, testSession.id)).attempt;

    const kv = world.deps.kv;
    await downgradeToOldLayout(kv);
    // The downgrade really produced the old layout: the mode-scoped lists see nothing.
    const ids = async (path: string, headers: Record<string, string>) =>
      ((await (await world.request(path, { headers })).json()).data as Array<{ id: string }>)
        .map((x) => x.id);
    assert.deepEqual(await ids("/v1/sessions", liveHeaders), []);

    const report = await migrateModeIndexes(world.deps);
    assert.deepEqual(report, {
      sessions: 3,
      sessionStatuses: 3,
      attempts: 1,
      events: 1,
      deliveries: 1,
      endpoints: 1,
      idempotency: 1,
      counterOrgs: 1,
    });
    assert.deepEqual(await ids("/v1/sessions", liveHeaders), [cancelled.id, liveSession.id]);
    assert.deepEqual(await ids("/v1/sessions", testHeaders), [testSession.id]);
    assert.deepEqual(await ids("/v1/sessions?status=cancelled", liveHeaders), [cancelled.id]);
    assert.deepEqual(await ids("/v1/sessions/attempts", testHeaders), [testAttempt.id]);
    assert.deepEqual(await ids("/v1/sessions/attempts", liveHeaders), []);
    const attempt = (await kv.get<AttemptRecord>(sessionKeys.attempt(testAttempt.id))).value!;
    assert.equal(attempt.mode, "test");
    assert.equal((await ids("/v1/webhooks/events", liveHeaders)).length, 1);
    assert.equal((await ids("/v1/webhooks/deliveries", liveHeaders)).length, 1);
    assert.deepEqual(await ids("/v1/webhooks/endpoints", liveHeaders), [endpointId]);
    assert.deepEqual(await ids("/v1/webhooks/endpoints", testHeaders), []);

    const overview = async (headers: Record<string, string>) =>
      (await (await world.request("/v1/analytics/sessions/overview", { headers })).json()).data;
    const liveOverview = await overview(liveHeaders);
    assert.equal(liveOverview.total, 2);
    assert.equal(liveOverview.by_status.created, 1);
    assert.equal(liveOverview.by_status.cancelled, 1);
    assert.equal(liveOverview.daily.at(-1).created, 2);
    assert.equal(liveOverview.daily.at(-1).cancelled, 1);
    const testOverview = await overview(testHeaders);
    assert.equal(testOverview.total, 1);
    assert.equal(testOverview.by_status.created, 1);
    // Counters keep counting after the migration: a live session ends, the counts move.
    await postJson(world, `/v1/sessions/${liveSession.id}/cancel`, {}, liveHeaders);
    const moved = await overview(liveHeaders);
    assert.equal(moved.by_status.created, 0);
    assert.equal(moved.by_status.cancelled, 2);

    // Nothing is left in the old layout, and a second run changes nothing.
    for await (const e of kv.list({ prefix: ["session_counters"] })) assert.equal(e.key.length, 4);
    const again = await migrateModeIndexes(world.deps);
    assert.ok(Object.values(again).every((n) => n === 0), JSON.stringify(again));
    const stored = (await kv.get<SessionRecord>(sessionKeys.session(liveSession.id))).value!;
    assert.equal(stored.status, "cancelled");
  } finally {
    await world.close();
  }
});

Deno.test("runMigrations runs each migration once per KV, recorded in KV", async () => {
  const world = await sessionsWorld();
  try {
    let runs = 0;
    const counting = [{ name: "test_counting", run: () => Promise.resolve({ n: ++runs }) }];
    assert.deepEqual(await runMigrations(world.deps, counting), ["test_counting"]);
    assert.deepEqual(await runMigrations(world.deps, counting), []);
    assert.equal(runs, 1);
    // Two instances starting together on one KV: the migration runs once.
    runs = 0;
    const together = [{ name: "test_together", run: () => Promise.resolve({ n: ++runs }) }];
    await Promise.all([
      runMigrations(world.deps, together),
      runMigrations(world.deps, together),
    ]);
    assert.equal(runs, 1);
    assert.deepEqual(await runMigrations(world.deps), MIGRATIONS.map((m) => m.name));
    for (const m of MIGRATIONS) {
      assert.ok((await world.deps.kv.get(coreKeys.migration(m.name))).value);
    }
  } finally {
    await world.close();
  }
});

Deno.test("a start waiting for a lease left by a stopped instance says so, then migrates", async () => {
  const world = await sessionsWorld();
  const lines: string[] = [];
  world.deps.logger = createLogger({ sink: (line) => lines.push(line) });
  try {
    // An instance stopped mid-migration: its lease stays until it expires (10 minutes).
    const until = world.clock.now().getTime() + 10 * 60_000;
    await world.deps.kv.set(coreKeys.lease("migration:test_left"), {
      holder: "migrate_stopped",
      expiresAt: until,
    });
    let runs = 0;
    const left = [{ name: "test_left", run: () => Promise.resolve({ n: ++runs }) }];
    const started = runMigrations(world.deps, left);
    for (let i = 0; i < 200 && !lines.some((l) => l.includes("migration.waiting")); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const waiting = JSON.parse(lines.find((l) => l.includes("migration.waiting"))!);
    assert.equal(waiting.migration, "test_left");
    assert.equal(waiting.held_by, "migrate_stopped");
    assert.equal(waiting.until, new Date(until).toISOString());
    assert.equal(runs, 0, "it waits");
    world.clock.advance(10 * 60_000);
    assert.deepEqual(await started, ["test_left"]);
    assert.equal(runs, 1);
  } finally {
    await world.close();
  }
});

/**
 * Lists read one page of an index and reads don't write (docs/performance.md): pages follow each
 * other through the KV cursor without loss or repeat, the type index is backfilled for events
 * written before it existed, and a list of one organization never expires another's sessions.
 */
import assert from "node:assert/strict";
import { seedApiKey, seedOrganization } from "./support/app.ts";
import { sessionsWorld } from "./support/sessions.ts";
import { writeEvent } from "./support/webhooks.ts";
import { listOrgEvents } from "../webhooks/events_query.ts";
import { migrateEventTypeIndex } from "../lib/migrations/event_type_index.ts";
import { createSession } from "../lib/sessions/sessions.ts";
import { expireDueSessions } from "../lib/sessions/expiry_sweep.ts";
import { eventKeys, type EventRecord } from "../lib/events/events.ts";
import { sessionKeys } from "../lib/sessions/types.ts";

const MINUTE = 60_000;

Deno.test("the event list pages through the index with cursors, newest first", async () => {
  const world = await sessionsWorld();
  try {
    const written: string[] = [];
    for (let i = 0; i < 35; i++) {
      const type = i % 3 === 0 ? "verification.session.failed" : "verification.session.succeeded";
      written.push((await writeEvent(world.deps, world.orgId, { type })).id);
      world.clock.advance(1000);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const q: string = cursor ? `&starting_after=${cursor}` : "";
      const res = await world.request(`/v1/webhooks/events?limit=10${q}`, { headers: world.auth });
      assert.equal(res.status, 200);
      const body = await res.json();
      seen.push(...body.data.map((e: { id: string }) => e.id));
      cursor = body.pagination.next_cursor;
      assert.equal(body.pagination.has_more, cursor !== null);
      if (!cursor) break;
    }
    assert.deepEqual(seen, [...written].reverse());
    const failed = await world.request(
      "/v1/webhooks/events?limit=100&type=verification.session.failed",
      { headers: world.auth },
    );
    assert.equal((await failed.json()).data.length, 12);
    const bad = await world.request(
      `/v1/webhooks/events?starting_after=evt_${"z".repeat(24)}`,
      { headers: world.auth },
    );
    assert.equal(bad.status, 400);
  } finally {
    await world.close();
  }
});

Deno.test("a page of events is one range read: the index holds the event; older entries hold its id", async () => {
  const world = await sessionsWorld();
  try {
    const written: EventRecord[] = [];
    for (let i = 0; i < 14; i++) {
      written.push(
        await writeEvent(world.deps, world.orgId, { type: "verification.session.failed" }),
      );
      world.clock.advance(1000);
    }
    // Half of them as an earlier version wrote them: the index entries hold the id.
    for (const e of written.slice(0, 7)) {
      await world.deps.kv.atomic().set(eventKeys.byOrg(e), e.id).set(eventKeys.byOrgType(e), e.id)
        .commit();
    }
    // The newer half is listed from the index alone: their `events` records are not read.
    for (const e of written.slice(7)) await world.deps.kv.delete(eventKeys.event(e.id));
    const scope = { orgId: world.orgId, mode: "test" as const };
    const newestFirst = [...written].reverse().map((e) => e.id);
    for (const type of [undefined, "verification.session.failed" as const]) {
      const page = await listOrgEvents(world.deps.kv, scope, { type, limit: 5 });
      assert.deepEqual(page.items.map((e) => e.id), newestFirst.slice(0, 5), type ?? "all");
      assert.equal(page.hasMore, true);
    }
    const all = await listOrgEvents(world.deps.kv, scope, { limit: 100 });
    assert.deepEqual(all.items.map((e) => e.id), newestFirst);
    assert.deepEqual(all.items.at(-1), written[0], "an id entry is read through its record");
  } finally {
    await world.close();
  }
});

Deno.test("events written before the type index are backfilled by the migration", async () => {
  const world = await sessionsWorld();
  try {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      ids.push(
        (await writeEvent(world.deps, world.orgId, { type: "verification.session.failed" })).id,
      );
      world.clock.advance(1000);
    }
    // The previous release wrote no `events_by_org_type` entry.
    for await (const e of world.deps.kv.list({ prefix: ["events_by_org_type"] })) {
      await world.deps.kv.delete(e.key);
    }
    const scope = { orgId: world.orgId, mode: "test" as const };
    const filter = { type: "verification.session.failed" as const, limit: 100 };
    assert.equal((await listOrgEvents(world.deps.kv, scope, filter)).items.length, 0);
    assert.deepEqual(await migrateEventTypeIndex(world.deps), { events: 7 });
    const page = await listOrgEvents(world.deps.kv, scope, filter);
    assert.deepEqual(page.items.map((e) => e.id), [...ids].reverse());
    // Running again changes nothing.
    await migrateEventTypeIndex(world.deps);
    assert.equal((await listOrgEvents(world.deps.kv, scope, filter)).items.length, 7);
  } finally {
    await world.close();
  }
});

Deno.test("lists of one organization leave another's 3 000 due sessions to the sweep", async () => {
  const world = await sessionsWorld();
  try {
    const other = (await seedOrganization(world.deps)).org.id;
    await seedApiKey(world.deps, other);
    const input = { shareFields: {}, redirectUrl: null, webhookEndpointId: null };
    const writes = [];
    for (let i = 0; i < 3000; i++) {
      writes.push(createSession(world.deps, { orgId: other, mode: "test", ...input }));
      if (writes.length === 100) await Promise.all(writes.splice(0));
    }
    await Promise.all(writes);
    const mine = await createSession(world.deps, { orgId: world.orgId, mode: "test", ...input });
    world.clock.advance(61 * MINUTE);
    const paths = [
      "/v1/sessions?limit=10",
      "/v1/sessions?limit=10&status=expired",
      "/v1/sessions/attempts?limit=10",
      "/v1/sessions/attempts?limit=10&status=in_progress",
      "/v1/webhooks/events?limit=10",
      "/v1/analytics/sessions/overview",
      `/v1/sessions/${mine.session.id}`,
    ];
    for (const path of paths) {
      const res = await world.request(path, { headers: world.auth });
      assert.equal(res.status, 200, path);
      await res.body?.cancel();
    }
    let stillCreated = 0;
    for await (
      const _ of world.deps.kv.list({
        prefix: sessionKeys.byOrgStatusPrefix({ orgId: other, mode: "test" }, "created"),
      })
    ) stillCreated++;
    assert.equal(stillCreated, 3000);
    let otherEvents = 0;
    for await (
      const _ of world.deps.kv.list({
        prefix: eventKeys.byOrgPrefix({ orgId: other, mode: "test" }),
      })
    ) otherEvents++;
    assert.equal(otherEvents, 0);
    // Only the sweep ends them (and the own session a status-filtered list already expired).
    assert.equal(await expireDueSessions(world.deps), 3000);
  } finally {
    await world.close();
  }
});

/**
 * Sweeps that keep up (docs/performance.md, "Sweeps"): expiry and retention work through their
 * due indexes page after page until the backlog is empty, bounded per run, with an injected clock.
 */
import assert from "node:assert/strict";
import { sessionsWorld } from "./support/sessions.ts";
import { createSession, getSessionRecord } from "../lib/sessions/sessions.ts";
import { expireDueSessions, sweepDue } from "../lib/sessions/expiry_sweep.ts";
import { deleteEndedSessions, minimiseEndedSessions } from "../lib/sessions/retention.ts";
import { sessionKeys } from "../lib/sessions/types.ts";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

async function countPrefix(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

Deno.test("expiry and retention drain a backlog of 1 200 sessions, bounded per run", async () => {
  const world = await sessionsWorld();
  try {
    const input = { shareFields: {}, redirectUrl: null, webhookEndpointId: null };
    const ids: string[] = [];
    const pending = [];
    for (let i = 0; i < 1200; i++) {
      pending.push(createSession(world.deps, { orgId: world.orgId, mode: "test", ...input }));
      if (pending.length === 100) {
        ids.push(...(await Promise.all(pending.splice(0))).map((c) => c.session.id));
      }
    }
    world.clock.advance(61 * MINUTE);
    // A bounded run stops at its limit and says a backlog is left; the next one finishes.
    assert.deepEqual(await sweepDue(world.deps, { limit: 700 }), { expired: 700, backlog: true });
    assert.equal(await expireDueSessions(world.deps), 500);
    assert.equal(await countPrefix(world.deps.kv, sessionKeys.byExpiryPrefix()), 0);
    assert.equal((await getSessionRecord(world.deps.kv, ids[0]))!.status, "expired");

    world.clock.advance(7 * DAY);
    assert.equal(await minimiseEndedSessions(world.deps, { limit: 1000 }), 1000);
    assert.equal(await minimiseEndedSessions(world.deps), 200);
    assert.equal(await countPrefix(world.deps.kv, sessionKeys.toMinimisePrefix()), 0);
    assert.ok((await getSessionRecord(world.deps.kv, ids[1199]))!.minimisedAt);
    assert.equal(await countPrefix(world.deps.kv, sessionKeys.allCancelTokensPrefix()), 0);

    world.clock.advance(23 * DAY);
    assert.equal(await deleteEndedSessions(world.deps), 1200);
    assert.equal(await countPrefix(world.deps.kv, sessionKeys.allSessionsPrefix()), 0);
    assert.equal(await countPrefix(world.deps.kv, sessionKeys.allByOrgPrefix()), 0);
    assert.equal(await countPrefix(world.deps.kv, sessionKeys.toDeletePrefix()), 0);
    assert.equal(await deleteEndedSessions(world.deps), 0);
  } finally {
    await world.close();
  }
});

Deno.test("a due entry whose session is gone is dropped, not swept forever", async () => {
  const world = await sessionsWorld();
  try {
    await world.deps.kv.set(
      [...sessionKeys.byExpiryPrefix(), 1, `vs_${"b".repeat(64)}`],
      `vs_${"b".repeat(64)}`,
    );
    await world.deps.kv.set(
      [...sessionKeys.toDeletePrefix(), 1, `vs_${"c".repeat(64)}`],
      `vs_${"c".repeat(64)}`,
    );
    assert.equal(await expireDueSessions(world.deps), 0);
    assert.equal(await countPrefix(world.deps.kv, sessionKeys.byExpiryPrefix()), 0);
    assert.equal(await deleteEndedSessions(world.deps), 1);
    assert.equal(await countPrefix(world.deps.kv, sessionKeys.toDeletePrefix()), 0);
  } finally {
    await world.close();
  }
});

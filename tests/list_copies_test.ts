/**
 * The list indexes hold the record (docs/performance.md, "Lists read one page"): through every kind
 * of write a session, an attempt, an event and a delivery go through — creation, consent, claim,
 * verdicts, cancel, expiry (lazy, the sweep and the test helper), minimisation, deletion, webhook
 * tries that fail, retry and succeed, the payload scrub — every list index entry equals what a
 * list would make of its record now, its status key is the record's status, and every record has
 * its entries. A write of one of these records that skipped its writer would break this.
 */
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import { createSessionViaApi, postJson, sessionsWorld } from "./support/sessions.ts";
import { claimAttempt, completeAttempt, createAttempt } from "../lib/sessions/attempts.ts";
import { expireDueSessions } from "../lib/sessions/expiry_sweep.ts";
import { deleteEndedSessions, minimiseEndedSessions } from "../lib/sessions/retention.ts";
import { type AttemptRecord, sessionKeys, type SessionRecord } from "../lib/sessions/types.ts";
import { eventKeys, type EventRecord } from "../lib/events/events.ts";
import { deliveryListing, type DeliveryRecord, webhookKeys } from "../webhooks/model.ts";
import { deliveryOf, driveNextTry, getDelivery, world } from "./support/webhooks_world.ts";
import { waitFor, writeEvent } from "./support/webhooks.ts";
import { maintenanceRound } from "../webhooks/maintenance.ts";
import { listDeliveries } from "../webhooks/deliveries.ts";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

interface Index<R> {
  table: string;
  record: (id: string) => Deno.KvKey;
  /** What the entry must hold. */
  copy: (record: R) => unknown;
  /** Where the status is in the entry's key, for a status index. */
  statusAt?: number;
  /** The entry key a record must have. */
  keyOf: (record: R) => Deno.KvKey;
  records: Deno.KvKey;
}

const same = <R>(r: R) => r;
const INDEXES: Index<never>[] = [
  {
    table: "sessions_by_org",
    record: sessionKeys.session,
    copy: same,
    keyOf: sessionKeys.byOrg,
    records: sessionKeys.allSessionsPrefix(),
  } as Index<SessionRecord>,
  {
    table: "sessions_by_org_status",
    record: sessionKeys.session,
    copy: same,
    statusAt: 3,
    keyOf: (s: SessionRecord) => sessionKeys.byOrgStatus(s),
    records: sessionKeys.allSessionsPrefix(),
  } as Index<SessionRecord>,
  {
    table: "attempts_by_org",
    record: sessionKeys.attempt,
    copy: same,
    keyOf: sessionKeys.attemptByOrg,
    records: sessionKeys.allAttemptsPrefix(),
  } as Index<AttemptRecord>,
  {
    table: "attempts_by_org_status",
    record: sessionKeys.attempt,
    copy: same,
    statusAt: 3,
    keyOf: (a: AttemptRecord) => sessionKeys.attemptByOrgStatus(a),
    records: sessionKeys.allAttemptsPrefix(),
  } as Index<AttemptRecord>,
  {
    table: "events_by_org",
    record: eventKeys.event,
    copy: same,
    keyOf: eventKeys.byOrg,
    records: eventKeys.allPrefix(),
  } as Index<EventRecord>,
  {
    table: "events_by_org_type",
    record: eventKeys.event,
    copy: same,
    keyOf: eventKeys.byOrgType,
    records: eventKeys.allPrefix(),
  } as Index<EventRecord>,
  {
    table: "webhook_deliveries_by_org",
    record: webhookKeys.delivery,
    copy: deliveryListing,
    keyOf: webhookKeys.deliveryByOrg,
    records: webhookKeys.allDeliveriesPrefix(),
  } as Index<DeliveryRecord>,
  {
    table: "webhook_deliveries_by_status",
    record: webhookKeys.delivery,
    copy: deliveryListing,
    statusAt: 3,
    keyOf: (d: DeliveryRecord) => webhookKeys.deliveryByStatus(d),
    records: webhookKeys.allDeliveriesPrefix(),
  } as Index<DeliveryRecord>,
  {
    table: "webhook_deliveries_by_endpoint",
    record: webhookKeys.delivery,
    copy: deliveryListing,
    keyOf: webhookKeys.deliveryByEndpoint,
    records: webhookKeys.allDeliveriesPrefix(),
  } as Index<DeliveryRecord>,
] as Index<never>[];

/** Every way the list copies could disagree with their records, as readable lines. */
async function copyProblems(kv: Deno.Kv): Promise<string[]> {
  const problems: string[] = [];
  for (const index of INDEXES as Index<{ id: string; status?: string }>[]) {
    for await (const entry of kv.list({ prefix: [index.table] })) {
      const id = entry.key.at(-1) as string;
      const record = (await kv.get<{ id: string; status?: string }>(index.record(id))).value;
      if (!record) {
        problems.push(`${index.table} ${id}: its record is gone`);
        continue;
      }
      if (!isDeepStrictEqual(entry.value, index.copy(record))) {
        problems.push(`${index.table} ${id}: the copy differs from the record`);
      }
      if (index.statusAt !== undefined && entry.key[index.statusAt] !== record.status) {
        problems.push(`${index.table} ${id}: filed under ${String(entry.key[index.statusAt])}`);
      }
    }
    for await (const entry of kv.list<{ id: string }>({ prefix: index.records })) {
      if (entry.key.length !== 2) continue;
      if ((await kv.get(index.keyOf(entry.value))).versionstamp === null) {
        problems.push(`${index.table}: no entry for ${entry.value.id}`);
      }
    }
  }
  return problems;
}

async function assertCopies(kv: Deno.Kv, after: string): Promise<void> {
  assert.deepEqual(await copyProblems(kv), [], `after ${after}`);
}

Deno.test("list copies of sessions, attempts and events equal their records through every write", async () => {
  const w = await sessionsWorld();
  try {
    const kv = w.deps.kv;
    const verified = await createSessionViaApi(w, { redirect_url: "https://rp.example/back" });
    const cancelled = await createSessionViaApi(w);
    const expiring = await createSessionViaApi(w);
    const helperExpired = await createSessionViaApi(w);
    await assertCopies(kv, "creation");
    await postJson(w, `/v1/verify/session/${verified.id}/consent`, {
      selected_field_keys: ["kayle_document_id"],
    }, { "content-type": "application/json" });
    const first = await createAttempt(w.deps, verified.id);
    await claimAttempt(w.deps, first.attempt.id, { deviceId: "phone-1" });
    await assertCopies(kv, "a claim");
    await completeAttempt(w.deps, first.attempt.id, {
      outcome: "failed",
      failureCode: "document_expired",
    });
    await assertCopies(kv, "a failed attempt");
    await createAttempt(w.deps, verified.id);
    // An attempt no phone claimed is ended by the next one (superseded).
    const third = await createAttempt(w.deps, verified.id);
    await assertCopies(kv, "a superseded attempt");
    await claimAttempt(w.deps, third.attempt.id, { deviceId: "phone-1" });
    await completeAttempt(w.deps, third.attempt.id, {
      outcome: "succeeded",
      riskScore: 0.1,
      claims: { kayle_document_id: "kdid_test" },
      selectedFieldKeys: ["kayle_document_id"],
    });
    await assertCopies(kv, "a verdict");
    assert.equal((await postJson(w, `/v1/sessions/${cancelled.id}/cancel`, {})).status, 200);
    const expire = await postJson(w, `/v1/test_helpers/sessions/${helperExpired.id}/expire`, {});
    assert.equal(expire.status, 200);
    await assertCopies(kv, "cancel and the expire helper");
    w.clock.advance(61 * MINUTE);
    // A status-filtered list expires its own scope's due sessions first; the sweep the rest.
    const listed = await w.request("/v1/sessions?status=expired", { headers: w.auth });
    assert.equal(listed.status, 200);
    await expireDueSessions(w.deps);
    assert.equal(
      (await (await w.request(`/v1/sessions/${expiring.id}`, { headers: w.auth })).json()).data
        .status,
      "expired",
    );
    await assertCopies(kv, "expiry");
    w.clock.advance(7 * DAY);
    assert.ok(await minimiseEndedSessions(w.deps) >= 4);
    await assertCopies(kv, "minimisation");
    w.clock.advance(23 * DAY);
    assert.ok(await deleteEndedSessions(w.deps) >= 4);
    await assertCopies(kv, "deletion");
    assert.equal((await kv.get(sessionKeys.session(verified.id))).value, null);
  } finally {
    await w.close();
  }
});

Deno.test("list copies of deliveries equal their listing through failed, retried, successful tries and the scrub", async () => {
  const w = await world("kv_table", { retentionHours: 24 });
  try {
    const kv = w.t.deps.kv;
    const down = () => new Response("down", { status: 503 });
    const firstTry = async (eventId: string) => {
      const d = await deliveryOf(w.t.deps, eventId);
      await waitFor(
        async () => (await getDelivery(w.t.deps, d.id)).attemptCount === 1,
        20_000,
        "the first try",
      );
      return d;
    };
    w.receiver.respond = down;
    const retried = await firstTry((await writeEvent(w.t.deps, w.orgId)).id);
    await assertCopies(kv, "a failed try");
    w.receiver.respond = () => new Response("ok");
    const done = await driveNextTry(w, retried.id);
    assert.equal(done.status, "succeeded");
    await assertCopies(kv, "a successful retry");
    // Every try fails: the payload is kept for the endpoint's 24 h after the last one.
    w.receiver.respond = down;
    let failed = await firstTry((await writeEvent(w.t.deps, w.orgId)).id);
    for (let i = 0; failed.status !== "failed" && i < 12; i++) {
      failed = await driveNextTry(w, failed.id);
    }
    assert.equal(failed.status, "failed");
    assert.notEqual(failed.payload, null);
    await assertCopies(kv, "the last try");
    const page = await listDeliveries(kv, { orgId: w.orgId, mode: "test" });
    const listed = page.items.find((d) => d.id === failed.id)!;
    assert.equal(listed.payloadKept, true);
    assert.equal("payload" in listed, false, "a listing never holds the payload");
    w.t.clock.advance(25 * 3600_000);
    await maintenanceRound(w.t.deps);
    assert.equal((await getDelivery(w.t.deps, failed.id)).payload, null, "scrubbed");
    await assertCopies(kv, "the payload scrub");
  } finally {
    await w.stop();
  }
});

/**
 * docs/api.md#lifecycle lifecycle: expiry (lazy and swept, exactly one event), attempts (create, supersede,
 * claim, device binding, success, three failures), cancellation, and the race where many
 * cancels, public cancels, a verdict and the sweep meet: one terminal status, one terminal event.
 */
import assert from "node:assert/strict";
import { createSessionViaApi, eventTypes, postJson, sessionsWorld } from "./support/sessions.ts";
import {
  claimAttempt,
  completeAttempt,
  createAttempt,
  getAttempt,
} from "../lib/sessions/attempts.ts";
import { cancelSession } from "../lib/sessions/lifecycle.ts";
import {
  expireDueSessions,
  EXPIRY_SWEEP_NAME,
  runExpirySweep,
} from "../lib/sessions/expiry_sweep.ts";
import { getSessionRecord } from "../lib/sessions/sessions.ts";
import { SessionStateError } from "../lib/sessions/types.ts";
import { acquireLease } from "../lib/core/lease.ts";
import { listSessionEvents } from "../lib/events/events.ts";

const MINUTE = 60_000;
const TERMINAL_EVENTS = [
  "verification.session.succeeded",
  "verification.session.failed",
  "verification.session.expired",
  "verification.session.cancelled",
];

Deno.test("a session created at T reads expired at T+60 min with exactly one expired event", async () => {
  const world = await sessionsWorld();
  try {
    const created = await createSessionViaApi(world);
    assert.equal(
      created.expires_at,
      new Date(Date.parse(created.created_at) + 60 * MINUTE).toISOString(),
    );
    world.clock.advance(60 * MINUTE - 1);
    let read = await (await world.request(`/v1/sessions/${created.id}`, { headers: world.auth }))
      .json();
    assert.equal(read.data.status, "created");
    world.clock.advance(1);
    read = await (await world.request(`/v1/sessions/${created.id}`, { headers: world.auth }))
      .json();
    assert.equal(read.data.status, "expired");
    assert.equal(read.data.completed_at, world.clock.now().toISOString());
    assert.equal(read.data.attempts_remaining, 0);
    // The read wrote nothing (docs/performance.md, "Reads don't write"): the sweep ends it once.
    assert.equal((await getSessionRecord(world.deps.kv, created.id))!.status, "created");
    assert.deepEqual(await eventTypes(world, created.id), []);
    assert.equal(await expireDueSessions(world.deps), 1);
    const stored = (await getSessionRecord(world.deps.kv, created.id))!;
    assert.equal(stored.completedAt, created.expires_at);
    await world.request(`/v1/sessions/${created.id}`, { headers: world.auth });
    assert.equal(await expireDueSessions(world.deps), 0);
    assert.deepEqual(await eventTypes(world, created.id), ["verification.session.expired"]);
  } finally {
    await world.close();
  }
});

Deno.test("a session that reads expired never shows its attempt still running, on any read", async () => {
  const world = await sessionsWorld();
  try {
    const { id } = await createSessionViaApi(world);
    const { attempt } = await createAttempt(world.deps, id);
    await claimAttempt(world.deps, attempt.id, { deviceId: "device-a" });
    world.clock.advance(60 * MINUTE);
    const get = async (path: string, headers: Record<string, string> = world.auth) =>
      (await (await world.request(path, { headers })).json()).data;
    const one = await get(`/v1/sessions/${id}?include_attempts=true`);
    const listed = (await get(`/v1/sessions?include_attempts=true`))
      .find((s: { id: string }) => s.id === id);
    const publicStatus = await get(`/v1/verify/session/${id}/status`, {});
    const attemptsList = await get(`/v1/sessions/attempts?session_id=${id}`);
    for (
      const [label, status, shown] of [
        ["GET /v1/sessions/:id", one.status, one.attempts[0]],
        ["GET /v1/sessions", listed.status, listed.attempts[0]],
        ["GET /v1/verify/session/:id/status", publicStatus.status, publicStatus.latest_attempt],
        ["GET /v1/sessions/attempts", "expired", attemptsList[0]],
      ]
    ) {
      assert.equal(status, "expired", label);
      assert.equal(shown.status, "cancelled", label);
      assert.equal(shown.failure_code, "session_expired", label);
    }
    // Still no write: the sweep ends the attempt, once.
    assert.equal((await getAttempt(world.deps.kv, attempt.id))!.status, "in_progress");
  } finally {
    await world.close();
  }
});

Deno.test("the sweep expires every due session once, ends its attempt, and respects the lease", async () => {
  const world = await sessionsWorld();
  try {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await createSessionViaApi(world)).id);
    const { attempt } = await createAttempt(world.deps, ids[0]);
    await claimAttempt(world.deps, attempt.id, { deviceId: "device-a" });
    world.clock.advance(30 * MINUTE);
    const late = (await createSessionViaApi(world)).id;
    world.clock.advance(30 * MINUTE);
    assert.ok(
      await acquireLease(
        world.deps.kv,
        EXPIRY_SWEEP_NAME,
        "other-instance",
        55_000,
        world.clock,
      ),
    );
    assert.equal(await runExpirySweep(world.deps, "this-instance"), false);
    assert.equal((await getSessionRecord(world.deps.kv, ids[0]))!.status, "in_progress");
    world.clock.advance(55_000);
    assert.equal(await runExpirySweep(world.deps, "this-instance"), true);
    for (const id of ids) {
      assert.equal((await getSessionRecord(world.deps.kv, id))!.status, "expired");
      assert.deepEqual(await eventTypes(world, id), ["verification.session.expired"]);
    }
    assert.equal((await getSessionRecord(world.deps.kv, late))!.status, "created");
    const ended = await getAttempt(world.deps.kv, attempt.id);
    assert.equal(ended!.status, "cancelled");
    assert.equal(ended!.failureCode, "session_expired");
    assert.equal(await expireDueSessions(world.deps), 0);
  } finally {
    await world.close();
  }
});

Deno.test("attempts: supersede, claim, device binding, failures then success", async () => {
  const world = await sessionsWorld();
  try {
    const { id } = await createSessionViaApi(world, {
      share_fields: { date_of_birth: { required: true, reason: "Age" } },
    });
    const first = await createAttempt(world.deps, id);
    world.clock.advance(61_000);
    const second = await createAttempt(world.deps, id);
    assert.equal(second.superseded?.id, first.attempt.id);
    assert.equal(
      (await getAttempt(world.deps.kv, first.attempt.id))!.failureCode,
      "handoff_superseded",
    );
    await assert.rejects(
      claimAttempt(world.deps, first.attempt.id, { deviceId: "a" }),
      hasCode("attempt_not_current"),
    );
    const claimed = await claimAttempt(world.deps, second.attempt.id, { deviceId: "phone-1" });
    assert.equal(claimed.session.status, "in_progress");
    assert.ok(claimed.session.deviceIdHash && !claimed.session.deviceIdHash.includes("phone-1"));
    await claimAttempt(world.deps, second.attempt.id, { deviceId: "phone-1" }); // resume
    await assert.rejects(
      claimAttempt(world.deps, second.attempt.id, { deviceId: "phone-2" }),
      hasCode("device_mismatch"),
    );
    await assert.rejects(createAttempt(world.deps, id), hasCode("session_in_progress"));
    const failed = await completeAttempt(world.deps, second.attempt.id, {
      outcome: "failed",
      failureCode: "selfie_face_mismatch",
      riskScore: 0.9,
    });
    assert.equal(failed.session.status, "in_progress");
    assert.equal(failed.session.failedAttempts, 1);
    world.clock.advance(1000);
    const third = await createAttempt(world.deps, id);
    await assert.rejects(
      claimAttempt(world.deps, third.attempt.id, { deviceId: "phone-2" }),
      hasCode("device_mismatch"),
    );
    await claimAttempt(world.deps, third.attempt.id, { deviceId: "phone-1" });
    const done = await completeAttempt(world.deps, third.attempt.id, {
      outcome: "succeeded",
      riskScore: 0.1,
      claims: { date_of_birth: "1990-01-01", kayle_document_id: "kdid_x" },
      selectedFieldKeys: ["date_of_birth", "kayle_document_id"],
    });
    assert.equal(done.session.status, "completed");
    assert.equal(done.session.outcome, "succeeded");
    // Same instant on the manual clock: compare as sets.
    assert.deepEqual((await eventTypes(world, id)).sort(), [
      "verification.attempt.failed",
      "verification.attempt.succeeded",
      "verification.session.succeeded",
    ]);
    const events = await listSessionEvents(world.deps.kv, id);
    const succeeded = events.find((e) => e.type === "verification.session.succeeded")!;
    assert.deepEqual(succeeded.data, {
      selected_field_keys: ["date_of_birth", "kayle_document_id"],
      claim_keys: ["date_of_birth", "kayle_document_id"],
    });
    assert.equal(JSON.stringify(events).includes("1990-01-01"), false);
    const read = await (await world.request(`/v1/sessions/${id}?include_attempts=true`, {
      headers: world.auth,
    })).json();
    assert.equal(read.data.attempts_used, 2);
    assert.equal(read.data.attempts_remaining, 0);
    assert.deepEqual(read.data.attempts.map((a: { status: string }) => a.status), [
      "succeeded",
      "failed",
      "cancelled",
    ]);
    await assert.rejects(createAttempt(world.deps, id), hasCode("session_terminal"));
  } finally {
    await world.close();
  }
});

Deno.test("three failed attempts complete the session with outcome failed and one session.failed", async () => {
  const world = await sessionsWorld();
  try {
    const { id } = await createSessionViaApi(world);
    const codes = ["document_expired", "liveness_failed", "selfie_face_mismatch"];
    for (const code of codes) {
      world.clock.advance(1000);
      const { attempt } = await createAttempt(world.deps, id);
      await claimAttempt(world.deps, attempt.id, { deviceId: "phone" });
      await completeAttempt(world.deps, attempt.id, { outcome: "failed", failureCode: code });
    }
    const session =
      (await (await world.request(`/v1/sessions/${id}`, { headers: world.auth })).json()).data;
    assert.equal(session.status, "completed");
    assert.equal(session.outcome, "failed");
    assert.equal(session.failure_code, "selfie_face_mismatch");
    assert.equal(session.attempts_used, 3);
    const events = await listSessionEvents(world.deps.kv, id);
    assert.deepEqual(
      events.filter((e) => e.type === "verification.attempt.failed").map((e) =>
        e.data.attempts_remaining
      ),
      [2, 1, 0],
    );
    const final = events.filter((e) => e.type === "verification.session.failed");
    assert.equal(final.length, 1);
    assert.deepEqual(final[0].data, { failure_code: "selfie_face_mismatch", attempts_used: 3 });
  } finally {
    await world.close();
  }
});

Deno.test("cancel after a failed attempt ends the attempt and gives reason cancelled_after_failed_attempt", async () => {
  const world = await sessionsWorld();
  try {
    const { id } = await createSessionViaApi(world);
    const one = await createAttempt(world.deps, id);
    await claimAttempt(world.deps, one.attempt.id, { deviceId: "phone" });
    await completeAttempt(world.deps, one.attempt.id, {
      outcome: "failed",
      failureCode: "document_expired",
    });
    const two = await createAttempt(world.deps, id);
    await claimAttempt(world.deps, two.attempt.id, { deviceId: "phone" });
    const response = await postJson(world, `/v1/sessions/${id}/cancel`, {});
    assert.equal(response.status, 200);
    assert.equal((await response.json()).data.status, "cancelled");
    const ended = await getAttempt(world.deps.kv, two.attempt.id);
    assert.equal(ended!.status, "cancelled");
    assert.equal(ended!.failureCode, "session_cancelled");
    await assert.rejects(
      completeAttempt(world.deps, two.attempt.id, {
        outcome: "succeeded",
        riskScore: 0,
        claims: {},
        selectedFieldKeys: [],
      }),
      hasCode("session_terminal"),
    );
    const cancelled = (await listSessionEvents(world.deps.kv, id)).filter((e) =>
      e.type === "verification.session.cancelled"
    );
    assert.deepEqual(cancelled.map((e) => e.data), [{
      reason: "cancelled_after_failed_attempt",
      cancelled_by: "integrator",
    }]);
  } finally {
    await world.close();
  }
});

for (const atExpiry of [false, true]) {
  Deno.test(`race${atExpiry ? " at the expiry instant" : ""}: 50 cancels + 50 public cancels + a verdict + the sweep → one terminal event`, async () => {
    const world = await sessionsWorld();
    try {
      const created = await createSessionViaApi(world);
      const { attempt } = await createAttempt(world.deps, created.id);
      await claimAttempt(world.deps, attempt.id, { deviceId: "phone" });
      if (atExpiry) world.clock.advance(60 * MINUTE);
      const verdict = completeAttempt(world.deps, attempt.id, {
        outcome: "succeeded",
        riskScore: 0.2,
        claims: { kayle_document_id: "kdid_1" },
        selectedFieldKeys: ["kayle_document_id"],
      }).then(() => 200, (e) => e instanceof SessionStateError ? 409 : 500);
      const contenders: Promise<number>[] = [
        verdict,
        expireDueSessions(world.deps).then(() => 200),
      ];
      for (let i = 0; i < 50; i++) {
        contenders.push(
          postJson(world, `/v1/sessions/${created.id}/cancel`, {}).then((r) => r.status),
        );
        contenders.push(
          world.request(`/v1/verify/session/${created.id}/cancel`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-forwarded-for": `10.0.0.${i}` },
            body: JSON.stringify({ cancel_token: created.cancel_token }),
          }).then((r) => r.status),
        );
        contenders.push(
          cancelSession(world.deps, created.id, { by: "integrator", scope: "public" }).then(() =>
            200
          ),
        );
      }
      const statuses = await Promise.all(contenders);
      assert.ok(statuses.every((s) => [200, 204, 409, 429].includes(s)), `unexpected ${statuses}`);
      const session = await getSessionRecord(world.deps.kv, created.id);
      assert.ok(["completed", "cancelled", "expired"].includes(session!.status));
      const terminal = (await eventTypes(world, created.id)).filter((t) =>
        TERMINAL_EVENTS.includes(t)
      );
      assert.equal(terminal.length, 1, `terminal events: ${terminal}`);
      const expected = {
        completed: "verification.session.succeeded",
        cancelled: "verification.session.cancelled",
        expired: "verification.session.expired",
      };
      assert.equal(terminal[0], expected[session!.status as keyof typeof expected]);
      if (atExpiry) assert.equal(session!.status, "expired");
    } finally {
      await world.close();
    }
  });
}

function hasCode(code: string) {
  return (error: unknown) => error instanceof SessionStateError && error.code === code;
}

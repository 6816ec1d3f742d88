/**
 * Every scenario of the reference phone, through the real checks (document checks with the
 * sandbox CSCA, the real face verifier, consent), run by the test-mode simulator endpoint: the
 * attempt status, failure code, session status and events each scenario must produce.
 */
import assert from "node:assert/strict";
import { bearer } from "./support/app.ts";
import {
  createSession,
  type HandoffTestApp,
  realBiometric,
  setupHandoffApp,
} from "./support/handoff.ts";
import { SCENARIO_NAMES, SCENARIOS } from "../phone/mod.ts";
import { listSessionEvents } from "../lib/events/events.ts";
import { getAttempt } from "../lib/sessions/attempts.ts";
import { getSessionRecord } from "../lib/sessions/sessions.ts";

async function simulate(t: HandoffTestApp, id: string, scenario: string, secret = t.secret) {
  const response = await t.app.request(`/v1/test_helpers/sessions/${id}/simulate`, {
    method: "POST",
    headers: { ...bearer(secret), "content-type": "application/json" },
    body: JSON.stringify({ scenario }),
  });
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    body: await response.json(),
  };
}

let app: HandoffTestApp | null = null;
async function sharedApp(): Promise<HandoffTestApp> {
  app ??= await setupHandoffApp({ biometric: await realBiometric() });
  return app;
}

for (const name of SCENARIO_NAMES) {
  const scenario = SCENARIOS[name];
  Deno.test(`scenario ${name}: ${scenario.expected ?? "succeeded"}`, async () => {
    const t = await sharedApp();
    const { id } = await createSession(t, {
      share_fields: {
        family_name: { required: true, reason: "Account name" },
        age_over_18: { required: false, reason: "Age gate" },
      },
    });
    const r = await simulate(t, id, name);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.match(r.type ?? "", /application\/json/);
    const result = r.body.data;
    const attempt = await getAttempt(t.deps.kv, result.attempt_id);
    const session = await getSessionRecord(t.deps.kv, id);
    const events = (await listSessionEvents(t.deps.kv, id)).map((e) => e.type).sort();
    assert.equal(result.failure_code, scenario.expected);
    assert.equal(attempt?.failureCode, scenario.expected);
    if (scenario.expected === null) {
      assert.equal(result.attempt_status, "succeeded");
      assert.equal(attempt?.status, "succeeded");
      assert.equal(session?.status, "completed");
      assert.equal(session?.outcome, "succeeded");
      assert.deepEqual(events, [
        "verification.attempt.succeeded",
        "verification.session.succeeded",
      ]);
      for (const stored of await listSessionEvents(t.deps.kv, id)) {
        assert.deepEqual(stored.data.claim_keys, [
          "family_name",
          "age_over_18",
          "kayle_document_id",
        ]);
      }
    } else {
      assert.equal(result.attempt_status, "failed");
      assert.equal(attempt?.status, "failed");
      assert.equal(session?.status, "in_progress");
      assert.equal(result.attempts_remaining, 2);
      assert.deepEqual(events, ["verification.attempt.failed"]);
    }
  });
}

Deno.test("simulate: three failures complete the session failed; then 410", async () => {
  const t = await sharedApp();
  const { id } = await createSession(t);
  for (const [i, name] of ["tampered_sod", "expired_document", "bad_mrz"].entries()) {
    const r = await simulate(t, id, name);
    assert.equal(r.status, 200);
    assert.equal(r.body.data.attempts_remaining, 2 - i);
  }
  const session = await getSessionRecord(t.deps.kv, id);
  assert.equal(session?.status, "completed");
  assert.equal(session?.outcome, "failed");
  assert.equal(session?.failureCode, "document_data_invalid");
  const events = (await listSessionEvents(t.deps.kv, id)).map((e) => e.type).sort();
  assert.deepEqual(events, [
    "verification.attempt.failed",
    "verification.attempt.failed",
    "verification.attempt.failed",
    "verification.session.failed",
  ]);
  const again = await simulate(t, id, "success");
  assert.equal(again.status, 410);
  assert.equal(again.body.error.code, "SESSION_EXPIRED");
});

Deno.test("simulate: live keys and live sessions are refused with TEST_MODE_ONLY", async () => {
  const t = await sharedApp();
  const { seedApiKey } = await import("./support/app.ts");
  const live = await seedApiKey(t.deps, t.orgId, { mode: "live" });
  const { id } = await createSession(t, {}, live.secret);
  const byLiveKey = await simulate(t, id, "success", live.secret);
  assert.equal(byLiveKey.status, 403);
  assert.equal(byLiveKey.body.error.code, "TEST_MODE_ONLY");
  const byTestKey = await simulate(t, id, "success");
  assert.ok(byTestKey.status === 403 || byTestKey.status === 404);
  if (byTestKey.status === 403) assert.equal(byTestKey.body.error.code, "TEST_MODE_ONLY");
  const unknown = await simulate(t, id, "no_such_scenario");
  assert.equal(unknown.status, 400);
});

Deno.test("live sessions never trust the sandbox CSCA", async () => {
  const t = await sharedApp();
  const { seedApiKey } = await import("./support/app.ts");
  const { simulateSession } = await import("../lib/handoff/simulate.ts");
  const live = await seedApiKey(t.deps, t.orgId, { mode: "live" });
  const { id } = await createSession(t, {}, live.secret);
  const result = await simulateSession(t.deps, id, "success");
  assert.equal(result.failureCode, "document_authenticity_failed");
});

Deno.test({
  name: "scenarios: close the shared app",
  fn: async () => {
    await app?.close();
  },
  sanitizeResources: false,
  sanitizeOps: false,
});

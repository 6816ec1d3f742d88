/**
 * Parallel test-mode simulations of one session: exactly one runs; the others are answered
 * 409 SIMULATION_IN_PROGRESS without touching the session (no burnt attempt, no failure event).
 */
import assert from "node:assert/strict";
import { bearer } from "./support/app.ts";
import { createSession, type HandoffTestApp, setupHandoffApp } from "./support/handoff.ts";
import { listSessionEvents } from "../lib/events/events.ts";
import { getSessionRecord } from "../lib/sessions/sessions.ts";
import { listSessionAttempts } from "../lib/sessions/attempts.ts";
import { SIMULATION_CLAIM_TTL_MS } from "../lib/handoff/simulation_claim.ts";
import { handoffKeys } from "../lib/handoff/handoff.ts";

async function simulate(t: HandoffTestApp, id: string) {
  const response = await t.app.request(`/v1/test_helpers/sessions/${id}/simulate`, {
    method: "POST",
    headers: { ...bearer(t.secret), "content-type": "application/json" },
    body: JSON.stringify({ scenario: "success" }),
  });
  return { status: response.status, body: await response.json() };
}

async function attemptsOf(t: HandoffTestApp, id: string) {
  return (await listSessionAttempts(t.deps.kv, id)).map((a) => [a.status, a.failureCode]);
}

Deno.test("simulate: of four parallel runs on one session exactly one runs, three get 409", async () => {
  const t = await setupHandoffApp();
  const { id } = await createSession(t);
  const results = await Promise.all([1, 2, 3, 4].map(() => simulate(t, id)));
  const ok = results.filter((r) => r.status === 200);
  const refused = results.filter((r) => r.status === 409);
  assert.equal(ok.length, 1, JSON.stringify(results.map((r) => r.status)));
  assert.equal(refused.length, 3);
  for (const r of refused) assert.equal(r.body.error.code, "SIMULATION_IN_PROGRESS");
  assert.equal(ok[0].body.data.attempt_status, "succeeded");
  const attempts = await attemptsOf(t, id);
  assert.deepEqual(attempts, [["succeeded", null]]);
  const events = (await listSessionEvents(t.deps.kv, id)).map((e) => e.type).sort();
  assert.deepEqual(events, ["verification.attempt.succeeded", "verification.session.succeeded"]);
  assert.equal((await getSessionRecord(t.deps.kv, id))?.status, "completed");
  // The claim was released: the next call is judged by the session (ended), not by the claim.
  const after = await simulate(t, id);
  assert.equal(after.status, 410);
  await t.close();
});

Deno.test("simulate: a claim left by a crashed instance lapses after its TTL", async () => {
  const t = await setupHandoffApp();
  const { id } = await createSession(t);
  await t.deps.kv.set(handoffKeys.simulationClaim(id), {
    owner: "crashed",
    expiresAt: t.clock.now().getTime() + SIMULATION_CLAIM_TTL_MS,
  });
  const held = await simulate(t, id);
  assert.equal(held.status, 409);
  assert.equal(held.body.error.code, "SIMULATION_IN_PROGRESS");
  assert.deepEqual(await attemptsOf(t, id), [], "the refused call started no attempt");
  t.clock.advance(SIMULATION_CLAIM_TTL_MS + 1);
  const ran = await simulate(t, id);
  assert.equal(ran.status, 200);
  assert.equal(ran.body.data.attempt_status, "succeeded");
  await t.close();
});

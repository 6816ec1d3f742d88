/**
 * The remote face verifier as an operator configures it (`KAYLE_FACE_VERIFIER_URL`, `_TOKEN`,
 * `_TIMEOUT_MS`; docs/biometrics.md "Remote verifier"): the server's own composition sends the chip
 * portrait and the selfie frames to it with the bearer token, follows its decisions, and fails
 * closed when it cannot be reached — through the test-mode simulator's real pipeline (document
 * checks with the sandbox CSCA, consent), with no verifier injected by the test.
 */
import assert from "node:assert/strict";
import { bearer, createTestApp, seedApiKey, seedOrganization } from "./support/app.ts";
import type { FaceVerifierConfig } from "../lib/core/config.ts";
import { getAttempt } from "../lib/sessions/attempts.ts";

interface FakeVerifier {
  url: string;
  calls: Array<{ path: string; authorization: string | null; body: Record<string, unknown> }>;
  decision: "match" | "no_match";
  close(): Promise<void>;
}

function startFakeVerifier(): FakeVerifier {
  const fake: FakeVerifier = { url: "", calls: [], decision: "match", close: async () => {} };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      const path = new URL(request.url).pathname;
      const body = await request.json();
      fake.calls.push({ path, authorization: request.headers.get("authorization"), body });
      if (path.endsWith("/compare")) {
        return Response.json({
          decision: fake.decision,
          reason: fake.decision === "match" ? "face_match" : "face_mismatch",
        });
      }
      return Response.json({ passed: true, reason: "liveness_passed" });
    },
  );
  fake.url = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}/face/v1`;
  fake.close = () => server.shutdown();
  return fake;
}

/** Runs the happy-path phone against a new session; returns the attempt's outcome. */
async function verifyOnce(faceVerifier: FaceVerifierConfig) {
  const t = await createTestApp({ faceVerifier });
  try {
    const { org } = await seedOrganization(t.deps);
    const { secret } = await seedApiKey(t.deps, org.id, { mode: "test" });
    const created = await t.app.request("/v1/sessions", {
      method: "POST",
      headers: { ...bearer(secret), "content-type": "application/json" },
      body: "{}",
    });
    const id = (await created.json()).data.id;
    const simulated = await t.app.request(`/v1/test_helpers/sessions/${id}/simulate`, {
      method: "POST",
      headers: { ...bearer(secret), "content-type": "application/json" },
      body: JSON.stringify({ scenario: "success" }),
    });
    assert.equal(simulated.status, 200, await simulated.clone().text());
    const result = (await simulated.json()).data;
    const attempt = await getAttempt(t.deps.kv, result.attempt_id);
    return { status: result.attempt_status, failureCode: attempt?.failureCode ?? null };
  } finally {
    await t.close();
  }
}

Deno.test("a configured remote verifier decides the face check, called with its bearer token", async () => {
  const fake = startFakeVerifier();
  try {
    const config = { url: fake.url, token: "face-token-1", timeoutMs: 5000 };
    assert.deepEqual(await verifyOnce(config), { status: "succeeded", failureCode: null });
    assert.deepEqual(fake.calls.map((c) => c.path), ["/face/v1/compare", "/face/v1/liveness"]);
    for (const call of fake.calls) {
      assert.equal(call.authorization, "Bearer face-token-1");
      assert.equal(call.body.v, 1);
      assert.ok(typeof call.body.portrait === "string" && call.body.portrait.length > 100);
    }
    assert.ok(typeof fake.calls[0].body.selfie === "string");
    assert.ok(Array.isArray(fake.calls[1].body.frames) && fake.calls[1].body.frames.length > 0);

    fake.decision = "no_match";
    fake.calls = [];
    assert.deepEqual(await verifyOnce(config), {
      status: "failed",
      failureCode: "selfie_face_mismatch",
    });
    assert.deepEqual(fake.calls.map((c) => c.path), ["/face/v1/compare"]);
  } finally {
    await fake.close();
  }
});

Deno.test("a remote verifier that cannot be reached fails the attempt closed", async () => {
  const gone = startFakeVerifier();
  const url = gone.url;
  await gone.close();
  assert.deepEqual(await verifyOnce({ url, token: null, timeoutMs: 2000 }), {
    status: "failed",
    failureCode: "selfie_face_mismatch",
  });
});

/**
 * The remote face verifier as an operator configures it (`KAYLE_FACE_VERIFIER_URL`, `_TOKEN`,
 * `_TIMEOUT_MS`; docs/biometrics.md "Remote verifier"): the server's own composition sends the chip
 * portrait and the selfie frames to it with the bearer token, follows its decisions, and fails
 * closed when it cannot be reached — through the test-mode simulator's real pipeline (document
 * checks with the sandbox CSCA, consent), with no verifier injected by the test. Last, the same
 * against the face service (`deno task face-server`'s app) running the real local model.
 */
import assert from "node:assert/strict";
import { bearer, createTestApp, seedApiKey, seedOrganization } from "./support/app.ts";
import type { FaceVerifierConfig } from "../lib/core/config.ts";
import { getAttempt } from "../lib/sessions/attempts.ts";
import { createFaceServiceApp } from "../lib/face_service/app.ts";
import { createLogger } from "../lib/core/logger.ts";
import { realBiometric } from "./support/handoff.ts";

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

/** Runs a reference phone scenario against a new session; returns the attempt's outcome. */
async function verifyOnce(faceVerifier: FaceVerifierConfig, scenario = "success") {
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
      body: JSON.stringify({ scenario }),
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

Deno.test("the API server verifies through the face service running the real local model", async () => {
  const lines: string[] = [];
  // Strict: a log line of the service carrying an image, a score or a token would throw.
  const logger = createLogger({ level: "info", strict: true, sink: (line) => lines.push(line) });
  const app = createFaceServiceApp({
    verifier: await realBiometric(),
    token: "a-face-service-token-0123456789",
    logger,
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
  try {
    const config = {
      url: `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`,
      token: "a-face-service-token-0123456789",
      timeoutMs: 30_000,
    };
    assert.deepEqual(await verifyOnce(config, "success"), {
      status: "succeeded",
      failureCode: null,
    });
    assert.deepEqual(await verifyOnce(config, "another_face"), {
      status: "failed",
      failureCode: "selfie_face_mismatch",
    });
    const answered = lines.map((l) => JSON.parse(l)).filter((l) =>
      l.event === "face_service.answered"
    );
    assert.deepEqual(answered.map((l) => [l.route, l.reason]), [
      ["compare", "face_match"],
      ["liveness", "liveness_passed"],
      ["compare", "face_mismatch"],
    ]);
  } finally {
    await server.shutdown();
  }
});

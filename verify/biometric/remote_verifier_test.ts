/**
 * The HTTP verifier against real local servers on 127.0.0.1 (and a closed port): the contract is
 * honoured and every failure is closed.
 */
import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { createRemoteBiometricVerifier, parseFaceMatch, parseLiveness } from "./remote_verifier.ts";
import type { PoseChallenge } from "./types.ts";

const portrait = Uint8Array.from([0xff, 0xd8, 0xff, 1, 2, 3]);
const selfie = Uint8Array.from([0xff, 0xd8, 0xff, 4, 5, 6]);
const challenge: PoseChallenge = { poses: ["centre", "left", "right"], nonce: "nonce-remote-1" };
const UNAVAILABLE = { decision: "inconclusive", reason: "verifier_unavailable" };

/** Serves `handler` on a random loopback port for the duration of `body`. */
async function withServer(
  handler: (request: Request) => Response | Promise<Response>,
  body: (url: string) => Promise<void>,
): Promise<void> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
  try {
    await body(`http://127.0.0.1:${server.addr.port}/biometrics`);
  } finally {
    await server.shutdown();
  }
}

Deno.test("requests follow the documented contract and answers are passed through", async () => {
  const seen: Array<{ path: string; body: Record<string, unknown>; auth: string | null }> = [];
  await withServer(async (request) => {
    const body = await request.json();
    seen.push({
      path: new URL(request.url).pathname,
      body,
      auth: request.headers.get("authorization"),
    });
    const answer = body.frames
      ? { passed: true, reason: "liveness_passed" }
      : { decision: "match", reason: "face_match" };
    return Response.json(answer);
  }, async (url) => {
    const verifier = createRemoteBiometricVerifier({
      url,
      timeoutMs: 2000,
      headers: { authorization: "Bearer t" },
    });
    assert.deepEqual(await verifier.compareFaces({ portrait, selfie, subjectAgeYears: 9 }), {
      decision: "match",
      reason: "face_match",
    });
    assert.deepEqual(
      await verifier.checkLiveness({ portrait, frames: [selfie, selfie, selfie], challenge }),
      {
        passed: true,
        reason: "liveness_passed",
      },
    );
  });
  assert.equal(seen[0].path, "/biometrics/compare");
  assert.deepEqual(seen[0].body, {
    v: 1,
    portrait: btoa("\xff\xd8\xff\x01\x02\x03"),
    selfie: btoa("\xff\xd8\xff\x04\x05\x06"),
    subject_age_years: 9,
  });
  assert.equal(seen[0].auth, "Bearer t");
  assert.equal(seen[1].path, "/biometrics/liveness");
  assert.deepEqual(seen[1].body.challenge, challenge);
  assert.equal((seen[1].body.frames as string[]).length, 3);
});

Deno.test("an unreachable remote verifier fails closed", async () => {
  // Take a free port, then close it: connecting is refused.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const verifier = createRemoteBiometricVerifier({
    url: `http://127.0.0.1:${port}`,
    timeoutMs: 2000,
  });
  assert.deepEqual(await verifier.compareFaces({ portrait, selfie }), UNAVAILABLE);
  assert.deepEqual(await verifier.checkLiveness({ portrait, frames: [selfie], challenge }), {
    passed: false,
    reason: "verifier_unavailable",
  });
});

Deno.test("a remote verifier that does not answer in time fails closed", async () => {
  const release = Promise.withResolvers<void>();
  await withServer(async () => {
    await release.promise;
    return Response.json({ decision: "match", reason: "face_match" });
  }, async (url) => {
    const verifier = createRemoteBiometricVerifier({ url, timeoutMs: 100 });
    const started = performance.now();
    assert.deepEqual(await verifier.compareFaces({ portrait, selfie }), UNAVAILABLE);
    assert.ok(performance.now() - started < 1500);
    release.resolve();
  });
});

Deno.test("error statuses and malformed answers fail closed", async () => {
  const answers = [
    new Response("boom", { status: 500 }),
    new Response("not json", { status: 200 }),
    Response.json({ decision: "match" }),
    Response.json({ decision: "yes", reason: "face_match" }),
    Response.json({ decision: "match", reason: "face_mismatch" }),
    Response.json({ decision: "match", reason: "looks_fine" }),
  ];
  let next = 0;
  await withServer(() => answers[next++], async (url) => {
    const verifier = createRemoteBiometricVerifier({ url, timeoutMs: 2000 });
    for (let i = 0; i < answers.length; i++) {
      assert.deepEqual(
        await verifier.compareFaces({ portrait, selfie }),
        UNAVAILABLE,
        `answer ${i}`,
      );
    }
  });
});

Deno.test("answer parsing: only a coherent match is a match (10,000 random answers each)", () => {
  const answer = fc.oneof(
    fc.anything(),
    fc.record({
      decision: fc.constantFrom("match", "no_match", "inconclusive", "MATCH", 1, null),
      reason: fc.constantFrom("face_match", "face_mismatch", "face_uncertain", "other", 3),
      passed: fc.constantFrom(true, false, "true", 1),
    }, { requiredKeys: [] }),
  );
  fc.assert(
    fc.property(answer, (value) => {
      const match = parseFaceMatch(value);
      const coherent = typeof value === "object" && value !== null &&
        (value as Record<string, unknown>).decision === "match" &&
        (value as Record<string, unknown>).reason === "face_match";
      return (match.decision === "match") === coherent;
    }),
    { numRuns: 10_000 },
  );
  fc.assert(
    fc.property(answer, (value) => {
      const live = parseLiveness(value);
      const coherent = typeof value === "object" && value !== null &&
        (value as Record<string, unknown>).passed === true &&
        (value as Record<string, unknown>).reason === "liveness_passed";
      return live.passed === coherent;
    }),
    { numRuns: 10_000 },
  );
});

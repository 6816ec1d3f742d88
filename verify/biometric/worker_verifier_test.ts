/**
 * The worker verifier (the server's default): the same decisions as the in-process verifier on
 * real images, from a model loaded on its own thread; a closed verifier fails new calls closed
 * and lets a check already asked for finish; a process that closes it exits on its own.
 */
import assert from "node:assert/strict";
import { createWorkerBiometricVerifier } from "./worker_verifier.ts";
import {
  loadOtherPersonSelfie,
  loadTestPortrait,
  loadTestSelfie,
  makeTestPoseFrames,
} from "./fixtures.ts";
import type { PoseChallenge } from "./types.ts";

const LEFT_RIGHT: PoseChallenge = { poses: ["centre", "left", "right"], nonce: "nonce-worker-01" };

Deno.test("the worker verifier matches the holder, refuses another face, checks liveness", async () => {
  const verifier = await createWorkerBiometricVerifier();
  try {
    const portrait = await loadTestPortrait();
    const [genuine, impostor, live] = await Promise.all([
      verifier.compareFaces({ portrait, selfie: await loadTestSelfie() }),
      verifier.compareFaces({ portrait, selfie: await loadOtherPersonSelfie() }),
      verifier.checkLiveness({
        portrait,
        frames: await makeTestPoseFrames(LEFT_RIGHT),
        challenge: LEFT_RIGHT,
      }),
    ]);
    assert.deepEqual(genuine, { decision: "match", reason: "face_match" });
    assert.deepEqual(impostor, { decision: "no_match", reason: "face_mismatch" });
    assert.deepEqual(live, { passed: true, reason: "liveness_passed" });
  } finally {
    verifier.close();
  }
});

Deno.test("close: a check already asked for finishes, a new one fails closed", async () => {
  const verifier = await createWorkerBiometricVerifier();
  const portrait = await loadTestPortrait();
  const selfie = await loadTestSelfie();
  const asked = verifier.compareFaces({ portrait, selfie });
  verifier.close();
  assert.deepEqual(await verifier.compareFaces({ portrait, selfie }), {
    decision: "inconclusive",
    reason: "verifier_unavailable",
  });
  assert.deepEqual(
    await verifier.checkLiveness({ portrait, frames: [selfie], challenge: LEFT_RIGHT }),
    {
      passed: false,
      reason: "verifier_unavailable",
    },
  );
  assert.deepEqual(await asked, { decision: "match", reason: "face_match" });
});

Deno.test("a process that closes its worker verifier exits on its own", async () => {
  const script = `
    import { createWorkerBiometricVerifier } from ${
    JSON.stringify(new URL("./worker_verifier.ts", import.meta.url).href)
  };
    const verifier = await createWorkerBiometricVerifier();
    verifier.close();
    console.log("closed");
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", script],
    stdout: "piped",
    stderr: "piped",
    // A worker left running keeps the process alive: fail instead of hanging.
    signal: AbortSignal.timeout(60_000),
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.equal(new TextDecoder().decode(out.stdout).trim(), "closed");
});

const FLAKY = new URL("../../tests/support/face_workers/flaky_worker.ts", import.meta.url);
const bytes = new Uint8Array([1, 2, 3]);

Deno.test("a crashed worker fails its checks closed; the next check starts a new one", async () => {
  const verifier = await createWorkerBiometricVerifier({ workerUrl: FLAKY });
  try {
    const [crashed, alongside] = await Promise.all([
      verifier.compareFaces({ portrait: bytes, selfie: bytes, subjectAgeYears: 99 }),
      verifier.checkLiveness({ portrait: bytes, frames: [bytes], challenge: LEFT_RIGHT }),
    ]);
    assert.deepEqual(crashed, { decision: "inconclusive", reason: "verifier_unavailable" });
    // The liveness check was either answered before the crash or failed closed with it.
    assert.ok(
      alongside.passed
        ? alongside.reason === "liveness_passed"
        : alongside.reason === "verifier_unavailable",
    );
    assert.deepEqual(await verifier.compareFaces({ portrait: bytes, selfie: bytes }), {
      decision: "match",
      reason: "face_match",
    });
  } finally {
    verifier.close();
  }
});

Deno.test("a worker whose models do not load makes creation fail (the step is unavailable)", async () => {
  await assert.rejects(
    createWorkerBiometricVerifier({ workerUrl: new URL(`${FLAKY.href}?broken`) }),
    /could not be loaded/,
  );
});

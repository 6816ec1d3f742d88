/**
 * The in-process verifier on real images: public-domain fixtures and, when present, the shared
 * specimen portrait. The models load once for the whole file.
 */
import assert from "node:assert/strict";
import { createLocalBiometricVerifier } from "./local_verifier.ts";
import {
  loadOtherPersonSelfie,
  loadTestPortrait,
  loadTestSelfie,
  makeTestPoseFrames,
  readFixture,
  TEST_PEOPLE,
} from "./fixtures.ts";
import { decodeImage, encodeJpeg } from "./image_decode.ts";
import { withExifOrientation } from "./image_orientation.ts";
import { quarterTurnAnticlockwise } from "./labelled_set.ts";
import { deriveSelfie, PLAIN_SELFIE } from "./synthetic_faces.ts";
import { issuePoseChallenge } from "./pose_challenge.ts";
import type { PoseChallenge } from "./types.ts";
import { readVector } from "../vectors_test_support.ts";

const verifier = await createLocalBiometricVerifier();
const portrait = await loadTestPortrait();
const selfie = await loadTestSelfie();

/** A deterministic random source: the bytes of a counter. */
function counterRandom(seed: number): (n: number) => Uint8Array {
  let state = seed;
  return (n) => Uint8Array.from({ length: n }, () => (state = (state * 73 + 41) % 251));
}

const LEFT_RIGHT: PoseChallenge = { poses: ["centre", "left", "right"], nonce: "nonce-test-0001" };

Deno.test("a genuine pair matches: JP2 passport portrait against a derived selfie", async () => {
  const result = await verifier.compareFaces({ portrait, selfie });
  assert.deepEqual(result, { decision: "match", reason: "face_match" });
});

Deno.test("an impostor does not match: another person's selfie", async () => {
  const result = await verifier.compareFaces({ portrait, selfie: await loadOtherPersonSelfie() });
  assert.deepEqual(result, { decision: "no_match", reason: "face_mismatch" });
});

Deno.test("greyscale and high-compression JPEG 2000 portraits (JP2 and J2K) still match", async () => {
  for (const person of ["collins", "hopper"] as const) {
    const personSelfie = await loadTestSelfie(person);
    for (const name of TEST_PEOPLE[person].portraits) {
      const result = await verifier.compareFaces({
        portrait: await readFixture(name),
        selfie: personSelfie,
      });
      assert.equal(result.decision, "match", name);
    }
  }
});

Deno.test("a selfie stored sideways with EXIF orientation 6 is turned upright and matches", async () => {
  const fixture = TEST_PEOPLE.collins;
  const source = await decodeImage(await readFixture(fixture.source));
  const upright = deriveSelfie(source, fixture.face, PLAIN_SELFIE).image;
  const sideways = encodeJpeg(quarterTurnAnticlockwise(upright), 88);
  const withoutExif = await verifier.compareFaces({ portrait, selfie: sideways });
  assert.notEqual(withoutExif.decision, "match", "the sideways pixels alone must not be enough");
  const rotated = await verifier.compareFaces({
    portrait,
    selfie: withExifOrientation(sideways, 6),
  });
  assert.deepEqual(rotated, { decision: "match", reason: "face_match" });
});

Deno.test("undecodable and faceless inputs are inconclusive, never a match", async () => {
  const garbage = new TextEncoder().encode("not an image at all");
  assert.deepEqual(await verifier.compareFaces({ portrait: garbage, selfie }), {
    decision: "inconclusive",
    reason: "portrait_undecodable",
  });
  const truncated = selfie.subarray(0, 400);
  assert.equal(
    (await verifier.compareFaces({ portrait, selfie: truncated })).decision,
    "inconclusive",
  );
  const blank = encodeJpeg({
    width: 320,
    height: 240,
    data: new Uint8Array(320 * 240 * 3).fill(128),
  });
  assert.deepEqual(await verifier.compareFaces({ portrait, selfie: blank }), {
    decision: "inconclusive",
    reason: "selfie_no_face",
  });
});

Deno.test({
  name: "the ICAO specimen portrait (shared vectors) matches its own selfie and not Collins",
  async fn() {
    const specimen = readVector("dg2-samples/ICAO_39794_5_AP_Face.jp2");
    const image = await decodeImage(specimen);
    const face = { x: 59, y: 173, width: 318, height: 270 };
    const own = encodeJpeg(deriveSelfie(image, face, { ...PLAIN_SELFIE, tiltDegrees: 6 }).image);
    assert.equal(
      (await verifier.compareFaces({ portrait: specimen, selfie: own })).decision,
      "match",
    );
    assert.equal(
      (await verifier.compareFaces({ portrait: specimen, selfie })).decision,
      "no_match",
    );
  },
});

Deno.test("liveness passes when the frames follow the issued challenge", async () => {
  const challenge = issuePoseChallenge(counterRandom(7));
  const frames = await makeTestPoseFrames(challenge);
  assert.deepEqual(await verifier.checkLiveness({ portrait, frames, challenge }), {
    passed: true,
    reason: "liveness_passed",
  });
});

Deno.test("a still photo replayed as every frame fails liveness", async () => {
  const still = await makeTestPoseFrames({ poses: ["centre"], nonce: "still-photo-1" });
  const sameBytes = [still[0], still[0], still[0]];
  assert.deepEqual(
    await verifier.checkLiveness({ portrait, frames: sameBytes, challenge: LEFT_RIGHT }),
    {
      passed: false,
      reason: "static_frames",
    },
  );
  // Re-encoded copies differ in bytes but still show one pose only.
  const image = await decodeImage(still[0]);
  const reencoded = [80, 85, 90].map((quality) => encodeJpeg(image, quality));
  assert.deepEqual(
    await verifier.checkLiveness({ portrait, frames: reencoded, challenge: LEFT_RIGHT }),
    {
      passed: false,
      reason: "pose_not_observed",
    },
  );
});

Deno.test("liveness fails for poses in the wrong order, another face, or a wrong frame count", async () => {
  const wrongOrder = await makeTestPoseFrames({
    poses: ["centre", "right", "left"],
    nonce: "x-nonce-1",
  });
  const outOfOrder = await verifier.checkLiveness({
    portrait,
    frames: wrongOrder,
    challenge: LEFT_RIGHT,
  });
  assert.deepEqual(outOfOrder, { passed: false, reason: "pose_not_observed" });
  const otherPerson = await makeTestPoseFrames(LEFT_RIGHT, "hopper");
  const stranger = await verifier.checkLiveness({
    portrait,
    frames: otherPerson,
    challenge: LEFT_RIGHT,
  });
  assert.deepEqual(stranger, { passed: false, reason: "frame_face_mismatch" });
  const good = await makeTestPoseFrames(LEFT_RIGHT);
  const short = await verifier.checkLiveness({
    portrait,
    frames: good.slice(0, 2),
    challenge: LEFT_RIGHT,
  });
  assert.deepEqual(short, { passed: false, reason: "frame_count_mismatch" });
  const badChallenge = { poses: ["left", "centre"], nonce: "x-nonce-2" } as PoseChallenge;
  const invalid = await verifier.checkLiveness({
    portrait,
    frames: good.slice(0, 2),
    challenge: badChallenge,
  });
  assert.deepEqual(invalid, { passed: false, reason: "challenge_invalid" });
});

/** Two pictures side by side (same height): a frame with two faces of similar size. */
async function sideBySide(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  const a = await decodeImage(left), b = await decodeImage(right);
  assert.equal(a.height, b.height);
  const width = a.width + b.width, height = a.height;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    data.set(a.data.subarray(y * a.width * 3, (y + 1) * a.width * 3), y * width * 3);
    data.set(b.data.subarray(y * b.width * 3, (y + 1) * b.width * 3), (y * width + a.width) * 3);
  }
  return encodeJpeg({ width, height, data });
}

const blankJpeg = (shade: number) =>
  encodeJpeg({ width: 320, height: 240, data: new Uint8Array(320 * 240 * 3).fill(shade) });

Deno.test("compare: each unusable input has its own reason code", async () => {
  const garbage = new TextEncoder().encode("not an image at all");
  assert.deepEqual(await verifier.compareFaces({ portrait, selfie: garbage }), {
    decision: "inconclusive",
    reason: "selfie_undecodable",
  });
  assert.deepEqual(await verifier.compareFaces({ portrait: blankJpeg(128), selfie }), {
    decision: "inconclusive",
    reason: "portrait_no_face",
  });
  const two = await sideBySide(selfie, await loadOtherPersonSelfie());
  assert.deepEqual(await verifier.compareFaces({ portrait, selfie: two }), {
    decision: "inconclusive",
    reason: "selfie_multiple_faces",
  });
});

Deno.test("liveness: an undecodable, faceless or crowded frame, or a faceless portrait, fails with its code", async () => {
  const frames = await makeTestPoseFrames(LEFT_RIGHT);
  const run = (replace: number, frame: Uint8Array, p = portrait) => {
    const changed = frames.map((f, i) => i === replace ? frame : f);
    return verifier.checkLiveness({ portrait: p, frames: changed, challenge: LEFT_RIGHT });
  };
  assert.deepEqual(await run(1, new TextEncoder().encode("garbage")), {
    passed: false,
    reason: "frame_undecodable",
  });
  assert.deepEqual(await run(0, blankJpeg(90)), { passed: false, reason: "frame_no_face" });
  assert.deepEqual(await run(2, await sideBySide(selfie, await loadOtherPersonSelfie())), {
    passed: false,
    reason: "frame_multiple_faces",
  });
  assert.deepEqual(
    await verifier.checkLiveness({ portrait: blankJpeg(128), frames, challenge: LEFT_RIGHT }),
    { passed: false, reason: "portrait_no_face" },
  );
  // The untouched frames pass: each failure above comes from the one frame changed.
  assert.deepEqual(
    await verifier.checkLiveness({ portrait, frames, challenge: LEFT_RIGHT }),
    { passed: true, reason: "liveness_passed" },
  );
});

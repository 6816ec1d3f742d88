import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import {
  estimateHeadPose,
  issuePoseChallenge,
  isValidPoseChallenge,
  showsPose,
  TURN_MIN_YAW_CHANGE,
} from "./pose_challenge.ts";
import type { Point } from "./face_engine.ts";

/** A replayable random source over a fixed byte list (cycled). */
function bytesSource(bytes: number[]): (n: number) => Uint8Array {
  let i = 0;
  return (n) => Uint8Array.from({ length: n }, () => bytes[i++ % bytes.length]);
}

Deno.test("the default challenge is centre then left and right in a random order", () => {
  const even = issuePoseChallenge(bytesSource([0]));
  const odd = issuePoseChallenge(bytesSource([1]));
  assert.deepEqual(even.poses, ["centre", "left", "right"]);
  assert.deepEqual(odd.poses, ["centre", "right", "left"]);
  assert.match(even.nonce, /^[A-Za-z0-9_-]{22}$/);
});

Deno.test("challenges start at centre, never repeat a pose in a row and are always valid", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 1, maxLength: 64 }),
      fc.integer({ min: 1, max: 4 }),
      (bytes, moves) => {
        const challenge = issuePoseChallenge(bytesSource([...bytes, 7]), {
          moves,
          pool: ["left", "right", "up", "down"],
        });
        assert.equal(challenge.poses.length, moves + 1);
        assert.equal(challenge.poses[0], "centre");
        for (let i = 1; i < challenge.poses.length; i++) {
          assert.notEqual(challenge.poses[i], challenge.poses[i - 1]);
        }
        return isValidPoseChallenge(challenge);
      },
    ),
    { numRuns: 10_000 },
  );
});

Deno.test("a random source that only returns biased bytes is refused, not used", () => {
  // Three candidates: bytes ≥ 255 are rejected to avoid modulo bias; 255 forever is an error.
  assert.throws(() =>
    issuePoseChallenge(bytesSource([255]), { pool: ["left", "right", "up", "down"] })
  );
  assert.throws(() => issuePoseChallenge(bytesSource([0]), { moves: 5 }), RangeError);
  assert.throws(() => issuePoseChallenge(bytesSource([0]), { pool: ["left"] }), RangeError);
});

Deno.test("challenges from outside are validated", () => {
  assert.ok(isValidPoseChallenge({ poses: ["centre", "left"], nonce: "abcdefgh" }));
  assert.ok(!isValidPoseChallenge({ poses: ["centre", "centre"], nonce: "abcdefgh" }));
  assert.ok(!isValidPoseChallenge({ poses: ["left", "centre"], nonce: "abcdefgh" }));
  assert.ok(!isValidPoseChallenge({ poses: ["centre", "sideways"], nonce: "abcdefgh" }));
  assert.ok(!isValidPoseChallenge({ poses: ["centre", "left"], nonce: "short" }));
  assert.ok(
    !isValidPoseChallenge({
      poses: ["centre", "left", "right", "up", "down", "left"],
      nonce: "abcdefgh",
    }),
  );
  assert.ok(!isValidPoseChallenge(null));
});

/** 68 landmarks of a schematic face: jaw 0–16 on a line, nose tip 30, eyes 36–47, chin 8. */
function schematicFace(noseX: number, noseY = 60): Point[] {
  const points: Point[] = Array.from({ length: 68 }, () => ({ x: 50, y: 50 }));
  points[0] = { x: 0, y: 40 };
  points[16] = { x: 100, y: 40 };
  points[8] = { x: 50, y: 100 };
  points[30] = { x: noseX, y: noseY };
  for (const i of [36, 39]) points[i] = { x: 30, y: 40 };
  for (const i of [42, 45]) points[i] = { x: 70, y: 40 };
  return points;
}

Deno.test("head pose is read from the nose against the jaw line and the eyes", () => {
  assert.deepEqual(estimateHeadPose(schematicFace(50)), { yaw: 0, pitch: 1 / 3 });
  assert.ok(estimateHeadPose(schematicFace(70)).yaw > 0.3);
  assert.ok(estimateHeadPose(schematicFace(30)).yaw < -0.3);
  assert.ok(
    estimateHeadPose(schematicFace(50, 80)).pitch > estimateHeadPose(schematicFace(50)).pitch,
  );
});

Deno.test("poses are judged against the subject's own centre frame", () => {
  const centre = { yaw: 0.02, pitch: 0.35 };
  assert.ok(showsPose("centre", centre, centre));
  assert.ok(!showsPose("centre", { yaw: 0.3, pitch: 0.35 }, centre));
  const left = { yaw: centre.yaw + TURN_MIN_YAW_CHANGE + 0.01, pitch: 0.35 };
  assert.ok(showsPose("left", left, centre));
  assert.ok(!showsPose("right", left, centre));
  assert.ok(!showsPose("left", centre, centre), "no movement is not a turn");
  assert.ok(showsPose("down", { yaw: 0, pitch: 0.45 }, centre));
  assert.ok(showsPose("up", { yaw: 0, pitch: 0.25 }, centre));
});

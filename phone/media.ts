/**
 * The synthetic passport and selfie frames a scenario plays, built from the shipped
 * public-domain faces. Frames are synthesised once per (person, pose) and cached: the pose
 * sequence changes every attempt, the images of one pose do not need to.
 */
import { createSyntheticPassport, type SyntheticPassport } from "../verify/mod.ts";
import type { Pose, PoseChallenge } from "../verify/biometric/mod.ts";
import { loadTestPortrait, makeTestPoseFrames } from "../verify/biometric/fixtures.ts";
import type { Scenario } from "./scenarios.ts";

let portrait: Promise<Uint8Array> | undefined;
const frames = new Map<string, Promise<Uint8Array>>();

/** The scenario's passport, issued at `now` (the server's time in tests). */
export async function passportFor(scenario: Scenario, now: Date): Promise<SyntheticPassport> {
  portrait ??= loadTestPortrait("collins");
  return await createSyntheticPassport({ ...scenario.passport, portrait: await portrait, now });
}

function poseFrame(person: "collins" | "hopper", pose: Pose): Promise<Uint8Array> {
  const key = `${person}:${pose}`;
  let frame = frames.get(key);
  if (!frame) {
    frame = makeTestPoseFrames({ poses: [pose], nonce: "reference-phone" }, person).then((f) =>
      f[0]
    );
    frames.set(key, frame);
  }
  return frame;
}

/** One JPEG per pose of the challenge (or the centre pose each time for a still photo). */
export async function selfieFramesFor(
  scenario: Scenario,
  challenge: PoseChallenge,
): Promise<Uint8Array[]> {
  const poses = scenario.staticSelfie
    ? challenge.poses.map(() => "centre" as Pose)
    : challenge.poses;
  return await Promise.all(poses.map((pose) => poseFrame(scenario.selfiePerson, pose)));
}

/** A person's own selfie frames (`deno task phone --selfie … --frames …`). */
export interface SelfieFrames {
  /** The frame facing the camera (pose `centre`), also used for any pose without its own frame. */
  centre: Uint8Array;
  /** Frames of the other poses, by pose. */
  poses?: Partial<Record<Pose, Uint8Array>>;
}

/** One frame per pose of the challenge, in its order, from a person's own frames. */
export function selfieFramesFromFiles(
  frames: SelfieFrames,
  challenge: PoseChallenge,
): Uint8Array[] {
  return challenge.poses.map((pose) => frames.poses?.[pose] ?? frames.centre);
}

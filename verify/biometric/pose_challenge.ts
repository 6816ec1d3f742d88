/**
 * Active liveness, part 1: the random pose sequence the server issues, and the head pose read from
 * 68 face landmarks. A still photo shows one pose only, so it cannot follow a sequence that always
 * starts at "centre" and then turns.
 */
import type { Point } from "./face_engine.ts";
import { ALL_POSES, type Pose, type PoseChallenge } from "./types.ts";

/** Options of {@link issuePoseChallenge}. */
export interface PoseChallengeOptions {
  /** How many turns follow the initial "centre" (default 2; the phone sends at most 5 frames). */
  moves?: number;
  /** The poses turns are drawn from (default left and right: see `docs/biometrics.md`). */
  pool?: Pose[];
}

const DEFAULT_POOL: Pose[] = ["left", "right"];
const NONCE_BYTES = 16;
/** The phone uploads at most 5 selfie frames (docs/mobile-protocol.md), one per pose. */
export const MAX_CHALLENGE_POSES = 5;

/**
 * Issues a random pose sequence: "centre", then `moves` turns, never the same pose twice in a row.
 * `random(n)` must return n cryptographically random bytes (inject `crypto.getRandomValues`).
 */
export function issuePoseChallenge(
  random: (n: number) => Uint8Array,
  options: PoseChallengeOptions = {},
): PoseChallenge {
  const moves = options.moves ?? 2;
  const pool = (options.pool ?? DEFAULT_POOL).filter((p) => p !== "centre");
  if (!Number.isInteger(moves) || moves < 1 || moves + 1 > MAX_CHALLENGE_POSES || pool.length < 2) {
    throw new RangeError("a pose challenge needs 1–4 moves and at least two turn poses");
  }
  const poses: Pose[] = ["centre"];
  for (let i = 0; i < moves; i++) {
    const candidates = pool.filter((p) => p !== poses[poses.length - 1]);
    poses.push(candidates[uniformIndex(random, candidates.length)]);
  }
  return { poses, nonce: base64Url(random(NONCE_BYTES)) };
}

/** A uniform index below n from random bytes (rejection sampling avoids modulo bias). */
function uniformIndex(random: (n: number) => Uint8Array, n: number): number {
  const limit = 256 - (256 % n);
  for (let attempt = 0; attempt < 64; attempt++) {
    const byte = random(1)[0];
    if (byte < limit) return byte % n;
  }
  throw new Error("random source returned biased bytes");
}

function base64Url(bytes: Uint8Array): string {
  return bytes.toBase64({ alphabet: "base64url", omitPadding: true });
}

/** True when a challenge received from outside is well formed (known poses, starts at centre). */
export function isValidPoseChallenge(challenge: unknown): challenge is PoseChallenge {
  if (typeof challenge !== "object" || challenge === null) return false;
  const { poses, nonce } = challenge as Partial<PoseChallenge>;
  if (typeof nonce !== "string" || nonce.length < 8 || !Array.isArray(poses)) return false;
  if (poses.length < 2 || poses.length > MAX_CHALLENGE_POSES || poses[0] !== "centre") return false;
  return poses.every((p) => ALL_POSES.includes(p)) && poses.some((p) => p !== "centre");
}

/** Head pose measures from landmarks, both roughly in [-1, 1]. */
export interface HeadPose {
  /** > 0: the nose is right of the face's middle in the picture (the subject's own left turn). */
  yaw: number;
  /** Nose height between the eye line (0) and the chin (1); grows when the head bows. */
  pitch: number;
}

/** Estimates yaw and pitch from 68 landmarks (jaw 0–16, nose tip 30, eyes 36–47, chin 8). */
export function estimateHeadPose(landmarks: Point[]): HeadPose {
  const jawRight = landmarks[0], jawLeft = landmarks[16], nose = landmarks[30], chin = landmarks[8];
  const width = jawLeft.x - jawRight.x;
  const yaw = width > 0 ? ((nose.x - jawRight.x) - (jawLeft.x - nose.x)) / width : 0;
  const eyeY = (landmarks[36].y + landmarks[39].y + landmarks[42].y + landmarks[45].y) / 4;
  const pitch = chin.y > eyeY ? (nose.y - eyeY) / (chin.y - eyeY) : 0;
  return { yaw, pitch };
}

/**
 * Pose thresholds. A frontal face reads |yaw| ≲ 0.05; a synthesised 30° turn moves yaw by about
 * 0.14 and a real one by more (the nose stands out of the face), so a turn must move yaw by at
 * least {@link TURN_MIN_YAW_CHANGE} from the subject's own centre frame.
 */
export const CENTRE_MAX_ABS_YAW = 0.1;
/** See {@link CENTRE_MAX_ABS_YAW}. */
export const TURN_MIN_YAW_CHANGE = 0.08;
/** Change of {@link HeadPose.pitch} from the centre frame that counts as up or down. */
export const TILT_MIN_PITCH_CHANGE = 0.06;

/** True when `pose` is shown, judged against the subject's own centre frame. */
export function showsPose(pose: Pose, observed: HeadPose, centre: HeadPose): boolean {
  const dYaw = observed.yaw - centre.yaw, dPitch = observed.pitch - centre.pitch;
  switch (pose) {
    case "centre":
      return Math.abs(observed.yaw) <= CENTRE_MAX_ABS_YAW &&
        Math.abs(dPitch) < TILT_MIN_PITCH_CHANGE;
    case "left":
      return dYaw >= TURN_MIN_YAW_CHANGE;
    case "right":
      return dYaw <= -TURN_MIN_YAW_CHANGE;
    case "down":
      return dPitch >= TILT_MIN_PITCH_CHANGE;
    case "up":
      return dPitch <= -TILT_MIN_PITCH_CHANGE;
  }
}

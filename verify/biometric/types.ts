/**
 * The public contract of the biometric step (docs/biometrics.md): a face match between the chip
 * portrait and a selfie, and an active liveness check over a server-issued pose sequence.
 *
 * Scores never appear in these types on purpose: callers see a decision and a stable reason code,
 * so no score can leak into logs, storage or webhooks.
 */

/** A head pose the phone asks the user to show. Yaw and pitch are read in the captured image. */
export type Pose = "centre" | "left" | "right" | "up" | "down";

/** Every pose name, in a fixed order (used to validate challenges from outside). */
export const ALL_POSES: readonly Pose[] = ["centre", "left", "right", "up", "down"];

/** The random pose sequence the server issues when the phone reaches the selfie step. */
export interface PoseChallenge {
  /** The poses the frames must show, one frame per pose, in this order. */
  poses: Pose[];
  /** Random base64url nonce binding the frames to this challenge (unique per issue). */
  nonce: string;
}

/** The outcome of a face comparison: a decision and a stable reason code, never a score. */
export interface FaceMatchResult {
  /** `inconclusive` must be treated as a failure by the caller: the verifier fails closed. */
  decision: "match" | "no_match" | "inconclusive";
  /** Stable reason code, one of {@link FaceReason}. */
  reason: FaceReason;
}

/** The outcome of an active liveness check. */
export interface LivenessResult {
  /** True only when every frame shows its pose, in order, and the portrait's face. */
  passed: boolean;
  /** Stable reason code, one of {@link LivenessReason}. */
  reason: LivenessReason;
}

/** Stable reason codes of a face comparison. */
export type FaceReason =
  | "face_match"
  | "face_mismatch"
  | "face_uncertain"
  | "portrait_no_face"
  | "selfie_no_face"
  | "selfie_multiple_faces"
  | "portrait_undecodable"
  | "selfie_undecodable"
  | "verifier_unavailable";

/** Stable reason codes of a liveness check. */
export type LivenessReason =
  | "liveness_passed"
  | "challenge_invalid"
  | "frame_count_mismatch"
  | "frame_undecodable"
  | "frame_no_face"
  | "frame_multiple_faces"
  | "frame_face_mismatch"
  | "pose_not_observed"
  | "static_frames"
  | "portrait_no_face"
  | "portrait_undecodable"
  | "verifier_unavailable";

/** Input of {@link BiometricVerifier.compareFaces}. */
export interface CompareFacesInput {
  /** The chip portrait bytes: JPEG, JP2 or J2K (found by magic bytes). */
  portrait: Uint8Array;
  /** The selfie JPEG bytes (EXIF orientation is honoured). */
  selfie: Uint8Array;
  /** The holder's age in whole years when known; children are matched more leniently. */
  subjectAgeYears?: number;
}

/** Input of {@link BiometricVerifier.checkLiveness}. */
export interface CheckLivenessInput {
  /** The chip portrait bytes: JPEG, JP2 or J2K. */
  portrait: Uint8Array;
  /** Selfie JPEG frames, one per pose of the challenge, in order. */
  frames: Uint8Array[];
  /** The challenge the server issued for this attempt. */
  challenge: PoseChallenge;
  /** The holder's age in whole years when known (same leniency as the face match). */
  subjectAgeYears?: number;
}

/** A face verifier: in-process ({@link createLocalBiometricVerifier}) or remote over HTTP. */
export interface BiometricVerifier {
  /** Compares the chip portrait with one selfie. Never throws: failures are `inconclusive`. */
  compareFaces(input: CompareFacesInput): Promise<FaceMatchResult>;
  /** Checks that the frames show the challenge's poses in order, all of the portrait's face. */
  checkLiveness(input: CheckLivenessInput): Promise<LivenessResult>;
  /** Releases what it holds (the worker verifier's thread); later calls fail closed. */
  close?(): void;
}

/** The answer of a face comparison that could not run: never a match (fail closed). */
export function unavailableMatch(): FaceMatchResult {
  return { decision: "inconclusive", reason: "verifier_unavailable" };
}

/** The answer of a liveness check that could not run: failed (fail closed). */
export function unavailableLiveness(): LivenessResult {
  return { passed: false, reason: "verifier_unavailable" };
}

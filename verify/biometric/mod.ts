/**
 * The biometric step of a verification (docs/biometrics.md): face match of the chip portrait
 * against a selfie, and active liveness over a random pose sequence.
 *
 * ```ts
 * const verifier = await createLocalBiometricVerifier(); // or createWorkerBiometricVerifier(),
 *                                                         // or createRemoteBiometricVerifier({...})
 * const challenge = issuePoseChallenge((n) => crypto.getRandomValues(new Uint8Array(n)));
 * const match = await verifier.compareFaces({ portrait, selfie, subjectAgeYears });
 * const live = await verifier.checkLiveness({ portrait, frames, challenge });
 * // match.decision !== "match"  → selfie_face_mismatch;  !live.passed → liveness_failed
 * ```
 *
 * Only decisions and reason codes leave this module; face scores never do.
 */
export type {
  BiometricVerifier,
  CheckLivenessInput,
  CompareFacesInput,
  FaceMatchResult,
  FaceReason,
  LivenessReason,
  LivenessResult,
  Pose,
  PoseChallenge,
} from "./types.ts";
export { ALL_POSES } from "./types.ts";
export {
  issuePoseChallenge,
  isValidPoseChallenge,
  type PoseChallengeOptions,
} from "./pose_challenge.ts";
export { createLocalBiometricVerifier, type LocalVerifierOptions } from "./local_verifier.ts";
export { createWorkerBiometricVerifier, type WorkerBiometricVerifier } from "./worker_verifier.ts";
export { createRemoteBiometricVerifier, type RemoteVerifierOptions } from "./remote_verifier.ts";
export { sniffImageFormat } from "./image_decode.ts";

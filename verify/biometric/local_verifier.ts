/**
 * The in-process {@link BiometricVerifier}: decodes, detects, aligns and embeds on the CPU, then
 * applies the calibrated, age-aware policy. Distances stay inside this module: the results carry a
 * decision and a reason code only, and nothing here logs.
 */
import { decodeImage, type RgbImage } from "./image_decode.ts";
import {
  type FaceAnalysis,
  type FaceEngine,
  type FaceEngineOptions,
  loadFaceEngine,
} from "./face_engine.ts";
import {
  DEFAULT_FACE_POLICY,
  embeddingDistance,
  type FacePolicy,
  judgeDistance,
  thresholdsForAge,
} from "./face_policy.ts";
import {
  estimateHeadPose,
  type HeadPose,
  isValidPoseChallenge,
  showsPose,
} from "./pose_challenge.ts";
import type {
  BiometricVerifier,
  CheckLivenessInput,
  CompareFacesInput,
  FaceMatchResult,
  LivenessReason,
  LivenessResult,
} from "./types.ts";
import { unavailableLiveness, unavailableMatch } from "./types.ts";

/** Options of {@link createLocalBiometricVerifier}. */
export interface LocalVerifierOptions extends FaceEngineOptions {
  /** An already loaded engine (tests share one); by default the process-wide engine is loaded. */
  engine?: FaceEngine;
  /** Thresholds calibrated by the operator; defaults to {@link DEFAULT_FACE_POLICY}. */
  policy?: FacePolicy;
}

/**
 * Loads the models (once per process) and returns the in-process verifier. Rejects when the models
 * cannot be loaded: the caller then treats the biometric step as unavailable (fail closed).
 */
export async function createLocalBiometricVerifier(
  options: LocalVerifierOptions = {},
): Promise<BiometricVerifier> {
  const engine = options.engine ?? await loadFaceEngine(options);
  const policy = options.policy ?? DEFAULT_FACE_POLICY;
  return {
    compareFaces: (input) => compareFaces(engine, policy, input).catch(() => unavailableMatch()),
    checkLiveness: (input) =>
      checkLiveness(engine, policy, input).catch(() => unavailableLiveness()),
  };
}

function failLiveness(reason: LivenessReason): LivenessResult {
  return { passed: false, reason };
}

async function tryDecode(bytes: Uint8Array): Promise<RgbImage | null> {
  try {
    return await decodeImage(bytes);
  } catch {
    return null;
  }
}

async function compareFaces(
  engine: FaceEngine,
  policy: FacePolicy,
  input: CompareFacesInput,
): Promise<FaceMatchResult> {
  const portraitImage = await tryDecode(input.portrait);
  if (!portraitImage) return { decision: "inconclusive", reason: "portrait_undecodable" };
  const selfieImage = await tryDecode(input.selfie);
  if (!selfieImage) return { decision: "inconclusive", reason: "selfie_undecodable" };
  const portrait = await engine.analyse(portraitImage);
  if (portrait.kind !== "one") return { decision: "inconclusive", reason: "portrait_no_face" };
  const selfie = await engine.analyse(selfieImage);
  if (selfie.kind === "none") return { decision: "inconclusive", reason: "selfie_no_face" };
  if (selfie.kind === "multiple") {
    return { decision: "inconclusive", reason: "selfie_multiple_faces" };
  }
  const distance = embeddingDistance(portrait.face.descriptor, selfie.face.descriptor);
  const verdict = judgeDistance(distance, thresholdsForAge(input.subjectAgeYears, policy));
  if (verdict === "match") return { decision: "match", reason: "face_match" };
  if (verdict === "no_match") return { decision: "no_match", reason: "face_mismatch" };
  return { decision: "inconclusive", reason: "face_uncertain" };
}

async function checkLiveness(
  engine: FaceEngine,
  policy: FacePolicy,
  input: CheckLivenessInput,
): Promise<LivenessResult> {
  const { challenge, frames } = input;
  if (!isValidPoseChallenge(challenge)) return failLiveness("challenge_invalid");
  if (!Array.isArray(frames) || frames.length !== challenge.poses.length) {
    return failLiveness("frame_count_mismatch");
  }
  // A replayed still: the same bytes twice can never show two poses. Cheap, before any model.
  if (hasDuplicateFrames(frames)) return failLiveness("static_frames");
  const portraitImage = await tryDecode(input.portrait);
  if (!portraitImage) return failLiveness("portrait_undecodable");
  const portrait = await engine.analyse(portraitImage);
  if (portrait.kind !== "one") return failLiveness("portrait_no_face");
  const thresholds = thresholdsForAge(input.subjectAgeYears, policy);
  const observed: HeadPose[] = [];
  for (const frame of frames) {
    const image = await tryDecode(frame);
    if (!image) return failLiveness("frame_undecodable");
    const analysis: FaceAnalysis = await engine.analyse(image);
    if (analysis.kind === "none") return failLiveness("frame_no_face");
    if (analysis.kind === "multiple") return failLiveness("frame_multiple_faces");
    const distance = embeddingDistance(portrait.face.descriptor, analysis.face.descriptor);
    if (judgeDistance(distance, thresholds) !== "match") return failLiveness("frame_face_mismatch");
    observed.push(estimateHeadPose(analysis.face.landmarks));
  }
  const centre = observed[0];
  const allShown = challenge.poses.every((pose, i) => showsPose(pose, observed[i], centre));
  return allShown ? { passed: true, reason: "liveness_passed" } : failLiveness("pose_not_observed");
}

function hasDuplicateFrames(frames: Uint8Array[]): boolean {
  for (let i = 0; i < frames.length; i++) {
    for (let j = i + 1; j < frames.length; j++) {
      if (sameBytes(frames[i], frames[j])) return true;
    }
  }
  return false;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

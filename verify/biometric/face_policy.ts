/**
 * The decision policy of the face match: the Euclidean distance between two 128-d embeddings is
 * turned into match / no_match / inconclusive. Between the two thresholds lies an uncertain band
 * that fails closed (the caller treats `inconclusive` as a failure and may ask for a new selfie).
 *
 * Children's faces change quickly and the chip portrait can be up to 5 years old, so below
 * {@link CHILD_AGE_LIMIT_YEARS} both thresholds move up (more lenient), as document-check
 * guidance for minors recommends. Calibration and its data are in `docs/biometrics.md`.
 */

/** The two thresholds of one policy band (embedding distances). */
export interface FaceThresholds {
  /** Distance at or below which the faces match. */
  matchAtMost: number;
  /** Distance at or above which the faces do not match; between the two: inconclusive. */
  noMatchAtLeast: number;
}

/** Thresholds for adults, calibrated on the labelled set (see `docs/biometrics.md`). */
export const ADULT_THRESHOLDS: FaceThresholds = { matchAtMost: 0.45, noMatchAtLeast: 0.55 };

/** Thresholds for children under {@link CHILD_AGE_LIMIT_YEARS}: more lenient. */
export const CHILD_THRESHOLDS: FaceThresholds = { matchAtMost: 0.5, noMatchAtLeast: 0.6 };

/** Ages strictly below this use {@link CHILD_THRESHOLDS}. */
export const CHILD_AGE_LIMIT_YEARS = 14;

/** The verdict on one distance. */
export type DistanceVerdict = "match" | "no_match" | "inconclusive";

/** The thresholds of both age bands (operators may calibrate their own). */
export interface FacePolicy {
  adult: FaceThresholds;
  child: FaceThresholds;
}

/** The shipped policy. */
export const DEFAULT_FACE_POLICY: FacePolicy = { adult: ADULT_THRESHOLDS, child: CHILD_THRESHOLDS };

/** Chooses the thresholds for a subject's age (unknown or invalid age: adult thresholds). */
export function thresholdsForAge(
  subjectAgeYears?: number,
  policy: FacePolicy = DEFAULT_FACE_POLICY,
): FaceThresholds {
  const isChild = typeof subjectAgeYears === "number" && Number.isFinite(subjectAgeYears) &&
    subjectAgeYears >= 0 && subjectAgeYears < CHILD_AGE_LIMIT_YEARS;
  return isChild ? policy.child : policy.adult;
}

/** Applies the thresholds to a distance; a non-finite distance is never a match. */
export function judgeDistance(distance: number, thresholds: FaceThresholds): DistanceVerdict {
  if (!Number.isFinite(distance)) return "inconclusive";
  if (distance <= thresholds.matchAtMost) return "match";
  if (distance >= thresholds.noMatchAtLeast) return "no_match";
  return "inconclusive";
}

/** Euclidean distance between two embeddings of equal length (NaN when the lengths differ). */
export function embeddingDistance(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length || a.length === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    sum += d * d;
  }
  return Math.sqrt(sum);
}

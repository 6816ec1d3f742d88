/**
 * A {@link BiometricVerifier} that delegates to an operator's own service over HTTP (for a stronger
 * model). The JSON contract is in `docs/biometrics.md`. It fails closed: a timeout, a network
 * error, a non-2xx status or a malformed answer gives `inconclusive` / `passed: false` with the
 * reason `verifier_unavailable`, never a match.
 */
import type {
  BiometricVerifier,
  CheckLivenessInput,
  CompareFacesInput,
  FaceMatchResult,
  FaceReason,
  LivenessReason,
  LivenessResult,
} from "./types.ts";
import { unavailableLiveness, unavailableMatch } from "./types.ts";

/** Options of {@link createRemoteBiometricVerifier}. */
export interface RemoteVerifierOptions {
  /** Base URL; requests go to `<url>/compare` and `<url>/liveness`. */
  url: string;
  /** Per-request deadline in milliseconds. */
  timeoutMs: number;
  /** Injected fetch (tests); defaults to the global one. */
  fetch?: typeof fetch;
  /** Extra request headers, e.g. `authorization` for the operator's service. */
  headers?: Record<string, string>;
}

/** Version of the request/response contract, sent as `v`. */
export const REMOTE_CONTRACT_VERSION = 1;

const FACE_REASONS: readonly FaceReason[] = [
  "face_match",
  "face_mismatch",
  "face_uncertain",
  "portrait_no_face",
  "selfie_no_face",
  "selfie_multiple_faces",
  "portrait_undecodable",
  "selfie_undecodable",
  "verifier_unavailable",
];

const LIVENESS_REASONS: readonly LivenessReason[] = [
  "liveness_passed",
  "challenge_invalid",
  "frame_count_mismatch",
  "frame_undecodable",
  "frame_no_face",
  "frame_multiple_faces",
  "frame_face_mismatch",
  "pose_not_observed",
  "static_frames",
  "portrait_no_face",
  "portrait_undecodable",
  "verifier_unavailable",
];

/** Creates the HTTP verifier. Nothing is sent until a method is called. */
export function createRemoteBiometricVerifier(options: RemoteVerifierOptions): BiometricVerifier {
  const base = options.url.endsWith("/") ? options.url : `${options.url}/`;
  const post = (path: string, body: unknown) => postJson(options, new URL(path, base), body);
  return {
    async compareFaces(input: CompareFacesInput): Promise<FaceMatchResult> {
      const answer = await post("compare", {
        v: REMOTE_CONTRACT_VERSION,
        portrait: input.portrait.toBase64(),
        selfie: input.selfie.toBase64(),
        subject_age_years: input.subjectAgeYears ?? null,
      });
      return parseFaceMatch(answer);
    },
    async checkLiveness(input: CheckLivenessInput): Promise<LivenessResult> {
      const answer = await post("liveness", {
        v: REMOTE_CONTRACT_VERSION,
        portrait: input.portrait.toBase64(),
        frames: input.frames.map((frame) => frame.toBase64()),
        challenge: { poses: input.challenge.poses, nonce: input.challenge.nonce },
        subject_age_years: input.subjectAgeYears ?? null,
      });
      return parseLiveness(answer);
    },
  };
}

/** POSTs JSON and returns the parsed answer, or null on any failure (the callers fail closed). */
async function postJson(options: RemoteVerifierOptions, url: URL, body: unknown): Promise<unknown> {
  const doFetch = options.fetch ?? fetch;
  try {
    const response = await doFetch(url, {
      method: "POST",
      headers: {
        ...options.headers,
        "content-type": "application/json",
        accept: "application/json",
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    if (!response.ok) {
      await response.body?.cancel();
      return null;
    }
    return await response.json();
  } catch {
    return null;
  }
}

/** Validates a compare answer; anything unexpected is `inconclusive` / `verifier_unavailable`. */
export function parseFaceMatch(answer: unknown): FaceMatchResult {
  const unavailable = unavailableMatch();
  if (typeof answer !== "object" || answer === null) return unavailable;
  const { decision, reason } = answer as Record<string, unknown>;
  if (decision !== "match" && decision !== "no_match" && decision !== "inconclusive") {
    return unavailable;
  }
  if (typeof reason !== "string" || !FACE_REASONS.includes(reason as FaceReason)) {
    return unavailable;
  }
  // A "match" must carry the match reason: a contradictory answer is not trusted.
  if ((decision === "match") !== (reason === "face_match")) return unavailable;
  return { decision, reason: reason as FaceReason };
}

/** Validates a liveness answer; anything unexpected is a failure with `verifier_unavailable`. */
export function parseLiveness(answer: unknown): LivenessResult {
  const unavailable = unavailableLiveness();
  if (typeof answer !== "object" || answer === null) return unavailable;
  const { passed, reason } = answer as Record<string, unknown>;
  if (typeof passed !== "boolean") return unavailable;
  if (typeof reason !== "string" || !LIVENESS_REASONS.includes(reason as LivenessReason)) {
    return unavailable;
  }
  if (passed !== (reason === "liveness_passed")) return unavailable;
  return { passed, reason: reason as LivenessReason };
}

/**
 * The attempt pipeline (docs/document-checks.md): the document checks 1–5 (`checkDocument`, with the trust
 * anchors of the session's mode), then face match, liveness and consent, in that order; the first
 * failure decides the public failure code. The verdict carries the consented claims only, in the
 * session's canonical order. Everything read here lives in memory and is dropped by the caller.
 */
import { getVerificationPolicy } from "../accounts/verification_policy.ts";
import type { AppDeps } from "../deps.ts";
import { contractHash, getConsent } from "../sessions/consent.ts";
import { requiredKeys } from "../sessions/share_fields.ts";
import type { AttemptVerdict } from "../sessions/attempts.ts";
import type { SessionRecord } from "../sessions/types.ts";
import {
  buildClaims,
  checkDocument,
  type CheckFailureCode,
  type ChipAuthenticationRelay,
  type ChipAuthenticationStart,
  createKvTrustSource,
  createMemoryTrustSource,
  deriveOrgClaimKeys,
  type ParsedMrz,
  sandboxCsca,
  type TrustAnchorSource,
} from "../../verify/mod.ts";
import { ageAt } from "../../verify/claims/mod.ts";
import type { BiometricVerifier, PoseChallenge } from "../../verify/biometric/mod.ts";
import type { ArtifactStore } from "./uploads.ts";
import { dataGroupNumber, DOCUMENT_ARTIFACTS } from "./protocol.ts";

/** What an attempt gathered over the WebSocket. */
export interface PipelineInput {
  session: SessionRecord;
  artifacts: ArtifactStore;
  aaChallenge: Uint8Array;
  aaSignature: Uint8Array | null;
  chipAuth: { start: ChipAuthenticationStart; relay: ChipAuthenticationRelay | null } | null;
  poseChallenge: PoseChallenge | null;
  /** The phone's final confirmation of the claims to share (false: the user declined). */
  consentConfirmed: boolean;
  /** Null when no verifier is available: the face match then fails closed. */
  biometric: BiometricVerifier | null;
}

/** The verdict and the name of the check that decided a failure (for logs: names only). */
export interface PipelineOutcome {
  verdict: AttemptVerdict;
  failedCheck: string | null;
}

let sandboxTrust: Promise<TrustAnchorSource> | undefined;

/** Trust anchors of a session: ONLY the sandbox CSCA in test mode, the KV store (never it) live. */
export function trustSourceFor(deps: AppDeps, mode: "live" | "test"): Promise<TrustAnchorSource> {
  if (mode === "live") return Promise.resolve(createKvTrustSource(deps.kv));
  sandboxTrust ??= sandboxCsca().then((csca) =>
    createMemoryTrustSource({ cscas: [csca.certificate], source: "sandbox" })
  );
  return sandboxTrust;
}

function failed(code: CheckFailureCode, check: string, riskScore = 1): PipelineOutcome {
  return { verdict: { outcome: "failed", failureCode: code, riskScore }, failedCheck: check };
}

function dataGroupsOf(artifacts: ArtifactStore): Map<number, Uint8Array> {
  const groups = new Map<number, Uint8Array>();
  for (const kind of DOCUMENT_ARTIFACTS) {
    const number = dataGroupNumber(kind);
    const bytes = artifacts.get(kind);
    if (number !== null && bytes) groups.set(number, bytes);
  }
  return groups;
}

/** Runs docs/document-checks.md in order for one attempt. Never throws for bad input: it fails the check. */
export async function runAttemptPipeline(
  deps: AppDeps,
  input: PipelineInput,
): Promise<PipelineOutcome> {
  const at = deps.clock.now();
  const document = await checkDocument({
    sod: input.artifacts.get("sod") ?? new Uint8Array(),
    dataGroups: dataGroupsOf(input.artifacts),
    trust: await trustSourceFor(deps, input.session.mode),
    at,
    activeAuth: input.aaSignature
      ? { challenge: input.aaChallenge, signature: input.aaSignature }
      : undefined,
    chipAuth: input.chipAuth?.relay
      ? { session: input.chipAuth.start.session, relay: input.chipAuth.relay }
      : undefined,
    policy: {
      allowWithoutAntiCloning:
        (await getVerificationPolicy(deps.kv, input.session.orgId)).allowWithoutAntiCloning,
    },
  });
  if (!document.ok || !document.mrz) {
    const check = document.checks.find((c) => c.status === "failed")?.check ?? "mrz";
    return failed(document.failureCode ?? "document_data_invalid", check);
  }
  const biometric = await checkBiometrics(input, document.portrait?.bytes, document.mrz, at);
  if (biometric) return biometric;
  const consent = await checkConsent(deps, input);
  if (!consent) return failed("consent_declined", "consent", document.riskScore);
  const claims = buildClaims({
    mrz: document.mrz,
    at,
    selectedKeys: consent,
    keys: deriveOrgClaimKeys(deps.keys.raw, input.session.orgId),
  });
  const ordered: Record<string, unknown> = {};
  for (const key of consent) if (key in claims) ordered[key] = claims[key];
  return {
    verdict: {
      outcome: "succeeded",
      riskScore: document.riskScore,
      claims: ordered,
      selectedFieldKeys: consent,
    },
    failedCheck: null,
  };
}

// Steps 6 and 7: fail closed when the verifier, the portrait, a frame or the challenge is missing.
async function checkBiometrics(
  input: PipelineInput,
  portrait: Uint8Array | undefined,
  mrz: ParsedMrz,
  at: Date,
): Promise<PipelineOutcome | null> {
  const frames = input.artifacts.selfieFrames();
  const subjectAgeYears = ageAt(mrz.dateOfBirth, at);
  if (!input.biometric || !portrait || frames.length === 0) {
    return failed("selfie_face_mismatch", "face_match");
  }
  const match = await input.biometric.compareFaces({ portrait, selfie: frames[0], subjectAgeYears })
    .catch(() => ({ decision: "inconclusive" as const }));
  if (match.decision !== "match") return failed("selfie_face_mismatch", "face_match");
  if (!input.poseChallenge) return failed("liveness_failed", "liveness");
  const live = await input.biometric.checkLiveness({
    portrait,
    frames,
    challenge: input.poseChallenge,
    subjectAgeYears,
  }).catch(() => ({ passed: false }));
  return live.passed ? null : failed("liveness_failed", "liveness");
}

// Step 8: the recorded consent answers the session's contract, covers every required field, and
// the user confirmed it on the phone. Returns the consented keys in canonical order, or null.
async function checkConsent(deps: AppDeps, input: PipelineInput): Promise<string[] | null> {
  if (!input.consentConfirmed) return null;
  const { session } = input;
  const consent = await getConsent(deps.kv, session.id);
  if (!consent) return null;
  if (consent.contractHash !== await contractHash(session.contractVersion, session.shareFields)) {
    return null;
  }
  const chosen = new Set(consent.selectedFieldKeys);
  if (!requiredKeys(session.shareFields).every((key) => chosen.has(key))) return null;
  return Object.keys(session.shareFields).filter((key) => chosen.has(key));
}

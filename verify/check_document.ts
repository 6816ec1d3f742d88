/**
 * The document half of an attempt (docs/document-checks.md), run in order; the first failing check
 * decides the public failure code. Face match and liveness (steps 6–7) run in the biometric
 * module with the portrait returned here; consent (step 8) is checked by the web layer.
 *
 * Everything here is in memory: the result holds the MRZ and the portrait for the caller to use
 * and discard, and must never be logged or stored as a whole (log `checks` and codes only).
 */
import { verifyActiveAuthentication } from "./active/active_authentication.ts";
import {
  type ChipAuthenticationRelay,
  type ChipAuthenticationSession,
  verifyChipAuthenticationRelay,
} from "./chip/chip_authentication.ts";
import { parseDg14 } from "./chip/dg14.ts";
import { extractPortrait, type Portrait } from "./document/portrait.ts";
import { compareDates, utcDateOf } from "./mrz/dates.ts";
import { parseDg1 } from "./mrz/dg1.ts";
import type { ParsedMrz } from "./mrz/mrz.ts";
import { passiveAuthenticate } from "./passive/passive_auth.ts";
import { tryParseSod } from "./cms/sod.ts";
import type { PassiveAuthSuccess, RevocationStatus } from "./passive/result.ts";
import {
  type CheckFailureCode,
  type CheckName,
  type CheckOutcome,
  failureCodeOf,
  outcome,
} from "./result.ts";
import type { TrustAnchorSource } from "./trust/types.ts";

/** Which anti-cloning proof the document gave. */
export type AntiCloning = "active" | "chip" | "both" | "none";

/** Inputs of {@link checkDocument}. Byte arrays are complete chip files (tag and length included). */
export interface DocumentCheckInput {
  /** EF.SOD. */
  sod: Uint8Array;
  /** Uploaded data groups by number. DG1 and DG2 are required. */
  dataGroups: Map<number, Uint8Array>;
  /** Trust anchors (the KV store for live sessions, only the sandbox CSCA for test sessions). */
  trust: TrustAnchorSource;
  /** Verification time: validity, CRL freshness, MRZ centuries. */
  at: Date;
  /** The server's AA challenge and the chip's INTERNAL AUTHENTICATE response. */
  activeAuth?: { challenge: Uint8Array; signature: Uint8Array };
  /** The CA session started for this attempt and the phone's relayed first protected exchange. */
  chipAuth?: { session: ChipAuthenticationSession; relay: ChipAuthenticationRelay };
  /** Organization policy. Default: a document proving neither AA nor CA is rejected. */
  policy?: { allowWithoutAntiCloning: boolean };
}

/** The outcome of the document checks. Holds personal data (`mrz`, `portrait`): never log it. */
export interface DocumentCheckResult {
  ok: boolean;
  /** The five document checks in the order docs/document-checks.md gives; checks after a failure are `skipped`. */
  checks: CheckOutcome[];
  /** The public code of the first failed check. */
  failureCode?: CheckFailureCode;
  /** Revocation status passive authentication applied, when it passed. */
  revocation?: RevocationStatus;
  antiCloning: AntiCloning;
  /** 0..1, higher is riskier: 1 on failure; raised without AA/CA or with unknown revocation. */
  riskScore: number;
  mrz?: ParsedMrz;
  /** The DG2 face image (authenticated by passive authentication), for the face match. */
  portrait?: Portrait;
  /** Why no portrait could be extracted, when passive authentication passed but DG2 is unusable. */
  portraitFailure?: string;
}

/** The checks this module runs, in order. */
export const DOCUMENT_CHECKS: readonly CheckName[] = [
  "mrz",
  "passive_authentication",
  "document_validity",
  "active_authentication",
  "chip_authentication",
];

/** Step 1: DG1 present and its MRZ valid. */
export function checkMrz(
  dataGroups: Map<number, Uint8Array>,
  at: Date,
): { outcome: CheckOutcome; mrz?: ParsedMrz } {
  const dg1 = dataGroups.get(1);
  if (!dg1) return { outcome: outcome.failed("mrz", "dg1_missing", "DG1 was not uploaded") };
  const parsed = parseDg1(dg1, at);
  if (!parsed.ok) return { outcome: outcome.failed("mrz", parsed.reason, parsed.detail) };
  return { outcome: outcome.passed("mrz", parsed.mrz.format), mrz: parsed.mrz };
}

/** Step 2: passive authentication; DG1 and DG2 required. */
export async function checkPassiveAuthentication(
  input: Pick<DocumentCheckInput, "sod" | "dataGroups" | "trust" | "at">,
  requiredDataGroups: number[] = [1, 2],
): Promise<{ outcome: CheckOutcome; passive?: PassiveAuthSuccess }> {
  try {
    const { sod, dataGroups, trust, at } = input;
    const result = await passiveAuthenticate({ sod, dataGroups, trust, at, requiredDataGroups });
    if (!result.ok) {
      return { outcome: outcome.failed("passive_authentication", result.reason, result.detail) };
    }
    return {
      outcome: outcome.passed("passive_authentication", result.revocation),
      passive: result,
    };
  } catch {
    // A thrown error is a defect in a lower layer; fail closed without echoing its message.
    return { outcome: outcome.failed("passive_authentication", "passive_authentication_error") };
  }
}

/** Step 3: the document is valid through its expiry date (UTC) inclusive. */
export function checkDocumentValidity(mrz: ParsedMrz, at: Date): CheckOutcome {
  const [year, month, day] = mrz.dateOfExpiry.split("-").map(Number);
  if (compareDates(utcDateOf(at), { year, month, day }) > 0) {
    return outcome.failed("document_validity", "document_expired", "the expiry date has passed");
  }
  return outcome.passed("document_validity");
}

/**
 * Step 4: Active Authentication, required when the SOD covers DG15 (then DG15 and the AA
 * evidence must be there); skipped otherwise, because an uncovered DG15 proves nothing.
 */
export async function checkActiveAuthentication(
  coveredDataGroups: ReadonlySet<number>,
  dataGroups: Map<number, Uint8Array>,
  evidence: DocumentCheckInput["activeAuth"],
): Promise<CheckOutcome> {
  const check = "active_authentication";
  if (!coveredDataGroups.has(15)) return outcome.skipped(check, "aa_not_offered");
  const dg15 = dataGroups.get(15);
  if (!dg15) {
    return outcome.failed(check, "aa_dg15_missing", "the SOD covers DG15 but it was not uploaded");
  }
  if (!evidence) return outcome.failed(check, "aa_evidence_missing", "no AA challenge/signature");
  try {
    const result = await verifyActiveAuthentication({
      dg15,
      dg14: coveredDataGroups.has(14) ? dataGroups.get(14) : undefined,
      challenge: evidence.challenge,
      signature: evidence.signature,
    });
    return result.ok
      ? outcome.passed(check, result.algorithm)
      : outcome.failed(check, result.reason, result.detail);
  } catch {
    return outcome.failed(check, "aa_error");
  }
}

/** True when an authenticated DG14 holds a Chip Authentication key (the protocol may be implied). */
export function chipAuthenticationOffered(
  coveredDataGroups: ReadonlySet<number>,
  dataGroups: Map<number, Uint8Array>,
): boolean | "dg14_missing" | "dg14_malformed" {
  if (!coveredDataGroups.has(14)) return false;
  const dg14 = dataGroups.get(14);
  if (!dg14) return "dg14_missing";
  const parsed = parseDg14(dg14);
  if (!parsed.ok) return "dg14_malformed";
  return parsed.dg14.chipAuthenticationPublicKeys.length > 0;
}

/** Step 5: Chip Authentication, required when DG14 offers it. */
export async function checkChipAuthentication(
  coveredDataGroups: ReadonlySet<number>,
  dataGroups: Map<number, Uint8Array>,
  evidence: DocumentCheckInput["chipAuth"],
): Promise<CheckOutcome> {
  const check = "chip_authentication";
  const offered = chipAuthenticationOffered(coveredDataGroups, dataGroups);
  if (offered === false) return outcome.skipped(check, "ca_not_offered");
  // The SOD lists DG14 but it was withheld (or unreadable): CA cannot be ruled out, fail closed.
  if (offered !== true) {
    return outcome.failed(check, `ca_${offered}`, "DG14 is needed to decide on CA");
  }
  if (!evidence) return outcome.failed(check, "ca_evidence_missing", "no CA session or relay");
  try {
    const result = await verifyChipAuthenticationRelay(evidence.session, evidence.relay);
    return result.ok ? outcome.passed(check) : outcome.failed(check, result.reason, result.detail);
  } catch {
    return outcome.failed(check, "ca_error");
  }
}

/** The anti-cloning proof given by the AA and CA outcomes. */
export function antiCloningOf(checks: readonly CheckOutcome[]): AntiCloning {
  const passed = (name: CheckName) =>
    checks.some((check) => check.check === name && check.status === "passed");
  const active = passed("active_authentication");
  const chip = passed("chip_authentication");
  return active && chip ? "both" : active ? "active" : chip ? "chip" : "none";
}

const RISK_BY_ANTI_CLONING: Readonly<Record<AntiCloning, number>> = {
  both: 0,
  active: 0.1,
  chip: 0.1,
  none: 0.6,
};
const RISK_REVOCATION_UNKNOWN = 0.2;

/** 1 for a failed document; else the anti-cloning base plus 0.2 when revocation is unknown. */
export function documentRiskScore(
  ok: boolean,
  antiCloning: AntiCloning,
  revocation?: RevocationStatus,
): number {
  if (!ok) return 1;
  const score = RISK_BY_ANTI_CLONING[antiCloning] +
    (revocation === "revocation_unknown" ? RISK_REVOCATION_UNKNOWN : 0);
  return Math.min(1, Math.round(score * 100) / 100);
}

/** Closes the pipeline: remaining checks are skipped and the first failure decides. */
function finish(
  checks: CheckOutcome[],
  extra: Partial<DocumentCheckResult> = {},
): DocumentCheckResult {
  for (const name of DOCUMENT_CHECKS) {
    if (!checks.some((check) => check.check === name)) {
      checks.push(outcome.skipped(name, "not_run_after_failure"));
    }
  }
  const failureCode = failureCodeOf(checks);
  const ok = failureCode === undefined;
  const antiCloning = antiCloningOf(checks);
  const result: DocumentCheckResult = {
    ...extra,
    ok,
    checks,
    antiCloning,
    riskScore: documentRiskScore(ok, antiCloning, extra.revocation),
  };
  if (failureCode) result.failureCode = failureCode;
  return result;
}

function portraitOf(
  dg2: Uint8Array | undefined,
): Pick<DocumentCheckResult, "portrait" | "portraitFailure"> {
  if (!dg2) return { portraitFailure: "dg2_missing" };
  const extracted = extractPortrait(dg2);
  return extracted.ok ? { portrait: extracted.portrait } : { portraitFailure: extracted.reason };
}

/** Steps 1–3 and what they established; see {@link checkDocumentCore}. */
export interface DocumentCoreResult {
  /** mrz, passive_authentication, document_validity, up to and including the first failure. */
  checks: CheckOutcome[];
  mrz?: ParsedMrz;
  passive?: PassiveAuthSuccess;
  /** The data groups whose hashes the SOD lists and matched (the only ones later steps see). */
  authenticated: Map<number, Uint8Array>;
  /** Data groups read but not listed in the SOD (`dg_not_covered`): reported, never used. */
  notCovered: number[];
}

/**
 * Steps 1–3 (MRZ, passive authentication with DG1 and DG2 required, document validity), stopping
 * at the first failure: the one path shared by the attempt pipeline (`checkDocument`) and the
 * `document` CLI (`scripts/document.ts`), so both reach the same conclusion on the same files.
 */
export async function checkDocumentCore(
  input: Pick<DocumentCheckInput, "sod" | "dataGroups" | "trust" | "at">,
): Promise<DocumentCoreResult> {
  const checks: CheckOutcome[] = [];
  const parsed = tryParseSod(input.sod);
  const listed = parsed.ok ? parsed.sod.dataGroupHashes : new Map();
  const notCovered = [...input.dataGroups.keys()].filter((dg) => !listed.has(dg)).sort((a, b) =>
    a - b
  );
  const authenticated = new Map<number, Uint8Array>();
  const mrzStep = checkMrz(input.dataGroups, input.at);
  checks.push(mrzStep.outcome);
  if (!mrzStep.mrz) return { checks, authenticated, notCovered };
  const passiveStep = await checkPassiveAuthentication(input);
  checks.push(passiveStep.outcome);
  const passive = passiveStep.passive;
  if (!passive) return { checks, mrz: mrzStep.mrz, authenticated, notCovered };
  for (const dg of passive.dataGroupHashes.keys()) {
    authenticated.set(dg, input.dataGroups.get(dg)!);
  }
  checks.push(checkDocumentValidity(mrzStep.mrz, input.at));
  return { checks, mrz: mrzStep.mrz, passive, authenticated, notCovered };
}

/**
 * Runs docs/document-checks.md in order and stops at the first failure. AA is required when the SOD
 * covers DG15, CA when the authenticated DG14 holds a CA key; when neither applies the document
 * passes only if `policy.allowWithoutAntiCloning` is true (the chip_authentication check then
 * fails with `anti_cloning_unavailable`), and its risk score reflects it.
 */
export async function checkDocument(input: DocumentCheckInput): Promise<DocumentCheckResult> {
  const core = await checkDocumentCore(input);
  const checks = core.checks;
  if (!core.mrz) return finish(checks);
  const mrz = core.mrz;
  if (!core.passive) return finish(checks, { mrz });
  const known = { mrz, revocation: core.passive.revocation };
  if (checks.at(-1)!.status === "failed") return finish(checks, known);
  // From here on only authenticated data groups exist: an uncovered one is never used.
  const dataGroups = core.authenticated;
  const covered = new Set(core.passive.sod.dataGroupHashes.keys());
  checks.push(await checkActiveAuthentication(covered, dataGroups, input.activeAuth));
  if (checks.at(-1)!.status === "failed") return finish(checks, known);
  const chip = await checkChipAuthentication(covered, dataGroups, input.chipAuth);
  const noProof = chip.status === "skipped" && checks.at(-1)!.status === "skipped";
  if (noProof && !(input.policy?.allowWithoutAntiCloning ?? false)) {
    checks.push(
      outcome.failed(
        "chip_authentication",
        "anti_cloning_unavailable",
        "the document offers neither AA nor CA",
      ),
    );
    return finish(checks, known);
  }
  checks.push(chip);
  if (chip.status === "failed") return finish(checks, known);
  // Only a document that passed gets its portrait: nothing downstream needs a rejected face.
  return finish(checks, { ...known, ...portraitOf(dataGroups.get(2)) });
}

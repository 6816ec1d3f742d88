/**
 * The outcome of each document check with its distinct internal reason, and the mapping to the
 * PUBLIC failure codes of docs/document-checks.md that attempts, sessions and webhooks carry. Internal reasons
 * stay inside the server (logs by code, the operator CLI); integrators only ever see the
 * public code.
 */

/** The checks of docs/document-checks.md, in the order they run. */
export const CHECK_ORDER = [
  "mrz",
  "passive_authentication",
  "document_validity",
  "active_authentication",
  "chip_authentication",
  "face_match",
  "liveness",
  "consent",
] as const;

/** One check of docs/document-checks.md. */
export type CheckName = typeof CHECK_ORDER[number];

/** What happened to a check. `skipped`: not applicable to this document, or not run. */
export type CheckStatus = "passed" | "failed" | "skipped";

/** One check's outcome. `reason` is a stable internal code; `detail` never holds personal data. */
export interface CheckOutcome {
  check: CheckName;
  status: CheckStatus;
  reason?: string;
  detail?: string;
}

/** The public failure codes a check can produce (docs/document-checks.md). */
export const CHECK_FAILURE_CODES = [
  "document_data_invalid",
  "document_authenticity_failed",
  "document_expired",
  "document_active_authentication_failed",
  "document_chip_authentication_failed",
  "selfie_face_mismatch",
  "liveness_failed",
  "consent_declined",
] as const;

/** A public failure code produced by a check. */
export type CheckFailureCode = typeof CHECK_FAILURE_CODES[number];

/** Public failure codes that end an attempt without a check failing (docs/api.md#lifecycle). */
export const ATTEMPT_FAILURE_CODES = [
  "session_expired",
  "session_cancelled",
  "handoff_superseded",
] as const;

/** A public failure code that ends an attempt for a lifecycle reason. */
export type AttemptFailureCode = typeof ATTEMPT_FAILURE_CODES[number];

/** Every public failure code an attempt or a session can carry. */
export const PUBLIC_FAILURE_CODES = [...CHECK_FAILURE_CODES, ...ATTEMPT_FAILURE_CODES] as const;

/** The union of every public failure code. */
export type PublicFailureCode = CheckFailureCode | AttemptFailureCode;

/** The public code each check maps to when it fails. */
export const FAILURE_CODE_BY_CHECK: Readonly<Record<CheckName, CheckFailureCode>> = {
  mrz: "document_data_invalid",
  passive_authentication: "document_authenticity_failed",
  document_validity: "document_expired",
  active_authentication: "document_active_authentication_failed",
  chip_authentication: "document_chip_authentication_failed",
  face_match: "selfie_face_mismatch",
  liveness: "liveness_failed",
  consent: "consent_declined",
};

/** True when `code` is one of the public failure codes. */
export function isPublicFailureCode(code: string): code is PublicFailureCode {
  return (PUBLIC_FAILURE_CODES as readonly string[]).includes(code);
}

/** The public code of a failed check. */
export function publicFailureCode(check: CheckName): CheckFailureCode {
  return FAILURE_CODE_BY_CHECK[check];
}

/**
 * The first failed check in docs/document-checks.md order (not in the order the outcomes were listed): that
 * one decides the attempt's failure code.
 */
export function firstFailedCheck(outcomes: readonly CheckOutcome[]): CheckOutcome | undefined {
  const failed = outcomes.filter((outcome) => outcome.status === "failed");
  failed.sort((a, b) => CHECK_ORDER.indexOf(a.check) - CHECK_ORDER.indexOf(b.check));
  return failed[0];
}

/** The public failure code the outcomes decide, or undefined when none failed. */
export function failureCodeOf(outcomes: readonly CheckOutcome[]): CheckFailureCode | undefined {
  const failed = firstFailedCheck(outcomes);
  return failed && publicFailureCode(failed.check);
}

/** Builders for outcomes, so call sites read as sentences. */
export const outcome = {
  /** A passed check. */
  passed: (check: CheckName, detail?: string): CheckOutcome =>
    detail === undefined ? { check, status: "passed" } : { check, status: "passed", detail },
  /** A failed check with its internal reason. */
  failed: (check: CheckName, reason: string, detail?: string): CheckOutcome =>
    detail === undefined
      ? { check, status: "failed", reason }
      : { check, status: "failed", reason, detail },
  /** A check that does not apply or was not run, and why. */
  skipped: (check: CheckName, reason: string): CheckOutcome => ({
    check,
    status: "skipped",
    reason,
  }),
};

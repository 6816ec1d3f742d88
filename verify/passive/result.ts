/** The result type of passive authentication: each failure a distinct, stable reason. */
import type { Certificate } from "../asn1/mod.ts";
import type { ParsedSod, SignerMatch, SodErrorCode } from "../cms/mod.ts";
import type { TrustedCertificate } from "../trust/types.ts";

/** Why passive authentication failed. */
export type PassiveAuthFailure =
  | SodErrorCode
  | "signer_not_found"
  | "sod_digest_algorithm_mismatch"
  | "signed_attributes_missing"
  | "content_type_mismatch"
  | "message_digest_mismatch"
  | "unsupported_algorithm"
  | "signature_invalid"
  | "dsc_critical_extension_unknown"
  | "dsc_algorithm_mismatch"
  | "dsc_is_ca"
  | "dsc_key_usage_invalid"
  | "csca_not_found"
  | "dsc_signature_invalid"
  | "dsc_issuer_name_mismatch"
  | "csca_critical_extension_unknown"
  | "csca_algorithm_mismatch"
  | "csca_not_ca"
  | "csca_key_usage_invalid"
  | "dsc_not_yet_valid"
  | "dsc_expired"
  | "csca_not_yet_valid"
  | "csca_expired"
  | "signing_time_outside_dsc_validity"
  | "signing_time_outside_private_key_usage_period"
  | "dsc_revoked"
  | "dg_not_covered"
  | "dg_missing"
  | "dg_hash_mismatch";

/** Every failure reason, for exhaustive mapping tables and tests. */
export const PASSIVE_AUTH_FAILURES: readonly PassiveAuthFailure[] = [
  "sod_malformed",
  "sod_wrapper_invalid",
  "sod_trailing_bytes",
  "sod_content_type_invalid",
  "sod_version_invalid",
  "sod_econtent_type_invalid",
  "sod_lds_version_invalid",
  "sod_signer_info_invalid",
  "sod_unsupported_hash",
  "signer_not_found",
  "sod_digest_algorithm_mismatch",
  "signed_attributes_missing",
  "content_type_mismatch",
  "message_digest_mismatch",
  "unsupported_algorithm",
  "signature_invalid",
  "dsc_critical_extension_unknown",
  "dsc_algorithm_mismatch",
  "dsc_is_ca",
  "dsc_key_usage_invalid",
  "csca_not_found",
  "dsc_signature_invalid",
  "dsc_issuer_name_mismatch",
  "csca_critical_extension_unknown",
  "csca_algorithm_mismatch",
  "csca_not_ca",
  "csca_key_usage_invalid",
  "dsc_not_yet_valid",
  "dsc_expired",
  "csca_not_yet_valid",
  "csca_expired",
  "signing_time_outside_dsc_validity",
  "signing_time_outside_private_key_usage_period",
  "dsc_revoked",
  "dg_not_covered",
  "dg_missing",
  "dg_hash_mismatch",
];

/** Revocation status that applied to the DSC. */
export type RevocationStatus = "not_revoked" | "revocation_unknown";

/** A successful passive authentication. */
export interface PassiveAuthSuccess {
  ok: true;
  sod: ParsedSod;
  /** The document signer certificate whose signature verified. */
  dsc: Certificate;
  /** How the DSC was found: in the SOD by name or by SKI, or in the store. */
  dscMatch: SignerMatch | "trust_store";
  /** The trusted CSCA (or link certificate) that signed the DSC. */
  csca: TrustedCertificate;
  revocation: RevocationStatus;
  /** The SOD's signingTime attribute, when present. */
  signingTime?: Date;
  /** The verification time every certificate was judged valid at (the shell model). */
  validityCheckedAt: Date;
  /** Hashes of the uploaded data groups that were checked and matched (number → hash). */
  dataGroupHashes: Map<number, Uint8Array>;
  /** Non-fatal observations, e.g. "dg_not_covered:DG15", "crl_signature_invalid". */
  warnings: string[];
}

/** A failed passive authentication. */
export interface PassiveAuthFailed {
  ok: false;
  reason: PassiveAuthFailure;
  /** Safe to log: never contains document bytes or personal data. */
  detail: string;
  /** The parsed SOD when parsing got that far (lets callers see which DGs it covers). */
  sod?: ParsedSod;
}

/** Outcome of `passiveAuthenticate`. */
export type PassiveAuthResult = PassiveAuthSuccess | PassiveAuthFailed;

/**
 * DSC → CSCA path validation (RFC 5280 §6.1 for a path of length one under a trust anchor, with
 * the ICAO 9303-12 certificate profiles): the DSC's own profile, candidate issuers from the trust
 * store by AKI → SKI then by issuer name (the two Italian CSCAs share a subject, so the key
 * identifier comes first and the signature decides), the issuer's profile and name chaining, and
 * validity by the shell model. Every rule has its own failure reason (docs/document-checks.md).
 */
import { type Certificate, hasKeyUsage, KEY_USAGE } from "../asn1/mod.ts";
import { isSignedBy } from "../crypto/mod.ts";
import type { TrustAnchorSource, TrustedCertificate } from "../trust/types.ts";
import type { PassiveAuthFailure } from "./result.ts";

/** A rule failure: its reason and a detail that holds no document data. */
export interface RuleFailure {
  reason: PassiveAuthFailure;
  detail: string;
}

/** Outcome of `findIssuingCsca`. */
export type ChainResult =
  | { ok: true; csca: TrustedCertificate }
  | ({ ok: false } & RuleFailure);

function validAt(cert: Certificate, at: Date): boolean {
  return cert.notBefore <= at && at <= cert.notAfter;
}

/**
 * The DSC profile (ICAO 9303-12 §7.1.1, RFC 5280 §4.2): no unknown critical extension, inner and
 * outer signature algorithms identical, not a CA, key usage present with digitalSignature.
 */
export function checkDscProfile(dsc: Certificate): RuleFailure | null {
  const unknown = dsc.extensions.unknownCriticalExtensions;
  if (unknown.length > 0) {
    return {
      reason: "dsc_critical_extension_unknown",
      detail: `DSC has unknown critical extension ${unknown.join(",")}`,
    };
  }
  if (!dsc.signatureAlgorithmsAgree) {
    return {
      reason: "dsc_algorithm_mismatch",
      detail: "DSC tbsCertificate.signature differs from signatureAlgorithm",
    };
  }
  if (dsc.isCa) return { reason: "dsc_is_ca", detail: "DSC has basicConstraints cA=TRUE" };
  if (!hasKeyUsage(dsc.extensions.keyUsage, KEY_USAGE.digitalSignature)) {
    return {
      reason: "dsc_key_usage_invalid",
      detail: "DSC key usage lacks digitalSignature (or is absent)",
    };
  }
  return null;
}

/**
 * The issuer profile (RFC 5280 §6.1.4 (k), (n); ICAO 9303-12 §7.1.1): the issuer's subject equals
 * the DSC's issuer name, no unknown critical extension, identical inner and outer algorithms, a CA
 * (basicConstraints cA=TRUE) whose key usage has keyCertSign. A trusted certificate whose key
 * verifies the DSC is still not its issuer unless all of this holds.
 */
export function checkIssuerProfile(dsc: Certificate, issuer: Certificate): RuleFailure | null {
  if (issuer.subject.key !== dsc.issuer.key) {
    return {
      reason: "dsc_issuer_name_mismatch",
      detail: `DSC issuer ${dsc.issuer.text} is not the CSCA subject ${issuer.subject.text}`,
    };
  }
  const unknown = issuer.extensions.unknownCriticalExtensions;
  if (unknown.length > 0) {
    return {
      reason: "csca_critical_extension_unknown",
      detail: `CSCA has unknown critical extension ${unknown.join(",")}`,
    };
  }
  if (!issuer.signatureAlgorithmsAgree) {
    return {
      reason: "csca_algorithm_mismatch",
      detail: "CSCA tbsCertificate.signature differs from signatureAlgorithm",
    };
  }
  if (issuer.extensions.basicConstraints?.cA !== true) {
    return { reason: "csca_not_ca", detail: "the issuing certificate is not a CA" };
  }
  if (!hasKeyUsage(issuer.extensions.keyUsage, KEY_USAGE.keyCertSign)) {
    return {
      reason: "csca_key_usage_invalid",
      detail: "the issuing certificate's key usage lacks keyCertSign",
    };
  }
  return null;
}

/**
 * Finds the trusted certificate that issued `dsc`: its key verifies the DSC's signature and its
 * profile passes `checkIssuerProfile`. Among several (a CSCA and its link certificate share a
 * key) one valid at `at` is preferred. When candidates verify but none may issue, the first
 * profile failure is returned.
 */
export async function findIssuingCsca(
  dsc: Certificate,
  trust: TrustAnchorSource,
  at: Date,
): Promise<ChainResult> {
  const tried = new Set<string>();
  let refused: RuleFailure | undefined;
  // Key identifier first (cheap and exact); the issuer name only when that finds no issuer.
  const lookups = [
    () => dsc.akiHex ? trust.findCscas({ skiHex: dsc.akiHex }) : Promise.resolve([]),
    () => trust.findCscas({ issuerName: dsc.issuer.key }),
  ];
  for (const lookup of lookups) {
    const candidates = (await lookup()).filter((t) => !tried.has(t.fingerprintHex));
    candidates.sort((a, b) =>
      Number(validAt(b.certificate, at)) - Number(validAt(a.certificate, at))
    );
    for (const candidate of candidates) {
      tried.add(candidate.fingerprintHex);
      if (!(await isSignedBy(dsc, candidate.certificate.spki))) continue;
      const profile = checkIssuerProfile(dsc, candidate.certificate);
      if (!profile) return { ok: true, csca: candidate };
      refused ??= profile;
    }
  }
  if (refused) return { ok: false, ...refused };
  if (tried.size === 0) {
    return {
      ok: false,
      reason: "csca_not_found",
      detail: `no trusted CSCA for issuer ${dsc.issuer.text}`,
    };
  }
  return {
    ok: false,
    reason: "dsc_signature_invalid",
    detail: `DSC signature verifies under none of ${tried.size} candidate CSCAs`,
  };
}

/**
 * The shell model (ICAO 9303-12 §5.3 sizes every validity to cover what a key signs): the DSC and
 * the CSCA (or link certificate) must both be valid at the verification time `at`, and the SOD's
 * signingTime, when present, must fall inside the DSC's validity and inside its
 * privateKeyUsagePeriod when that extension is there. Returns the failure or null.
 */
export function checkValidity(
  dsc: Certificate,
  csca: Certificate,
  at: Date,
  signingTime?: Date,
): RuleFailure | null {
  const when = at.toISOString();
  if (at < dsc.notBefore) {
    return {
      reason: "dsc_not_yet_valid",
      detail: `DSC not valid before ${dsc.notBefore.toISOString()} (checked ${when})`,
    };
  }
  if (at > dsc.notAfter) {
    return {
      reason: "dsc_expired",
      detail: `DSC expired ${dsc.notAfter.toISOString()} (checked ${when})`,
    };
  }
  if (at < csca.notBefore) {
    return {
      reason: "csca_not_yet_valid",
      detail: `CSCA not valid before ${csca.notBefore.toISOString()} (checked ${when})`,
    };
  }
  if (at > csca.notAfter) {
    return {
      reason: "csca_expired",
      detail: `CSCA expired ${csca.notAfter.toISOString()} (checked ${when})`,
    };
  }
  return signingTime ? checkSigningTime(dsc, signingTime) : null;
}

function checkSigningTime(dsc: Certificate, signingTime: Date): RuleFailure | null {
  const signed = signingTime.toISOString();
  if (!validAt(dsc, signingTime)) {
    return {
      reason: "signing_time_outside_dsc_validity",
      detail: `signingTime ${signed} is outside the DSC validity`,
    };
  }
  const period = dsc.extensions.privateKeyUsagePeriod;
  if (
    period && ((period.notBefore && signingTime < period.notBefore) ||
      (period.notAfter && signingTime > period.notAfter))
  ) {
    return {
      reason: "signing_time_outside_private_key_usage_period",
      detail: `signingTime ${signed} is outside the DSC private key usage period`,
    };
  }
  return null;
}

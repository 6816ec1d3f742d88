/**
 * DSC → CSCA: candidates from the trust store by AKI → SKI, then by issuer name (the two Italian
 * CSCAs share a subject, so the key identifier comes first and the signature decides), and the
 * validity of both certificates at a given instant.
 */
import type { Certificate } from "../asn1/mod.ts";
import { isSignedBy } from "../crypto/mod.ts";
import type { TrustAnchorSource, TrustedCertificate } from "../trust/types.ts";
import type { PassiveAuthFailure } from "./result.ts";

/** Outcome of `findIssuingCsca`. */
export type ChainResult =
  | { ok: true; csca: TrustedCertificate }
  | { ok: false; reason: PassiveAuthFailure; detail: string };

function validAt(cert: Certificate, at: Date): boolean {
  return cert.notBefore <= at && at <= cert.notAfter;
}

/**
 * Finds the trusted certificate whose key signed `dsc`. Among several that verify (a CSCA and
 * its link certificate share a key) one valid at `at` is preferred.
 */
export async function findIssuingCsca(
  dsc: Certificate,
  trust: TrustAnchorSource,
  at: Date,
): Promise<ChainResult> {
  const tried = new Set<string>();
  // Key identifier first (cheap and exact); the issuer name only when that finds no signer.
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
      if (await isSignedBy(dsc, candidate.certificate.spki)) return { ok: true, csca: candidate };
    }
  }
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

/** Checks DSC and CSCA validity at `at`; returns the failure or null. */
export function checkValidity(
  dsc: Certificate,
  csca: Certificate,
  at: Date,
): { reason: PassiveAuthFailure; detail: string } | null {
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
      detail: `CSCA not valid before ${csca.notBefore.toISOString()}`,
    };
  }
  if (at > csca.notAfter) {
    return { reason: "csca_expired", detail: `CSCA expired ${csca.notAfter.toISOString()}` };
  }
  return null;
}

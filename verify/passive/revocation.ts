/**
 * CRL check of a DSC: CRLs issued by its CSCA and signed by the CSCA's key count, and only when the
 * CSCA's key usage holds cRLSign (RFC 5280 §6.3.3 (f)); a listed serial
 * means revoked (even on a stale CRL: revocation is not undone); otherwise the DSC is
 * `not_revoked` only when a CRL is fresh at the check time (thisUpdate ≤ at ≤ nextUpdate), and
 * `revocation_unknown` when none is.
 */
import { type Certificate, hasKeyUsage, KEY_USAGE } from "../asn1/mod.ts";
import { isSignedBy } from "../crypto/mod.ts";
import type { TrustAnchorSource } from "../trust/types.ts";
import type { RevocationStatus } from "./result.ts";

/** Outcome of `checkRevocation`. */
export type RevocationCheck =
  | { revoked: false; status: RevocationStatus; warnings: string[] }
  | { revoked: true; revokedAt: Date; warnings: string[] };

/** Checks `dsc` against the CRLs of `csca` in `trust`, judging freshness at `at`. */
export async function checkRevocation(
  dsc: Certificate,
  csca: Certificate,
  trust: TrustAnchorSource,
  at: Date,
): Promise<RevocationCheck> {
  const crls = await trust.findCrls({
    issuerName: csca.subject.key,
    akiHex: csca.skiHex,
    country: csca.subject.country,
  });
  const warnings: string[] = [];
  const mayIssueCrls = hasKeyUsage(csca.extensions.keyUsage, KEY_USAGE.cRLSign);
  let fresh = false;
  let stale = false;
  for (const { crl } of crls) {
    if (crl.issuer.key !== csca.subject.key) continue;
    if (crl.akiHex && csca.skiHex && crl.akiHex !== csca.skiHex) continue;
    if (crl.unknownCriticalExtensions.length > 0) {
      warnings.push("crl_critical_extension_unknown");
      continue;
    }
    if (!mayIssueCrls) {
      warnings.push("crl_signer_lacks_crl_sign");
      continue;
    }
    if (!(await isSignedBy(crl, csca.spki))) {
      warnings.push("crl_signature_invalid");
      continue;
    }
    const revokedAt = crl.revoked.get(dsc.serialHex);
    if (revokedAt) return { revoked: true, revokedAt, warnings };
    if (crl.thisUpdate <= at && crl.nextUpdate !== undefined && at <= crl.nextUpdate) fresh = true;
    else stale = true;
  }
  // An old CRL beside a fresh one is normal (both stay in the store); warn only when none is fresh.
  if (stale && !fresh) warnings.push("crl_stale");
  return { revoked: false, status: fresh ? "not_revoked" : "revocation_unknown", warnings };
}

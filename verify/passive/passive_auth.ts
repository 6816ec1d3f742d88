/**
 * Passive authentication (docs/document-checks.md, ICAO 9303-11 §5.1, RFC 5280 §6): parse EF.SOD, check its
 * digest algorithms agree, find the DSC the SignerInfo names (no other), check messageDigest and
 * the SOD signature, the DSC profile, chain the DSC to a trusted CSCA that may issue it, judge
 * validity by the shell model at the verification time, check revocation, then the data-group
 * hashes. The rules and their reasons are listed in docs/document-checks.md.
 */
import type { Certificate } from "../asn1/mod.ts";
import {
  checkSignerInfo,
  type ParsedSod,
  parseSod,
  selectSignerCertificate,
  type SignerMatch,
  SodError,
} from "../cms/mod.ts";
import type { TrustAnchorSource } from "../trust/types.ts";
import { checkDscProfile, checkValidity, findIssuingCsca } from "./chain.ts";
import { checkDataGroups } from "./data_groups.ts";
import type { PassiveAuthFailed, PassiveAuthFailure, PassiveAuthResult } from "./result.ts";
import { checkRevocation } from "./revocation.ts";

/** Input of `passiveAuthenticate`. */
export interface PassiveAuthInput {
  /** EF.SOD file content (starting with 0x77). */
  sod: Uint8Array;
  /** Uploaded data-group files by number (complete files, tag and length included). */
  dataGroups: Map<number, Uint8Array>;
  /** Trust anchors: the KV store (live), or only the sandbox CSCA (test mode). */
  trust: TrustAnchorSource;
  /** The verification time: every certificate's validity and CRL freshness are judged at it. */
  at: Date;
  /** Data groups that must be listed and uploaded; default [1, 2]. */
  requiredDataGroups?: number[];
}

function failed(reason: PassiveAuthFailure, detail: string, sod?: ParsedSod): PassiveAuthFailed {
  return { ok: false, reason, detail, sod };
}

async function findDsc(
  sod: ParsedSod,
  trust: TrustAnchorSource,
): Promise<{ certificate: Certificate; match: SignerMatch | "trust_store" } | undefined> {
  const embedded = selectSignerCertificate(sod.signerInfo, sod.certificates);
  if (embedded || !trust.findDscs) return embedded;
  const sid = sod.signerInfo.sid;
  const known = sid.kind === "subjectKeyIdentifier"
    ? await trust.findDscs({ skiHex: sid.skiHex })
    : await trust.findDscs({ issuerName: sid.issuer.key, serialHex: sid.serialHex });
  return known[0] ? { certificate: known[0].certificate, match: "trust_store" } : undefined;
}

/** Runs passive authentication; never throws for bad documents, only returns a failure. */
export async function passiveAuthenticate(input: PassiveAuthInput): Promise<PassiveAuthResult> {
  let sod: ParsedSod;
  try {
    sod = parseSod(input.sod);
  } catch (error) {
    if (error instanceof SodError) return failed(error.code, error.message);
    throw error;
  }
  const warnings: string[] = [];
  const digestAlgorithms = sod.signedData.digestAlgorithms;
  const signerDigest = sod.signerInfo.digestAlgorithm.oid;
  if (digestAlgorithms.length === 0 || digestAlgorithms.some((a) => a.oid !== signerDigest)) {
    return failed(
      "sod_digest_algorithm_mismatch",
      `SignedData.digestAlgorithms ${
        digestAlgorithms.map((a) => a.oid).join(",")
      } ≠ SignerInfo's ${signerDigest}`,
      sod,
    );
  }
  const dsc = await findDsc(sod, input.trust);
  if (!dsc) {
    return failed("signer_not_found", "no certificate is the one the SignerInfo names", sod);
  }
  const signer = await checkSignerInfo(
    sod.signerInfo,
    sod.eContentType,
    sod.eContent,
    dsc.certificate.spki,
  );
  if (!signer.ok) return failed(signer.reason, signer.detail, sod);
  const profile = checkDscProfile(dsc.certificate);
  if (profile) return failed(profile.reason, profile.detail, sod);
  const checkedAt = input.at;
  const chain = await findIssuingCsca(dsc.certificate, input.trust, checkedAt);
  if (!chain.ok) return failed(chain.reason, chain.detail, sod);
  const invalid = checkValidity(
    dsc.certificate,
    chain.csca.certificate,
    checkedAt,
    sod.signingTime,
  );
  if (invalid) return failed(invalid.reason, invalid.detail, sod);
  const revocation = await checkRevocation(
    dsc.certificate,
    chain.csca.certificate,
    input.trust,
    input.at,
  );
  warnings.push(...revocation.warnings);
  if (revocation.revoked) {
    return failed("dsc_revoked", `DSC revoked on ${revocation.revokedAt.toISOString()}`, sod);
  }
  const groups = await checkDataGroups(sod, input.dataGroups, input.requiredDataGroups ?? [1, 2]);
  if (!groups.ok) return failed(groups.reason, groups.detail, sod);
  warnings.push(...groups.warnings);
  return {
    ok: true,
    sod,
    dsc: dsc.certificate,
    dscMatch: dsc.match,
    csca: chain.csca,
    revocation: revocation.status,
    signingTime: sod.signingTime,
    validityCheckedAt: checkedAt,
    dataGroupHashes: groups.verified,
    warnings,
  };
}

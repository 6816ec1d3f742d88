/**
 * Passive authentication (SPEC §6 step 2, ICAO 9303-11 §5.1): parse EF.SOD, find the DSC, check
 * messageDigest and the SOD signature, chain the DSC to a trusted CSCA, judge validity at the
 * SOD's signing time (else `at`), check revocation, then the data-group hashes.
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
import { checkValidity, findIssuingCsca } from "./chain.ts";
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
  /** "Now": used when the SOD has no signingTime and for CRL freshness. */
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
  const dsc = await findDsc(sod, input.trust);
  if (!dsc) return failed("signer_not_found", "no certificate matches the SignerInfo", sod);
  const signer = await checkSignerInfo(
    sod.signerInfo,
    sod.eContentType,
    sod.eContent,
    dsc.certificate.spki,
  );
  if (!signer.ok) return failed(signer.reason, signer.detail, sod);
  if (dsc.match === "single_embedded") warnings.push("signer_identifier_mismatch");
  const checkedAt = sod.signingTime ?? input.at;
  const chain = await findIssuingCsca(dsc.certificate, input.trust, checkedAt);
  if (!chain.ok) return failed(chain.reason, chain.detail, sod);
  const invalid = checkValidity(dsc.certificate, chain.csca.certificate, checkedAt);
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

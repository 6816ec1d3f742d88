/**
 * CSCA master lists (ICAO 9303-12 §9): CMS SignedData, eContentType id-icao-cscaMasterList,
 * content CscaMasterList ::= SEQUENCE { version INTEGER(0), certList SET OF Certificate }. The
 * list's signature is checked against its embedded signer, and the signer against given roots.
 */
import { CodedError } from "../errors.ts";
import {
  Asn1Error,
  type Certificate,
  children,
  decodeSmallInteger,
  expectTag,
  parseCertificate,
  parseTlv,
  TAG,
} from "../asn1/mod.ts";
import { isSignedBy } from "../crypto/mod.ts";
import {
  OID_SIGNED_DATA,
  parseContentInfo,
  parseSignedData,
  type SignedData,
  type SignerInfo,
} from "./signed_data.ts";
import { checkSignerInfo, selectSignerCertificate } from "./signer.ts";

/** id-icao-cscaMasterList. */
export const OID_CSCA_MASTER_LIST = "2.23.136.1.1.2";

/** Stable reasons a master list is rejected. */
export type MasterListErrorCode =
  | "master_list_malformed"
  | "master_list_content_type_invalid"
  | "master_list_version_invalid";

/** A rejected master list. */
export class MasterListError extends CodedError<MasterListErrorCode> {}

/** A parsed master list; the listed certificates are kept raw (parsed on import). */
export interface MasterList {
  signedData: SignedData;
  signerInfo: SignerInfo;
  version: number;
  /** DER of every certificate in certList, in order. */
  certificates: Uint8Array[];
}

/** Parses a master list; throws `MasterListError`. */
export function parseMasterList(bytes: Uint8Array): MasterList {
  try {
    const { contentType, content } = parseContentInfo(parseTlv(bytes));
    if (contentType !== OID_SIGNED_DATA) {
      throw new MasterListError("master_list_content_type_invalid", `contentType ${contentType}`);
    }
    const signedData = parseSignedData(content);
    if (signedData.eContentType !== OID_CSCA_MASTER_LIST || !signedData.eContent) {
      throw new MasterListError(
        "master_list_content_type_invalid",
        `eContentType ${signedData.eContentType}`,
      );
    }
    if (signedData.signerInfos.length !== 1) {
      throw new MasterListError("master_list_malformed", "need one SignerInfo");
    }
    const [versionTlv, certList] = children(
      expectTag(parseTlv(signedData.eContent), TAG.SEQUENCE, "CscaMasterList"),
    );
    const version = decodeSmallInteger(versionTlv);
    if (version !== 0) {
      throw new MasterListError("master_list_version_invalid", `version ${version}`);
    }
    const certificates = children(expectTag(certList, TAG.SET, "certList")).map((c) =>
      expectTag(c, TAG.SEQUENCE, "Certificate").raw
    );
    return { signedData, signerInfo: signedData.signerInfos[0], version, certificates };
  } catch (error) {
    if (error instanceof MasterListError) throw error;
    throw new MasterListError(
      "master_list_malformed",
      error instanceof Asn1Error ? error.code : "unreadable",
    );
  }
}

/** Outcome of `verifyMasterList`. */
export type MasterListVerification =
  | { ok: true; signer: Certificate; root: Certificate }
  | {
    ok: false;
    reason:
      | "master_list_signer_not_found"
      | "master_list_signature_invalid"
      | "master_list_signer_untrusted";
    detail: string;
  };

/**
 * Verifies the list: signer found among the embedded certificates, messageDigest and signature
 * valid, and the signer certificate signed by one of `roots` (the caller pins the roots).
 */
export async function verifyMasterList(
  ml: MasterList,
  roots: Certificate[],
): Promise<MasterListVerification> {
  const embedded: Certificate[] = [];
  for (const der of ml.signedData.certificates) {
    try {
      embedded.push(parseCertificate(der));
    } catch {
      // Unreadable embedded certificates cannot be the signer.
    }
  }
  const selected = selectSignerCertificate(ml.signerInfo, embedded);
  if (!selected) {
    return { ok: false, reason: "master_list_signer_not_found", detail: "no embedded signer" };
  }
  const check = await checkSignerInfo(
    ml.signerInfo,
    OID_CSCA_MASTER_LIST,
    ml.signedData.eContent!,
    selected.certificate.spki,
  );
  if (!check.ok) {
    return {
      ok: false,
      reason: "master_list_signature_invalid",
      detail: `${check.reason}: ${check.detail}`,
    };
  }
  for (const root of roots) {
    if (await isSignedBy(selected.certificate, root.spki)) {
      return { ok: true, signer: selected.certificate, root };
    }
  }
  return {
    ok: false,
    reason: "master_list_signer_untrusted",
    detail: "signer not signed by any given root",
  };
}

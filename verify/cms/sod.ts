/**
 * EF.SOD: tag 0x77 wrapping a CMS ContentInfo/SignedData whose content is the LDS Security Object
 * (ICAO 9303-10 §4.6.2). Strict where the standard is (signedData, SignedData v3, LDSSecurityObject
 * v0/v1, nothing after the TLV) and lenient where real passports are (id-data as eContentType,
 * BER indefinite lengths).
 */
import { CodedError } from "../errors.ts";
import {
  type AlgorithmIdentifier,
  Asn1Error,
  type Certificate,
  children,
  decodeSmallInteger,
  decodeString,
  expectTag,
  octetStringValue,
  parseAlgorithmIdentifier,
  parseCertificate,
  parseTlv,
  readTlv,
  TAG,
} from "../asn1/mod.ts";
import { hashFromOid, type HashName } from "../crypto/mod.ts";
import {
  OID_SIGNED_DATA,
  parseContentInfo,
  parseSignedData,
  type SignedData,
  type SignerInfo,
  signingTimeOf,
} from "./signed_data.ts";

/** id-icao-mrtd-security-ldsSecurityObject. */
export const OID_LDS_SECURITY_OBJECT = "2.23.136.1.1.1";
/** id-data, which some issuers (CN) use as eContentType. */
export const OID_DATA = "1.2.840.113549.1.7.1";

/** Stable reasons an EF.SOD is rejected while parsing. */
export type SodErrorCode =
  | "sod_malformed"
  | "sod_wrapper_invalid"
  | "sod_trailing_bytes"
  | "sod_content_type_invalid"
  | "sod_version_invalid"
  | "sod_econtent_type_invalid"
  | "sod_lds_version_invalid"
  | "sod_signer_info_invalid"
  | "sod_unsupported_hash";

/** A rejected EF.SOD; `code` is stable, `message` holds no document bytes. */
export class SodError extends CodedError<SodErrorCode> {}

/** A parsed EF.SOD. */
export interface ParsedSod {
  /** The SignedData, with the original eContent and signedAttrs bytes. */
  signedData: SignedData;
  /** The one SignerInfo. */
  signerInfo: SignerInfo;
  /** eContentType (2.23.136.1.1.1, or id-data on lenient issuers). */
  eContentType: string;
  /** The encapsulated LDSSecurityObject bytes, as hashed into messageDigest. */
  eContent: Uint8Array;
  /** LDSSecurityObject version: 0, or 1 with `ldsVersionInfo`. */
  ldsVersion: 0 | 1;
  ldsVersionInfo?: { ldsVersion: string; unicodeVersion: string };
  /** The data-group hash algorithm. */
  hashAlgorithm: HashName;
  hashAlgorithmIdentifier: AlgorithmIdentifier;
  /** Data-group number → hash, as listed in the SOD. */
  dataGroupHashes: Map<number, Uint8Array>;
  /** Embedded certificates that parse (normally the DSC). */
  certificates: Certificate[];
  /** The signingTime signed attribute, when present. */
  signingTime?: Date;
}

function fail(code: SodErrorCode, message: string): never {
  throw new SodError(code, message);
}

/** Parses EF.SOD; throws `SodError` with a distinct code for every rejection. */
export function parseSod(bytes: Uint8Array): ParsedSod {
  try {
    return parseSodStrict(bytes);
  } catch (error) {
    if (error instanceof SodError) throw error;
    // Anything else (Asn1Error, or a defect surfacing as a TypeError) is a malformed SOD.
    fail("sod_malformed", error instanceof Asn1Error ? error.code : "unreadable structure");
  }
}

/** `parseSod` as a result value, for callers that prefer not to catch. */
export function tryParseSod(
  bytes: Uint8Array,
): { ok: true; sod: ParsedSod } | { ok: false; code: SodErrorCode; detail: string } {
  try {
    return { ok: true, sod: parseSod(bytes) };
  } catch (error) {
    if (error instanceof SodError) return { ok: false, code: error.code, detail: error.message };
    throw error;
  }
}

function parseSodStrict(bytes: Uint8Array): ParsedSod {
  const outer = readTlv(bytes, 0);
  if (outer.tag !== 0x77) fail("sod_wrapper_invalid", "EF.SOD does not start with tag 0x77");
  if (outer.end !== bytes.length) {
    fail("sod_trailing_bytes", `${bytes.length - outer.end} bytes after EF.SOD`);
  }
  const inner = children(outer);
  if (inner.length !== 1) fail("sod_malformed", "EF.SOD must hold exactly one ContentInfo");
  const { contentType, content } = parseContentInfo(inner[0]);
  if (contentType !== OID_SIGNED_DATA) {
    fail("sod_content_type_invalid", `contentType ${contentType}`);
  }
  const signedData = parseSignedData(content);
  if (signedData.version !== 3) {
    fail("sod_version_invalid", `SignedData version ${signedData.version}`);
  }
  const eContentType = signedData.eContentType;
  if (eContentType !== OID_LDS_SECURITY_OBJECT && eContentType !== OID_DATA) {
    fail("sod_econtent_type_invalid", `eContentType ${eContentType}`);
  }
  if (!signedData.eContent) fail("sod_malformed", "no encapsulated LDS Security Object");
  if (signedData.signerInfos.length !== 1) {
    fail("sod_signer_info_invalid", `${signedData.signerInfos.length} SignerInfos`);
  }
  const lds = parseLdsSecurityObject(signedData.eContent);
  const certificates: Certificate[] = [];
  for (const der of signedData.certificates) {
    try {
      certificates.push(parseCertificate(der));
    } catch {
      // An unreadable extra certificate is ignored; signer selection decides what is needed.
    }
  }
  return {
    signedData,
    signerInfo: signedData.signerInfos[0],
    eContentType,
    eContent: signedData.eContent,
    ...lds,
    certificates,
    signingTime: signingTimeOf(signedData.signerInfos[0]),
  };
}

type LdsFields = Pick<
  ParsedSod,
  "ldsVersion" | "ldsVersionInfo" | "hashAlgorithm" | "hashAlgorithmIdentifier" | "dataGroupHashes"
>;

/** LDSSecurityObject ::= SEQUENCE { version, hashAlgorithm, dataGroupHashValues, ldsVersionInfo OPTIONAL }. */
function parseLdsSecurityObject(eContent: Uint8Array): LdsFields {
  const fields = children(expectTag(parseTlv(eContent), TAG.SEQUENCE, "LDSSecurityObject"));
  const version = decodeSmallInteger(fields[0]);
  if (version !== 0 && version !== 1) {
    fail("sod_lds_version_invalid", `LDSSecurityObject version ${version}`);
  }
  const hashAlgorithmIdentifier = parseAlgorithmIdentifier(fields[1]);
  const hashAlgorithm = hashFromOid(hashAlgorithmIdentifier.oid) ??
    fail("sod_unsupported_hash", `hash ${hashAlgorithmIdentifier.oid}`);
  const dataGroupHashes = new Map<number, Uint8Array>();
  for (const entry of children(expectTag(fields[2], TAG.SEQUENCE, "dataGroupHashValues"))) {
    const [number, value] = children(expectTag(entry, TAG.SEQUENCE, "DataGroupHash"));
    const dg = decodeSmallInteger(number);
    if (dg < 1 || dg > 16 || dataGroupHashes.has(dg)) {
      fail("sod_malformed", `bad data group number ${dg}`);
    }
    dataGroupHashes.set(
      dg,
      octetStringValue(expectTag(value, TAG.OCTET_STRING, "dataGroupHashValue")),
    );
  }
  let ldsVersionInfo: LdsFields["ldsVersionInfo"];
  if (version === 1) {
    if (!fields[3]) fail("sod_lds_version_invalid", "version 1 without ldsVersionInfo");
    const [lds, unicode] = children(expectTag(fields[3], TAG.SEQUENCE, "LDSVersionInfo"));
    ldsVersionInfo = {
      ldsVersion: decodeString(expectTag(lds, TAG.PRINTABLE_STRING, "ldsVersion")),
      unicodeVersion: decodeString(expectTag(unicode, TAG.PRINTABLE_STRING, "unicodeVersion")),
    };
  } else if (fields.length > 3) fail("sod_lds_version_invalid", "version 0 with extra fields");
  return {
    ldsVersion: version as 0 | 1,
    ldsVersionInfo,
    hashAlgorithm,
    hashAlgorithmIdentifier,
    dataGroupHashes,
  };
}

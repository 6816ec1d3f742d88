/**
 * EF.SOD for synthetic documents: CMS SignedData (RFC 5652) around an LDS Security Object, with
 * the DSC embedded and signed attributes contentType, signingTime and messageDigest, exactly as
 * ICAO 9303 p10 §4.6.2 describes. Built by hand so that tests control every byte.
 */
import {
  concatBytes,
  encodeInteger,
  encodeOctetString,
  encodeOid,
  encodeSequence,
  encodeSet,
  encodeTlv,
  readSingleTlv,
} from "../chip/der.ts";
import { digest, type HashName } from "../chip/hashes.ts";
import { encodeTime, issuerAndSerial } from "./certificates.ts";
import { digestAlgorithmIdentifier, encodeLdsSecurityObject } from "./data_groups.ts";
import type { Signer } from "./signers.ts";

const LDS_SECURITY_OBJECT = "2.23.136.1.1.1";

/** Input of {@link createSod}. */
export interface SodInput {
  /** Data-group number → complete file bytes (tag and length included). */
  dataGroups: Map<number, Uint8Array>;
  /** Digest for the data-group hashes and the signed attributes; defaults to the signer's. */
  hash?: HashName;
  signer: Signer;
  dscCertificate: Uint8Array;
  signingTime: Date;
  /** Corrupts one signed byte after signing (a digit of signingTime): the signature fails. */
  tamperSignedAttributes?: boolean;
  /** Deviations for conformance tests (issue 14); absent fields keep the conformant SOD. */
  deviations?: SodDeviations;
}

/** How an EF.SOD departs from ICAO 9303-10 / RFC 5652 (see {@link SodInput.deviations}). */
export interface SodDeviations {
  /** Leave out the signingTime signed attribute. */
  omitSigningTime?: boolean;
  /** SignedData.digestAlgorithms to write instead of the SignerInfo's digest. */
  digestAlgorithms?: HashName[];
  /** SignerInfo.sid (DER) to write instead of the DSC's issuerAndSerialNumber. */
  signerIdentifier?: Uint8Array;
  /** The certificates to embed instead of the DSC. */
  certificates?: Uint8Array[];
  /** The data groups the LDS Security Object lists; default every one of `dataGroups`. */
  coveredDataGroups?: number[];
}

function attribute(oid: string, value: Uint8Array): Uint8Array {
  return encodeSequence(encodeOid(oid), encodeSet(value));
}

/** DER SET OF: elements sorted by their encodings (X.690 §11.6). */
function derSetOf(items: Uint8Array[]): Uint8Array {
  const sorted = [...items].sort((a, b) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
    return a.length - b.length;
  });
  return encodeSet(...sorted);
}

/** Builds the EF.SOD file (tag 77). */
export async function createSod(input: SodInput): Promise<Uint8Array> {
  const hash = input.hash ?? input.signer.hash;
  const d = input.deviations ?? {};
  const covered = [...input.dataGroups].filter(([dg]) => d.coveredDataGroups?.includes(dg) ?? true);
  const hashes = new Map(covered.map(([dg, bytes]) => [dg, digest(hash, bytes)]));
  const lds = encodeLdsSecurityObject(hash, hashes);
  const signedAttributes = derSetOf([
    attribute("1.2.840.113549.1.9.3", encodeOid(LDS_SECURITY_OBJECT)),
    ...(d.omitSigningTime
      ? []
      : [attribute("1.2.840.113549.1.9.5", encodeTime(input.signingTime))]),
    attribute("1.2.840.113549.1.9.4", encodeOctetString(digest(hash, lds))),
  ]);
  const signature = await input.signer.sign(signedAttributes);
  const attributesAsSigned = input.tamperSignedAttributes
    ? corruptSigningTime(signedAttributes)
    : signedAttributes;
  const signerInfo = encodeSequence(
    encodeInteger(1),
    d.signerIdentifier ?? issuerAndSerial(input.dscCertificate),
    digestAlgorithmIdentifier(hash),
    concatBytes(Uint8Array.of(0xa0), attributesAsSigned.subarray(1)),
    input.signer.algorithmIdentifier,
    encodeOctetString(signature),
  );
  const signedData = encodeSequence(
    encodeInteger(3),
    encodeSet(...(d.digestAlgorithms ?? [hash]).map(digestAlgorithmIdentifier)),
    encodeSequence(encodeOid(LDS_SECURITY_OBJECT), encodeTlv(0xa0, encodeOctetString(lds))),
    encodeTlv(0xa0, ...(d.certificates ?? [input.dscCertificate])),
    encodeSet(signerInfo),
  );
  const contentInfo = encodeSequence(
    encodeOid("1.2.840.113549.1.7.2"),
    encodeTlv(0xa0, signedData),
  );
  readSingleTlv(contentInfo); // self-check: the structure we built must parse
  return encodeTlv(0x77, contentInfo);
}

/** Changes the seconds digit of the signingTime value (still a valid time, no longer signed). */
function corruptSigningTime(signedAttributes: Uint8Array): Uint8Array {
  const copy = signedAttributes.slice();
  const timeOid = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x05];
  for (let i = 0; i + timeOid.length < copy.length; i++) {
    if (timeOid.every((byte, j) => copy[i + j] === byte)) {
      // OID, then SET header (2), time header (2), then "YYMMDDHHMMSS" + "Z"; find the 'Z'.
      let z = i + timeOid.length;
      while (copy[z] !== 0x5a) z++;
      const digit = copy[z - 1];
      copy[z - 1] = digit === 0x30 ? 0x31 : digit - 1;
      return copy;
    }
  }
  throw new Error("signing_time_not_found");
}

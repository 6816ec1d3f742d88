/**
 * X.509 certificate revocation lists, with the original `tbsCertList` bytes kept for the
 * signature check and revoked serials normalised like certificate serials.
 */
import { type AlgorithmIdentifier, parseAlgorithmIdentifier } from "./algorithm_identifier.ts";
import { asAsn1Error } from "./errors.ts";
import { type Name, parseName } from "./name.ts";
import { children, expectTag, parseTlv, TAG, type Tlv } from "./tlv.ts";
import {
  bitStringValue,
  decodeOid,
  decodeTime,
  integerHex,
  octetStringValue,
  toHex,
} from "./values.ts";

/** A parsed CRL. */
export interface Crl {
  /** The whole CRL as given. */
  der: Uint8Array;
  /** The original tbsCertList element: the bytes the signature covers. */
  tbsRaw: Uint8Array;
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
  issuer: Name;
  thisUpdate: Date;
  /** Absent when the CRL does not promise a next issue (then it is never "fresh"). */
  nextUpdate?: Date;
  /** Revoked serial (upper-case hex, as `Certificate.serialHex`) → revocation date. */
  revoked: Map<string, Date>;
  /** authorityKeyIdentifier of the CRL, lower-case hex, when present. */
  akiHex?: string;
}

function isTime(tlv: Tlv | undefined): boolean {
  return tlv?.tag === TAG.UTC_TIME || tlv?.tag === TAG.GENERALIZED_TIME;
}

/** Parses a DER CRL; throws `Asn1Error` on any malformation. */
export function parseCrl(der: Uint8Array): Crl {
  return asAsn1Error(() => {
    const [tbs, sigAlg, sigValue] = children(expectTag(parseTlv(der), TAG.SEQUENCE, "CRL"));
    const fields = children(expectTag(tbs, TAG.SEQUENCE, "tbsCertList"));
    let i = fields[0]?.tag === TAG.INTEGER ? 1 : 0;
    expectTag(fields[i++], TAG.SEQUENCE, "tbsCertList.signature");
    const issuer = parseName(fields[i++]);
    const thisUpdate = decodeTime(fields[i++]);
    const nextUpdate = isTime(fields[i]) ? decodeTime(fields[i++]) : undefined;
    const revoked = new Map<string, Date>();
    if (fields[i]?.tag === TAG.SEQUENCE) {
      for (const entry of children(fields[i++])) {
        const [serial, date] = children(expectTag(entry, TAG.SEQUENCE, "revokedCertificate"));
        revoked.set(integerHex(serial), decodeTime(date));
      }
    }
    return {
      der,
      tbsRaw: tbs.raw,
      signatureAlgorithm: parseAlgorithmIdentifier(sigAlg),
      signature: bitStringValue(sigValue),
      issuer,
      thisUpdate,
      nextUpdate,
      revoked,
      akiHex: crlAuthorityKeyId(fields[i]),
    };
  });
}

function crlAuthorityKeyId(wrapper: Tlv | undefined): string | undefined {
  if (wrapper?.tag !== 0xa0) return undefined;
  for (const ext of children(expectTag(children(wrapper)[0], TAG.SEQUENCE, "crlExtensions"))) {
    const parts = children(ext);
    if (decodeOid(parts[0]) !== "2.5.29.35") continue;
    const value = parseTlv(octetStringValue(parts[parts.length - 1]));
    const keyId = children(value).find((c) => c.tag === 0x80);
    return keyId ? toHex(keyId.value) : undefined;
  }
  return undefined;
}

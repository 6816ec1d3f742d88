/**
 * X.509 certificate revocation lists (RFC 5280 §5), with the original `tbsCertList` bytes kept for
 * the signature check and revoked serials normalised like certificate serials.
 */
import { type AlgorithmIdentifier, parseAlgorithmIdentifier } from "./algorithm_identifier.ts";
import { AsnConvert } from "@peculiar/asn1-schema";
import { AuthorityKeyIdentifier, id_ce_authorityKeyIdentifier } from "@peculiar/asn1-x509";
import { asAsn1Error, Asn1Error } from "./errors.ts";
import { type Name, parseName } from "./name.ts";
import { children, childrenOf, expectTag, parseTlv, TAG, type Tlv } from "./tlv.ts";
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
  /** Critical CRL extensions this verifier does not understand (the CRL is then not used). */
  unknownCriticalExtensions: string[];
}

/** CRL extensions this verifier understands (RFC 5280 §5.2: an unknown critical one voids it). */
const UNDERSTOOD_CRL_EXTENSIONS = new Set(["2.5.29.35", "2.5.29.20", "2.5.29.18"]);

/**
 * Parses a DER CRL; throws `Asn1Error` on any malformation. `tbsCertList` is walked with the raw
 * reader, its optional fields told apart by their tags (RFC 5280 §5.1): `nextUpdate` may be absent
 * and the revoked list follow `thisUpdate` directly — the `@peculiar/asn1-x509` schema lost the
 * revoked list of such a CRL, so a revoked DSC passed. Only the authority key identifier's value
 * goes to the schema.
 */
export function parseCrl(der: Uint8Array): Crl {
  return asAsn1Error(() => {
    const [tbs, sigAlg, sigValue, extra] = children(expectTag(parseTlv(der), TAG.SEQUENCE, "CRL"));
    if (extra) throw new Asn1Error("bad_value", "CRL has extra elements");
    const fields = children(expectTag(tbs, TAG.SEQUENCE, "tbsCertList"));
    let i = 0;
    if (fields[i]?.tag === TAG.INTEGER) i++; // version v2
    expectTag(fields[i++], TAG.SEQUENCE, "tbsCertList signature");
    const issuer = parseName(expectTag(fields[i++], TAG.SEQUENCE, "CRL issuer"));
    const thisUpdate = decodeTime(fields[i++]);
    const nextUpdate = isTime(fields[i]) ? decodeTime(fields[i++]) : undefined;
    const revoked = new Map<string, Date>();
    if (fields[i]?.tag === TAG.SEQUENCE) {
      for (const entry of children(fields[i++])) {
        const [serial, date] = childrenOf(entry, TAG.SEQUENCE, "revoked certificate");
        revoked.set(integerHex(serial), decodeTime(date));
      }
    }
    const extensions = fields[i]?.tag === CRL_EXTENSIONS_TAG
      ? childrenOf(children(fields[i++])[0], TAG.SEQUENCE, "crlExtensions")
      : [];
    if (fields[i]) throw new Asn1Error("bad_value", "tbsCertList has extra elements");
    let akiHex: string | undefined;
    const unknownCriticalExtensions: string[] = [];
    for (const extension of extensions) {
      const parts = childrenOf(extension, TAG.SEQUENCE, "CRL extension");
      const id = decodeOid(parts[0]);
      const critical = parts.length === 3 && expectTag(parts[1], TAG.BOOLEAN, "critical")
            .value[0] !== 0;
      const value = octetStringValue(parts.at(-1));
      if (critical && !UNDERSTOOD_CRL_EXTENSIONS.has(id)) unknownCriticalExtensions.push(id);
      if (id === id_ce_authorityKeyIdentifier) {
        const keyId = AsnConvert.parse(value, AuthorityKeyIdentifier).keyIdentifier;
        if (keyId) akiHex = toHex(new Uint8Array(keyId.buffer));
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
      akiHex,
      unknownCriticalExtensions,
    };
  });
}

/** `crlExtensions [0] EXPLICIT Extensions`. */
const CRL_EXTENSIONS_TAG = 0xa0;

function isTime(tlv: Tlv | undefined): boolean {
  return tlv?.tag === TAG.UTC_TIME || tlv?.tag === TAG.GENERALIZED_TIME;
}

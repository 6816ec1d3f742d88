/**
 * X.509 certificate revocation lists (RFC 5280 §5), with the original `tbsCertList` bytes kept for
 * the signature check and revoked serials normalised like certificate serials.
 */
import { type AlgorithmIdentifier, parseAlgorithmIdentifier } from "./algorithm_identifier.ts";
import { AsnConvert, AsnParser } from "@peculiar/asn1-schema";
import {
  AuthorityKeyIdentifier,
  CertificateList,
  id_ce_authorityKeyIdentifier,
} from "@peculiar/asn1-x509";
import { asAsn1Error, Asn1Error } from "./errors.ts";
import { type Name, parseName } from "./name.ts";
import { children, expectTag, parseTlv, TAG } from "./tlv.ts";
import { bitStringValue, toHex } from "./values.ts";

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
 * Parses a DER CRL; throws `Asn1Error` on any malformation. The fields are decoded with the
 * `@peculiar/asn1-x509` CertificateList schema; the raw reader keeps the signed tbsCertList bytes
 * and the issuer Name (compared through its normalised key).
 */
export function parseCrl(der: Uint8Array): Crl {
  return asAsn1Error(() => {
    const [tbs, sigAlg, sigValue, extra] = children(expectTag(parseTlv(der), TAG.SEQUENCE, "CRL"));
    if (extra) throw new Asn1Error("bad_value", "CRL has extra elements");
    const fields = children(expectTag(tbs, TAG.SEQUENCE, "tbsCertList"));
    const issuerTlv = fields[fields[0]?.tag === TAG.INTEGER ? 2 : 1];
    let list: CertificateList;
    try {
      // A national CRL can list tens of thousands of serials (4 nodes each); every node takes at
      // least two bytes, so the input's size bounds the node count.
      list = AsnParser.parse(der, CertificateList, { berOptions: { maxNodes: der.length } });
    } catch {
      throw new Asn1Error("bad_value", "unreadable CertificateList");
    }
    const t = list.tbsCertList;
    const revoked = new Map<string, Date>();
    for (const entry of t.revokedCertificates ?? []) {
      revoked.set(serialHex(new Uint8Array(entry.userCertificate)), entry.revocationDate.getTime());
    }
    let akiHex: string | undefined;
    const unknownCriticalExtensions: string[] = [];
    for (const ext of t.crlExtensions ?? []) {
      if (ext.critical && !UNDERSTOOD_CRL_EXTENSIONS.has(ext.extnID)) {
        unknownCriticalExtensions.push(ext.extnID);
      }
      if (ext.extnID === id_ce_authorityKeyIdentifier) {
        const keyId = AsnConvert.parse(ext.extnValue, AuthorityKeyIdentifier).keyIdentifier;
        if (keyId) akiHex = toHex(new Uint8Array(keyId.buffer));
      }
    }
    return {
      der,
      tbsRaw: tbs.raw,
      signatureAlgorithm: parseAlgorithmIdentifier(sigAlg),
      signature: bitStringValue(sigValue),
      issuer: parseName(issuerTlv),
      thisUpdate: t.thisUpdate.getTime(),
      nextUpdate: t.nextUpdate?.getTime(),
      revoked,
      akiHex,
      unknownCriticalExtensions,
    };
  });
}

/** A serial's magnitude as upper-case hex without sign padding (as `integerHex`). */
function serialHex(bytes: Uint8Array): string {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return toHex(bytes.subarray(start)).toUpperCase();
}

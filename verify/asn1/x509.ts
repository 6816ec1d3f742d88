/**
 * X.509 certificates read straight from their DER, keeping the original `tbsCertificate` bytes
 * (what the issuer signed) and the SubjectPublicKeyInfo bytes (what the crypto layer imports).
 */
import { type AlgorithmIdentifier, parseAlgorithmIdentifier } from "./algorithm_identifier.ts";
import { asAsn1Error, Asn1Error } from "./errors.ts";
import { type ExtensionProfile, parseExtensionProfile } from "./extensions.ts";
import { type Name, parseName } from "./name.ts";
import { children, expectTag, parseTlv, TAG, type Tlv } from "./tlv.ts";
import {
  bitStringValue,
  bytesEqual,
  decodeOid,
  decodeSmallInteger,
  decodeTime,
  integerHex,
  octetStringValue,
  toHex,
} from "./values.ts";

/** A parsed certificate. All byte fields are views into `der`. */
export interface Certificate {
  /** The whole certificate as given. */
  der: Uint8Array;
  /** The original tbsCertificate element: the bytes the signature covers. */
  tbsRaw: Uint8Array;
  /** X.509 version (1, 2 or 3). */
  version: number;
  /** Serial number magnitude as upper-case hex without sign padding. */
  serialHex: string;
  /** signatureAlgorithm of the outer Certificate. */
  signatureAlgorithm: AlgorithmIdentifier;
  /** True when tbsCertificate's `signature` field is byte-identical to `signatureAlgorithm`. */
  signatureAlgorithmsAgree: boolean;
  /** The signature value. */
  signature: Uint8Array;
  issuer: Name;
  subject: Name;
  notBefore: Date;
  notAfter: Date;
  /** The SubjectPublicKeyInfo element (DER). */
  spki: Uint8Array;
  /** subjectKeyIdentifier as lower-case hex, when present. */
  skiHex?: string;
  /** authorityKeyIdentifier keyIdentifier as lower-case hex, when present. */
  akiHex?: string;
  /** basicConstraints cA flag (false when the extension is absent). */
  isCa: boolean;
  /** Key usage, basic constraints, private-key usage period and critical flags. */
  extensions: ExtensionProfile;
}

interface Extensions {
  skiHex?: string;
  akiHex?: string;
  isCa: boolean;
}

/** Parses a DER certificate; throws `Asn1Error` on any malformation or trailing bytes. */
export function parseCertificate(der: Uint8Array): Certificate {
  return asAsn1Error(() => {
    const [tbs, sigAlg, sigValue, extra] = children(
      expectTag(parseTlv(der), TAG.SEQUENCE, "Certificate"),
    );
    if (extra) throw new Asn1Error("bad_value", "Certificate has extra elements");
    const fields = children(expectTag(tbs, TAG.SEQUENCE, "tbsCertificate"));
    let index = 0;
    let version = 1;
    if (fields[0]?.tag === 0xa0) {
      version = decodeSmallInteger(children(fields[0])[0]) + 1;
      index = 1;
    }
    const [serial, innerAlg, issuer, validity, subject, spki] = fields.slice(index, index + 6);
    expectTag(innerAlg, TAG.SEQUENCE, "tbsCertificate.signature");
    const [notBefore, notAfter] = children(expectTag(validity, TAG.SEQUENCE, "Validity"));
    expectTag(spki, TAG.SEQUENCE, "SubjectPublicKeyInfo");
    const extWrapper = fields.slice(index + 6).find((f) => f.tag === 0xa3);
    const ext = parseExtensions(extWrapper);
    return {
      der,
      tbsRaw: tbs.raw,
      version,
      serialHex: integerHex(serial),
      signatureAlgorithm: parseAlgorithmIdentifier(sigAlg),
      signatureAlgorithmsAgree: bytesEqual(innerAlg.raw, sigAlg.raw),
      signature: bitStringValue(sigValue),
      issuer: parseName(issuer),
      subject: parseName(subject),
      notBefore: decodeTime(notBefore),
      notAfter: decodeTime(notAfter),
      spki: spki.raw,
      ...ext,
      extensions: parseExtensionProfile(extWrapper ? children(extWrapper)[0]?.raw : undefined),
    };
  });
}

function parseExtensions(wrapper: Tlv | undefined): Extensions {
  const out: Extensions = { isCa: false };
  if (!wrapper) return out;
  for (const ext of children(expectTag(children(wrapper)[0], TAG.SEQUENCE, "Extensions"))) {
    const parts = children(expectTag(ext, TAG.SEQUENCE, "Extension"));
    const oid = decodeOid(parts[0]);
    const value = parseTlv(octetStringValue(parts[parts.length - 1]));
    if (oid === "2.5.29.14") out.skiHex = toHex(octetStringValue(value));
    else if (oid === "2.5.29.35") {
      const keyId = children(expectTag(value, TAG.SEQUENCE, "AKI")).find((c) => c.tag === 0x80);
      if (keyId) out.akiHex = toHex(keyId.value);
    } else if (oid === "2.5.29.19") {
      const first = children(expectTag(value, TAG.SEQUENCE, "basicConstraints"))[0];
      out.isCa = first?.tag === TAG.BOOLEAN && first.value[0] !== 0;
    }
  }
  return out;
}

/** True when the certificate names itself as issuer (self-signed root or self-issued). */
export function isSelfIssued(cert: Certificate): boolean {
  return cert.issuer.key === cert.subject.key &&
    (!cert.akiHex || !cert.skiHex || cert.akiHex === cert.skiHex);
}

/** SHA-256 fingerprint of the DER as lower-case hex. */
export async function certificateFingerprint(der: Uint8Array): Promise<string> {
  const buf = await crypto.subtle.digest("SHA-256", der as Uint8Array<ArrayBuffer>);
  return toHex(new Uint8Array(buf));
}

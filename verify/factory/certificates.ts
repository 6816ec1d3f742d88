/**
 * X.509 certificates for synthetic CSCAs and DSCs, built field by field so any signer (including
 * brainpool ECDSA, which WebCrypto lacks) can sign them: version 3, SKI/AKI, key usage, and
 * basic constraints for CAs, as ICAO 9303 p12 profiles them.
 */
import {
  encodeBitString,
  encodeInteger,
  encodeOctetString,
  encodeOid,
  encodeSequence,
  encodeSet,
  encodeTlv,
  readChildren,
  readSingleTlv,
} from "../chip/der.ts";
import { digest } from "../chip/hashes.ts";
import type { Signer } from "./signers.ts";

/** A distinguished name as ordered (attribute, value) pairs, e.g. `[["C", "UT"], ["CN", "x"]]`. */
export type DistinguishedName = ReadonlyArray<
  readonly ["C" | "O" | "OU" | "CN" | "serialNumber", string]
>;

const NAME_OIDS = {
  C: "2.5.4.6",
  O: "2.5.4.10",
  OU: "2.5.4.11",
  CN: "2.5.4.3",
  serialNumber: "2.5.4.5",
};

/** Encodes a Name (country and serial number as PrintableString, the rest as UTF8String). */
export function encodeName(name: DistinguishedName): Uint8Array {
  const rdns = name.map(([type, value]) => {
    const printable = type === "C" || type === "serialNumber";
    const text = encodeTlv(printable ? 0x13 : 0x0c, new TextEncoder().encode(value));
    return encodeSet(encodeSequence(encodeOid(NAME_OIDS[type]), text));
  });
  return encodeSequence(...rdns);
}

/** UTCTime until 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
export function encodeTime(date: Date): Uint8Array {
  const iso = date.toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z";
  const year = date.getUTCFullYear();
  if (year >= 1950 && year < 2050) return encodeTlv(0x17, new TextEncoder().encode(iso.slice(2)));
  return encodeTlv(0x18, new TextEncoder().encode(iso));
}

/** The key identifier of RFC 5280 method 1: SHA-1 of the subjectPublicKey bits. */
export function keyIdentifier(spki: Uint8Array): Uint8Array {
  const [, bits] = readChildren(readSingleTlv(spki));
  return digest("SHA-1", bits.value.subarray(1));
}

function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  const criticalFlag = critical ? [Uint8Array.of(0x01, 0x01, 0xff)] : [];
  return encodeSequence(encodeOid(oid), ...criticalFlag, encodeOctetString(value));
}

/** What a certificate says. */
export interface CertificateSpec {
  serial: bigint;
  issuer: DistinguishedName;
  subject: DistinguishedName;
  notBefore: Date;
  notAfter: Date;
  /** The subject's public key. */
  spki: Uint8Array;
  /** The issuer's public key (for the AKI); equal to `spki` when self-signed. */
  issuerSpki: Uint8Array;
  isCa: boolean;
  /**
   * Deviations from the ICAO 9303-12 profile, for conformance tests (issue 14): each breaks one
   * rule of path validation. Absent fields keep the conformant certificate.
   */
  deviations?: CertificateDeviations;
}

/** A key usage bit (RFC 5280 §4.2.1.3). */
export type KeyUsageBit =
  | "digitalSignature"
  | "nonRepudiation"
  | "keyEncipherment"
  | "keyCertSign"
  | "cRLSign";

const KEY_USAGE_BIT: Record<KeyUsageBit, number> = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  keyCertSign: 5,
  cRLSign: 6,
};

/** How a certificate departs from the profile (see {@link CertificateSpec.deviations}). */
export interface CertificateDeviations {
  /** Key usage to write instead of the profile's; null leaves the extension out. */
  keyUsage?: KeyUsageBit[] | null;
  /** basicConstraints cA to write instead of `isCa`; null leaves the extension out. */
  basicConstraintsCa?: boolean | null;
  /** Extra extensions, e.g. one the verifier does not know, critical or not. */
  extraExtensions?: Array<{ oid: string; critical: boolean; value: Uint8Array }>;
  /** A privateKeyUsagePeriod extension (RFC 5280 §4.2.1.4 of RFC 3280). */
  privateKeyUsagePeriod?: { notBefore?: Date; notAfter?: Date };
  /** AlgorithmIdentifier written in tbsCertificate.signature instead of the issuer's. */
  tbsSignatureAlgorithm?: Uint8Array;
}

/** DER BIT STRING of named key usage bits (trailing zero bits dropped, X.690 §11.2.2). */
export function encodeKeyUsage(bits: readonly KeyUsageBit[]): Uint8Array {
  let value = 0;
  for (const bit of bits) value |= 0x80 >> KEY_USAGE_BIT[bit];
  if (value === 0) return Uint8Array.of(0x03, 0x01, 0x00);
  let unused = 0;
  while (((value >> unused) & 1) === 0) unused++;
  return Uint8Array.of(0x03, 0x02, unused, value);
}

function generalizedTime(tag: number, date: Date): Uint8Array {
  const text = date.toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z";
  return encodeTlv(tag, new TextEncoder().encode(text));
}

function profileExtensions(spec: CertificateSpec): Uint8Array[] {
  const d = spec.deviations ?? {};
  const extensions = [
    extension("2.5.29.35", false, encodeSequence(encodeTlv(0x80, keyIdentifier(spec.issuerSpki)))),
    extension("2.5.29.14", false, encodeOctetString(keyIdentifier(spec.spki))),
  ];
  const keyUsage = d.keyUsage === undefined
    ? (spec.isCa
      ? ["keyCertSign", "cRLSign"] as KeyUsageBit[]
      : ["digitalSignature"] as KeyUsageBit[])
    : d.keyUsage;
  if (keyUsage) extensions.push(extension("2.5.29.15", true, encodeKeyUsage(keyUsage)));
  const period = d.privateKeyUsagePeriod;
  if (period) {
    const bounds = [
      ...(period.notBefore ? [generalizedTime(0x80, period.notBefore)] : []),
      ...(period.notAfter ? [generalizedTime(0x81, period.notAfter)] : []),
    ];
    extensions.push(extension("2.5.29.16", false, encodeSequence(...bounds)));
  }
  const ca = d.basicConstraintsCa === undefined ? (spec.isCa ? true : null) : d.basicConstraintsCa;
  if (ca !== null) {
    const flag = ca ? [Uint8Array.of(0x01, 0x01, 0xff), encodeInteger(0)] : [];
    extensions.push(extension("2.5.29.19", true, encodeSequence(...flag)));
  }
  for (const extra of d.extraExtensions ?? []) {
    extensions.push(extension(extra.oid, extra.critical, extra.value));
  }
  return extensions;
}

/** Builds and signs a certificate; returns its DER. */
export async function createCertificate(
  spec: CertificateSpec,
  issuerSigner: Signer,
): Promise<Uint8Array> {
  if (spec.deviations) return await createDeviantCertificate(spec, issuerSigner);
  const extensions = [
    extension("2.5.29.35", false, encodeSequence(encodeTlv(0x80, keyIdentifier(spec.issuerSpki)))),
    extension("2.5.29.14", false, encodeOctetString(keyIdentifier(spec.spki))),
    extension(
      "2.5.29.15",
      true,
      spec.isCa ? Uint8Array.of(0x03, 0x02, 0x01, 0x06) : Uint8Array.of(0x03, 0x02, 0x07, 0x80),
    ),
  ];
  if (spec.isCa) {
    extensions.push(
      extension(
        "2.5.29.19",
        true,
        encodeSequence(Uint8Array.of(0x01, 0x01, 0xff), encodeInteger(0)),
      ),
    );
  }
  const tbs = encodeSequence(
    encodeTlv(0xa0, encodeInteger(2)),
    encodeInteger(spec.serial),
    issuerSigner.algorithmIdentifier,
    encodeName(spec.issuer),
    encodeSequence(encodeTime(spec.notBefore), encodeTime(spec.notAfter)),
    encodeName(spec.subject),
    spec.spki,
    encodeTlv(0xa3, encodeSequence(...extensions)),
  );
  const signature = await issuerSigner.sign(tbs);
  return encodeSequence(tbs, issuerSigner.algorithmIdentifier, encodeBitString(signature));
}

/** {@link createCertificate} with `spec.deviations` applied. */
async function createDeviantCertificate(
  spec: CertificateSpec,
  issuerSigner: Signer,
): Promise<Uint8Array> {
  const tbs = encodeSequence(
    encodeTlv(0xa0, encodeInteger(2)),
    encodeInteger(spec.serial),
    spec.deviations?.tbsSignatureAlgorithm ?? issuerSigner.algorithmIdentifier,
    encodeName(spec.issuer),
    encodeSequence(encodeTime(spec.notBefore), encodeTime(spec.notAfter)),
    encodeName(spec.subject),
    spec.spki,
    encodeTlv(0xa3, encodeSequence(...profileExtensions(spec))),
  );
  const signature = await issuerSigner.sign(tbs);
  return encodeSequence(tbs, issuerSigner.algorithmIdentifier, encodeBitString(signature));
}

/** The issuer Name and serial number of a certificate, as raw DER (for SignerInfo's sid). */
export function issuerAndSerial(certificate: Uint8Array): Uint8Array {
  const [tbs] = readChildren(readSingleTlv(certificate));
  const [, serial, , issuer] = readChildren(tbs);
  return encodeSequence(issuer.raw, serial.raw);
}

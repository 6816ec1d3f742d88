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
}

/** Builds and signs a certificate; returns its DER. */
export async function createCertificate(
  spec: CertificateSpec,
  issuerSigner: Signer,
): Promise<Uint8Array> {
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

/** The issuer Name and serial number of a certificate, as raw DER (for SignerInfo's sid). */
export function issuerAndSerial(certificate: Uint8Array): Uint8Array {
  const [tbs] = readChildren(readSingleTlv(certificate));
  const [, serial, , issuer] = readChildren(tbs);
  return encodeSequence(issuer.raw, serial.raw);
}

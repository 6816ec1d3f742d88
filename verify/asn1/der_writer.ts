/**
 * A minimal DER encoder, used by tests and fixtures (LDIF files, master lists, CRLs) and by the
 * synthetic document factory. Verification never re-encodes what it checks; RSA PKCS#1 v1.5
 * verification builds the expected encoding of the hash it computed (RFC 8017 §8.2.2).
 */
import { bigIntToBytes, concatBytes, encodeOidContent } from "./values.ts";

/** Encodes a definite length. */
function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return new Uint8Array([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return new Uint8Array([0x80 | bytes.length, ...bytes]);
}

/** Encodes one element from its identifier octets (e.g. 0x30 or 0x7F61) and content. */
export function derTlv(tag: number, content: Uint8Array): Uint8Array {
  const tagBytes: number[] = [];
  for (let rest = tag; rest > 0 || tagBytes.length === 0; rest = Math.floor(rest / 256)) {
    tagBytes.unshift(rest & 0xff);
  }
  return concatBytes([new Uint8Array(tagBytes), encodeLength(content.length), content]);
}

/** SEQUENCE of already-encoded elements. */
export function derSequence(...items: Uint8Array[]): Uint8Array {
  return derTlv(0x30, concatBytes(items));
}

/** SET of already-encoded elements (kept in the given order). */
export function derSet(...items: Uint8Array[]): Uint8Array {
  return derTlv(0x31, concatBytes(items));
}

/** OBJECT IDENTIFIER. */
export function derOid(oid: string): Uint8Array {
  return derTlv(0x06, encodeOidContent(oid));
}

/** INTEGER from a bigint or number (non-negative or negative, minimal two's complement). */
export function derInteger(value: bigint | number): Uint8Array {
  let v = BigInt(value);
  if (v >= 0n) {
    let bytes = bigIntToBytes(v);
    if (bytes.length === 0) bytes = new Uint8Array([0]);
    if (bytes[0] & 0x80) bytes = concatBytes([new Uint8Array([0]), bytes]);
    return derTlv(0x02, bytes);
  }
  let length = 1;
  while (v < -(1n << BigInt(length * 8 - 1))) length++;
  v += 1n << BigInt(length * 8);
  return derTlv(0x02, bigIntToBytes(v, length));
}

/** OCTET STRING. */
export function derOctetString(bytes: Uint8Array): Uint8Array {
  return derTlv(0x04, bytes);
}

/** BIT STRING with no unused bits. */
export function derBitString(bytes: Uint8Array): Uint8Array {
  return derTlv(0x03, concatBytes([new Uint8Array([0]), bytes]));
}

/** NULL. */
export function derNull(): Uint8Array {
  return new Uint8Array([0x05, 0x00]);
}

/** UTF8String. */
export function derUtf8(text: string): Uint8Array {
  return derTlv(0x0c, new TextEncoder().encode(text));
}

/** PrintableString (caller keeps to the printable alphabet). */
export function derPrintable(text: string): Uint8Array {
  return derTlv(0x13, new TextEncoder().encode(text));
}

/** UTCTime for years 1950–2049, else GeneralizedTime, as X.509 requires. */
export function derTime(date: Date): Uint8Array {
  const iso = date.toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z";
  const year = date.getUTCFullYear();
  if (year >= 1950 && year < 2050) return derTlv(0x17, new TextEncoder().encode(iso.slice(2)));
  return derTlv(0x18, new TextEncoder().encode(iso));
}

/** Context-specific tag number `n`, constructed (explicit) by default. */
export function derContext(n: number, content: Uint8Array, constructed = true): Uint8Array {
  return derTlv((constructed ? 0xa0 : 0x80) | n, content);
}

/** A Name from [oid, value] pairs, one RDN each, values as UTF8String (C as PrintableString). */
export function derName(attributes: Array<[string, string]>): Uint8Array {
  return derSequence(
    ...attributes.map(([oid, value]) =>
      derSet(derSequence(derOid(oid), oid === "2.5.4.6" ? derPrintable(value) : derUtf8(value)))
    ),
  );
}

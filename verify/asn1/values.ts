/**
 * Decoders for ASN.1 primitive values (OID, INTEGER, times, strings, OCTET/BIT STRING) and the
 * byte helpers shared by the verifier. Every failure is an `Asn1Error`.
 */
import { Asn1Error } from "./errors.ts";
import { children, TAG, type Tlv } from "./tlv.ts";

/** Decodes an OBJECT IDENTIFIER element to dotted form ("1.2.840.113549.1.7.2"). */
export function decodeOid(tlv: Tlv | undefined): string {
  if (!tlv || tlv.tag !== TAG.OID) throw new Asn1Error("bad_oid", "expected an OBJECT IDENTIFIER");
  const bytes = tlv.value;
  if (bytes.length === 0 || bytes.length > 64) throw new Asn1Error("bad_oid", "bad OID length");
  if ((bytes[bytes.length - 1] & 0x80) !== 0) throw new Asn1Error("bad_oid", "OID cut short");
  // Numbers are exact up to 2^53; arcs are accumulated as numbers and only switch to bigint
  // for the (rare, UUID-style) arcs that exceed that.
  const arcs: Array<number | bigint> = [];
  let value: number | bigint = 0;
  for (const b of bytes) {
    if (typeof value === "number" && value >= 2 ** 45) value = BigInt(value);
    value = typeof value === "number" ? value * 128 + (b & 0x7f) : (value << 7n) | BigInt(b & 0x7f);
    if ((b & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  const head = arcs[0];
  const first = head < 80 ? Math.floor(Number(head) / 40) : 2;
  const second = typeof head === "bigint" ? head - BigInt(first * 40) : head - first * 40;
  return [first, second, ...arcs.slice(1)].join(".");
}

/** Encodes a dotted OID to its content octets (no tag/length). */
export function encodeOidContent(oid: string): Uint8Array {
  const parts = oid.split(".").map((p) => BigInt(p));
  if (parts.length < 2) throw new Asn1Error("bad_oid", "an OID needs two arcs");
  const arcs = [parts[0] * 40n + parts[1], ...parts.slice(2)];
  const out: number[] = [];
  for (const arc of arcs) {
    const chunk: number[] = [Number(arc & 0x7fn)];
    let rest = arc >> 7n;
    while (rest > 0n) {
      chunk.unshift(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    out.push(...chunk);
  }
  return new Uint8Array(out);
}

/** Decodes an INTEGER element as a signed bigint. */
export function decodeInteger(tlv: Tlv | undefined): bigint {
  if (!tlv || tlv.tag !== TAG.INTEGER) throw new Asn1Error("bad_integer", "expected an INTEGER");
  const bytes = tlv.value;
  if (bytes.length === 0) throw new Asn1Error("bad_integer", "empty INTEGER");
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  if (bytes[0] & 0x80) value -= 1n << BigInt(bytes.length * 8);
  return value;
}

/** Decodes a small INTEGER (versions, salt lengths) as a number; rejects big values. */
export function decodeSmallInteger(tlv: Tlv | undefined): number {
  const value = decodeInteger(tlv);
  if (value > 0xffffffn || value < -0xffffffn) throw new Asn1Error("bad_integer", "too large");
  return Number(value);
}

/** The magnitude octets of an INTEGER without sign padding, as upper-case hex (serials). */
export function integerHex(tlv: Tlv | undefined): string {
  if (!tlv || tlv.tag !== TAG.INTEGER) throw new Asn1Error("bad_integer", "expected an INTEGER");
  let start = 0;
  while (start < tlv.value.length - 1 && tlv.value[start] === 0) start++;
  return toHex(tlv.value.subarray(start)).toUpperCase();
}

/** Unsigned big-endian bytes to bigint. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return value;
}

/** bigint to unsigned big-endian bytes, left-padded to `length` when given. */
export function bigIntToBytes(value: bigint, length?: number): Uint8Array {
  let hex = value.toString(16);
  if (hex.length % 2) hex = "0" + hex;
  const raw = fromHex(hex);
  if (length === undefined || raw.length >= length) return raw;
  const out = new Uint8Array(length);
  out.set(raw, length - raw.length);
  return out;
}

const UTF8 = new TextDecoder("utf-8", { fatal: false });

const TIME_PATTERN =
  /^(\d{2}|\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:[.,]\d+)?(Z|[+-]\d{4})?$/;

/** Decodes UTCTime or GeneralizedTime to a Date (UTCTime years 50–99 are 19xx). */
export function decodeTime(tlv: Tlv | undefined): Date {
  if (!tlv || (tlv.tag !== TAG.UTC_TIME && tlv.tag !== TAG.GENERALIZED_TIME)) {
    throw new Asn1Error("bad_time", "expected UTCTime or GeneralizedTime");
  }
  const text = latin1(tlv.value);
  const m = TIME_PATTERN.exec(text);
  const isUtc = tlv.tag === TAG.UTC_TIME;
  if (!m || (isUtc ? m[1].length !== 2 : m[1].length !== 4)) {
    throw new Asn1Error("bad_time", "unreadable time value");
  }
  let year = Number(m[1]);
  if (isUtc) year += year < 50 ? 2000 : 1900;
  let ms = Date.UTC(
    year,
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6] ?? 0),
  );
  if (m[7] && m[7] !== "Z") {
    const sign = m[7][0] === "+" ? 1 : -1;
    ms -= sign * (Number(m[7].slice(1, 3)) * 60 + Number(m[7].slice(3, 5))) * 60_000;
  }
  if (!Number.isFinite(ms)) throw new Asn1Error("bad_time", "time out of range");
  return new Date(ms);
}

function latin1(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** Decodes the string types found in certificate names to a JS string. */
export function decodeString(tlv: Tlv): string {
  switch (tlv.tag) {
    case TAG.UTF8_STRING:
      return UTF8.decode(tlv.value);
    case TAG.BMP_STRING: {
      let s = "";
      for (let i = 0; i + 1 < tlv.value.length; i += 2) {
        s += String.fromCharCode((tlv.value[i] << 8) | tlv.value[i + 1]);
      }
      return s;
    }
    case TAG.UNIVERSAL_STRING: {
      let s = "";
      const v = tlv.value;
      for (let i = 0; i + 3 < v.length; i += 4) {
        const cp = ((v[i] << 24) | (v[i + 1] << 16) | (v[i + 2] << 8) | v[i + 3]) >>> 0;
        s += cp <= 0x10ffff ? String.fromCodePoint(cp) : "\ufffd";
      }
      return s;
    }
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case TAG.T61_STRING:
    case 0x12: // NumericString
    case 0x1a: // VisibleString
      return latin1(tlv.value);
    default:
      throw new Asn1Error("bad_string", `tag 0x${tlv.tag.toString(16)} is not a string`);
  }
}

/** Content of an OCTET STRING; BER constructed forms are concatenated. */
export function octetStringValue(tlv: Tlv | undefined): Uint8Array {
  if (!tlv) throw new Asn1Error("missing_element", "OCTET STRING is missing");
  if (tlv.tag === TAG.OCTET_STRING) return tlv.value;
  if (tlv.tag === (TAG.OCTET_STRING | 0x20)) {
    return concatBytes(children(tlv).map(octetStringValue));
  }
  throw new Asn1Error("unexpected_tag", "expected an OCTET STRING");
}

/** Content of a BIT STRING without the unused-bits octet (which must be 0 here). */
export function bitStringValue(tlv: Tlv | undefined): Uint8Array {
  if (!tlv || tlv.tag !== TAG.BIT_STRING || tlv.value.length === 0) {
    throw new Asn1Error("bad_bit_string", "expected a BIT STRING");
  }
  if (tlv.value[0] !== 0) {
    throw new Asn1Error("bad_bit_string", "unused bits in a key or signature");
  }
  return tlv.value.subarray(1);
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return bytes.toHex();
}

/** Bytes of a hex string; throws `bad_value` on odd length or non-hex characters. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new Asn1Error("bad_value", "not a hex string");
  }
  return Uint8Array.fromHex(hex);
}

/** Constant-shape byte equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** Concatenates byte arrays. */
export function concatBytes(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

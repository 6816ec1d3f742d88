/**
 * Byte helpers of the portable reader core: concatenation, hex, big integers and the BER-TLV
 * subset ICAO 9303 uses (multi-byte tags, lengths up to three bytes). Pure JavaScript; parsing
 * errors are {@link ChipError}s with the code `malformed_response`.
 */
import { ChipError } from "./errors.ts";

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  return concatParts(parts);
}

/**
 * The parts of an array joined; for many parts (a file read in thousands of small answers)
 * spreading them into {@link concat}'s arguments would overflow the call stack.
 */
export function concatParts(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Constant-time-ish equality of two byte arrays. */
export function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Bytes of a hex string (whitespace ignored). */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, "");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Unsigned big-endian bytes to a bigint. */
export function toBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return value;
}

/** Byte length of a non-negative bigint (at least 1). */
export function byteLength(value: bigint): number {
  return Math.max(1, Math.ceil(value.toString(16).length / 2));
}

/** A non-negative bigint as unsigned big-endian bytes, left-padded to `length`. */
export function fromBigInt(value: bigint, length = byteLength(value)): Uint8Array {
  const out = new Uint8Array(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** base^exponent mod modulus. */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

/** Modular inverse (modulus prime or coprime). */
export function modInverse(value: bigint, modulus: bigint): bigint {
  let [a, b, x0, x1] = [((value % modulus) + modulus) % modulus, modulus, 0n, 1n];
  while (a > 1n) {
    if (b === 0n) throw new ChipError("malformed_response", "value not invertible");
    const q = a / b;
    [a, b] = [b, a % b];
    [x0, x1] = [x1 - q * x0, x0];
  }
  return ((x1 % modulus) + modulus) % modulus;
}

/** One BER-TLV element. */
export interface Tlv {
  tag: number;
  value: Uint8Array;
  /** Offset just past the element. */
  end: number;
  /** Offset of the value. */
  valueStart: number;
}

function malformed(detail: string): ChipError {
  return new ChipError("malformed_response", detail);
}

/** Reads the tag and length of the element at `offset` (the value may be truncated). */
export function readHeader(
  bytes: Uint8Array,
  offset = 0,
): { tag: number; length: number; valueStart: number } {
  let pos = offset;
  if (pos >= bytes.length) throw malformed("TLV truncated");
  let tag = bytes[pos++];
  if ((tag & 0x1f) === 0x1f) {
    let more = true;
    for (let i = 0; more; i++) {
      if (pos >= bytes.length || i > 2) throw malformed("TLV tag truncated");
      const b = bytes[pos++];
      tag = tag * 256 + b;
      more = (b & 0x80) !== 0;
    }
  }
  if (pos >= bytes.length) throw malformed("TLV length truncated");
  let length = bytes[pos++];
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 3) throw malformed("unsupported TLV length");
    if (pos + count > bytes.length) throw malformed("TLV length truncated");
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[pos++];
  }
  return { tag, length, valueStart: pos };
}

/** Reads one complete element at `offset`. */
export function readTlv(bytes: Uint8Array, offset = 0): Tlv {
  const { tag, length, valueStart } = readHeader(bytes, offset);
  const end = valueStart + length;
  if (end > bytes.length) throw malformed("TLV value truncated");
  return { tag, value: bytes.subarray(valueStart, end), end, valueStart };
}

/** Every element of a concatenation of TLVs. */
export function readAll(bytes: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  for (let pos = 0; pos < bytes.length;) {
    const tlv = readTlv(bytes, pos);
    out.push(tlv);
    pos = tlv.end;
  }
  return out;
}

/** The value of the first element with `tag` among a concatenation of TLVs. */
export function findTag(bytes: Uint8Array, tag: number): Uint8Array | undefined {
  return readAll(bytes).find((t) => t.tag === tag)?.value;
}

/** Encodes a BER length. */
export function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  if (length < 0x100) return Uint8Array.of(0x81, length);
  if (length < 0x10000) return Uint8Array.of(0x82, length >> 8, length & 0xff);
  return Uint8Array.of(0x83, length >> 16, (length >> 8) & 0xff, length & 0xff);
}

/** Encodes one TLV (tags up to three bytes). */
export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const value = concat(...content);
  const tagBytes = tag > 0xffff
    ? Uint8Array.of(tag >> 16, (tag >> 8) & 0xff, tag & 0xff)
    : tag > 0xff
    ? Uint8Array.of(tag >> 8, tag & 0xff)
    : Uint8Array.of(tag);
  return concat(tagBytes, encodeLength(value.length), value);
}

/** Content octets of an OBJECT IDENTIFIER in dotted form. */
export function oidBytes(oid: string): Uint8Array {
  if (!/^[0-2](\.\d+)+$/.test(oid)) throw new RangeError(`not an object identifier: ${oid}`);
  const arcs = oid.split(".").map((a) => BigInt(a));
  const out: number[] = [Number(arcs[0] * 40n + arcs[1])];
  for (const arc of arcs.slice(2)) {
    const chunk: number[] = [];
    let v = arc;
    do {
      chunk.unshift(Number(v & 0x7fn));
      v >>= 7n;
    } while (v > 0n);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i] |= 0x80;
    out.push(...chunk);
  }
  return Uint8Array.from(out);
}

/** Dotted form of OBJECT IDENTIFIER content octets. */
export function decodeOid(bytes: Uint8Array): string {
  if (bytes.length === 0) throw malformed("empty OID");
  const arcs: bigint[] = [];
  let value = 0n;
  for (const b of bytes) {
    value = (value << 7n) | BigInt(b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(value);
      value = 0n;
    }
  }
  const first = arcs.shift() ?? 0n;
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...arcs].join(".");
}

/** A small non-negative DER INTEGER content. */
export function decodeSmallInt(bytes: Uint8Array): number {
  if (bytes.length === 0 || bytes.length > 4) throw malformed("bad INTEGER");
  return Number(toBigInt(bytes));
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Standard base64 with padding (RFC 4648 §4), without relying on `btoa`. */
export function toBase64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64[n >> 18] + B64[(n >> 12) & 63] +
      (i + 1 < bytes.length ? B64[(n >> 6) & 63] : "=") +
      (i + 2 < bytes.length ? B64[n & 63] : "=");
  }
  return out;
}

/** Decodes standard base64 (padding optional); undefined when invalid. */
export function fromBase64(text: string): Uint8Array | undefined {
  const clean = text.replace(/=+$/, "");
  if (!/^[A-Za-z0-9+/]*$/.test(clean) || clean.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let pos = 0;
  for (const c of clean) {
    acc = (acc << 6) | B64.indexOf(c);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[pos++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

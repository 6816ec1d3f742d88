/**
 * TLV helpers of the anti-cloning checks (DG14, DG15, secure messaging) and the synthetic
 * document factory: reading goes through the shared reader of `verify/asn1`; decoding and a small
 * DER writer are here. Nothing but {@link DerError} escapes, so callers turn every malformed input
 * into a typed failure.
 */

import { Asn1Error } from "../asn1/errors.ts";
import { readTlv as readAsn1Tlv } from "../asn1/tlv.ts";
import {
  derBitString,
  derInteger,
  derNull,
  derOctetString,
  derOid,
  derSequence,
  derSet,
  derTlv,
} from "../asn1/der_writer.ts";
import { bigIntToBytes, concatBytes as concatAll } from "../asn1/values.ts";

/** Raised for malformed TLV input; `code` is stable. */
export class DerError extends Error {
  /** Stable machine code, e.g. `truncated`, `bad_length`. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "DerError";
    this.code = code;
  }
}

/** One decoded TLV element; `value` and `raw` are views into the input. */
export interface Tlv {
  /** Tag as the big-endian integer of its identifier octets (e.g. 0x30, 0x7f49, 0x6e). */
  tag: number;
  constructed: boolean;
  /** Content octets (for indefinite lengths: without the end-of-contents marker). */
  value: Uint8Array;
  /** The whole element, header included. */
  raw: Uint8Array;
}

/** Reads the TLV starting at `offset`; returns it and the offset after it. */
export function readTlv(bytes: Uint8Array, offset = 0, depth = 0): { tlv: Tlv; next: number } {
  // The one DER/BER reader of `verify/` (asn1/tlv.ts); its errors keep this module's type.
  try {
    const tlv = readAsn1Tlv(bytes, offset, depth);
    return {
      tlv: { tag: tlv.tag, constructed: tlv.constructed, value: tlv.value, raw: tlv.raw },
      next: tlv.end,
    };
  } catch (error) {
    if (error instanceof Asn1Error) throw new DerError(error.code, error.message);
    throw error;
  }
}

/** Reads exactly one TLV spanning all of `bytes` (trailing bytes are an error). */
export function readSingleTlv(bytes: Uint8Array): Tlv {
  const { tlv, next } = readTlv(bytes, 0);
  if (next !== bytes.length) throw new DerError("trailing_bytes", "bytes after the TLV");
  return tlv;
}

/** Decodes the children of a constructed element. */
export function readChildren(parent: Tlv, depth = 0): Tlv[] {
  if (!parent.constructed) throw new DerError("not_constructed", "expected a constructed TLV");
  const children: Tlv[] = [];
  let pos = 0;
  while (pos < parent.value.length) {
    const { tlv, next } = readTlv(parent.value, pos, depth + 1);
    children.push(tlv);
    pos = next;
  }
  return children;
}

/** Asserts a tag and returns the element. */
export function expectTag(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (!tlv || tlv.tag !== tag) throw new DerError("unexpected_tag", `expected ${what}`);
  return tlv;
}

/** Decodes an OBJECT IDENTIFIER's content to dotted form. */
export function decodeOid(tlv: Tlv): string {
  if (tlv.tag !== 0x06 || tlv.value.length === 0) throw new DerError("bad_oid", "not an OID");
  const parts: number[] = [];
  let value = 0;
  for (const byte of tlv.value) {
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 256) throw new DerError("bad_oid", "OID arc too large");
    if ((byte & 0x80) === 0) {
      if (parts.length === 0) {
        parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      } else parts.push(value);
      value = 0;
    }
  }
  if ((tlv.value[tlv.value.length - 1] & 0x80) !== 0) {
    throw new DerError("bad_oid", "OID truncated");
  }
  return parts.join(".");
}

/** Decodes a non-negative INTEGER (or any unsigned big-endian octets) to a bigint. */
export function decodeUnsigned(bytes: Uint8Array): bigint {
  let result = 0n;
  for (const byte of bytes) result = (result << 8n) | BigInt(byte);
  return result;
}

/** Decodes an INTEGER element; rejects negative values (never used by these structures). */
export function decodeInteger(tlv: Tlv): bigint {
  if (tlv.tag !== 0x02 || tlv.value.length === 0) {
    throw new DerError("bad_integer", "not an INTEGER");
  }
  if (tlv.value[0] & 0x80) throw new DerError("bad_integer", "negative INTEGER");
  return decodeUnsigned(tlv.value);
}

/** Decodes a small INTEGER to a number. */
export function decodeSmallInteger(tlv: Tlv): number {
  const value = decodeInteger(tlv);
  if (value > 0xffffffffn) throw new DerError("bad_integer", "INTEGER too large");
  return Number(value);
}

// ---- writing (DER) ----

/** Concatenates byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return concatAll(parts);
}

/** Encodes a TLV with a (possibly multi-byte) tag (the shared DER writer of `verify/asn1`). */
export function encodeTlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  return derTlv(tag, concatAll(content));
}

/** Encodes a dotted OID. */
export const encodeOid: (oid: string) => Uint8Array = derOid;

/** Big-endian unsigned octets of `value`, left-padded to `length` when given. */
export const bigintToBytes: (value: bigint, length?: number) => Uint8Array = bigIntToBytes;

/** Computes base^exponent mod modulus with square-and-multiply (RSA recovery, DH). */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

/** Encodes an INTEGER (minimal two's complement). */
export const encodeInteger: (value: bigint | number) => Uint8Array = derInteger;
/** Encodes a SEQUENCE of already-encoded elements. */
export const encodeSequence: (...items: Uint8Array[]) => Uint8Array = derSequence;
/** Encodes a SET (items in the given order). */
export const encodeSet: (...items: Uint8Array[]) => Uint8Array = derSet;
/** Encodes an OCTET STRING. */
export const encodeOctetString: (bytes: Uint8Array) => Uint8Array = derOctetString;
/** Encodes a BIT STRING with no unused bits. */
export const encodeBitString: (bytes: Uint8Array) => Uint8Array = derBitString;
/** Encodes NULL. */
export const encodeNull: () => Uint8Array = derNull;

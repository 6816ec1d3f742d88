/**
 * A DER/BER tag-length-value reader that keeps the original bytes of every element (`raw`), so
 * signatures are checked over what was signed, never over a re-encoding. BER indefinite lengths
 * are accepted (real passports use them); malformed input always throws `Asn1Error`.
 */
import { Asn1Error } from "./errors.ts";

/** Nesting limit: deeper input is hostile, not a passport. */
const MAX_DEPTH = 64;

/** One decoded element. `raw` and `value` are views into the input buffer, not copies. */
export interface Tlv {
  /** The identifier octets as one number: 0x30, 0xA0, 0x77, 0x7F61, 0x5F2E… */
  tag: number;
  /** 0 universal, 1 application, 2 context-specific, 3 private. */
  tagClass: number;
  /** True when the element holds nested elements. */
  constructed: boolean;
  /** The tag number inside its class (e.g. 16 for SEQUENCE). */
  tagNumber: number;
  /** The whole element: identifier, length, content and, when indefinite, the end-of-contents. */
  raw: Uint8Array;
  /** The content octets only. */
  value: Uint8Array;
  /** True when the length was BER indefinite (0x80). */
  indefinite: boolean;
  /** Offset of the byte after this element in the buffer it was read from. */
  end: number;
  /** Nesting depth at which the element was read (0 for the outermost). */
  depth: number;
}

interface Header {
  tag: number;
  tagClass: number;
  constructed: boolean;
  tagNumber: number;
  contentStart: number;
  length: number | null;
}

function readHeader(bytes: Uint8Array, offset: number): Header {
  if (offset >= bytes.length) throw new Asn1Error("truncated", "missing identifier octet");
  const first = bytes[offset];
  let pos = offset + 1;
  let tag = first;
  let tagNumber = first & 0x1f;
  if (tagNumber === 0x1f) {
    tagNumber = 0;
    for (let count = 0;; count++) {
      if (pos >= bytes.length) throw new Asn1Error("truncated", "tag number cut short");
      if (count >= 3) throw new Asn1Error("bad_tag", "tag number too long");
      const b = bytes[pos++];
      tag = tag * 256 + b;
      tagNumber = tagNumber * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
  }
  if (pos >= bytes.length) throw new Asn1Error("truncated", "missing length octet");
  const lengthByte = bytes[pos++];
  let length: number | null;
  if (lengthByte < 0x80) length = lengthByte;
  else if (lengthByte === 0x80) length = null;
  else {
    const count = lengthByte & 0x7f;
    if (count > 4) throw new Asn1Error("length_overflow", `${count} length octets`);
    if (pos + count > bytes.length) throw new Asn1Error("truncated", "length octets cut short");
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[pos++];
  }
  return {
    tag,
    tagClass: first >> 6,
    constructed: (first & 0x20) !== 0,
    tagNumber,
    contentStart: pos,
    length,
  };
}

/** Reads one element at `offset`; bytes after it are allowed (see `parseTlv` for strictness). */
export function readTlv(bytes: Uint8Array, offset = 0, depth = 0): Tlv {
  if (depth > MAX_DEPTH) throw new Asn1Error("depth_exceeded", `nesting deeper than ${MAX_DEPTH}`);
  const header = readHeader(bytes, offset);
  const start = header.contentStart;
  if (header.length !== null) {
    const end = start + header.length;
    if (end > bytes.length) throw new Asn1Error("truncated", "content shorter than its length");
    return makeTlv(bytes, offset, header, start, end, end, false, depth);
  }
  if (!header.constructed) {
    throw new Asn1Error("indefinite_primitive", "indefinite length on a primitive element");
  }
  let pos = start;
  for (;;) {
    if (pos + 1 < bytes.length && bytes[pos] === 0 && bytes[pos + 1] === 0) break;
    if (pos >= bytes.length) throw new Asn1Error("truncated", "missing end-of-contents");
    pos = readTlv(bytes, pos, depth + 1).end;
  }
  return makeTlv(bytes, offset, header, start, pos, pos + 2, true, depth);
}

function makeTlv(
  bytes: Uint8Array,
  offset: number,
  header: Header,
  contentStart: number,
  contentEnd: number,
  end: number,
  indefinite: boolean,
  depth: number,
): Tlv {
  return {
    tag: header.tag,
    tagClass: header.tagClass,
    constructed: header.constructed,
    tagNumber: header.tagNumber,
    raw: bytes.subarray(offset, end),
    value: bytes.subarray(contentStart, contentEnd),
    indefinite,
    end,
    depth,
  };
}

/** Parses exactly one element spanning all of `bytes`; trailing bytes are an error. */
export function parseTlv(bytes: Uint8Array): Tlv {
  const tlv = readTlv(bytes, 0, 0);
  if (tlv.end !== bytes.length) {
    throw new Asn1Error("trailing_bytes", `${bytes.length - tlv.end} bytes after the element`);
  }
  return tlv;
}

/** The nested elements of a constructed element, in order. */
export function children(tlv: Tlv): Tlv[] {
  if (!tlv.constructed) throw new Asn1Error("unexpected_tag", "primitive element has no children");
  const out: Tlv[] = [];
  let pos = 0;
  while (pos < tlv.value.length) {
    const child = readTlv(tlv.value, pos, tlv.depth + 1);
    out.push(child);
    pos = child.end;
  }
  return out;
}

/** Throws `unexpected_tag` unless `tlv` carries `tag`; returns it for chaining. */
export function expectTag(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (!tlv) throw new Asn1Error("missing_element", `${what} is missing`);
  if (tlv.tag !== tag) {
    throw new Asn1Error(
      "unexpected_tag",
      `${what}: expected tag 0x${tag.toString(16)}, got 0x${tlv.tag.toString(16)}`,
    );
  }
  return tlv;
}

/** The children of `tlv` after checking its tag. */
export function childrenOf(tlv: Tlv | undefined, tag: number, what: string): Tlv[] {
  return children(expectTag(tlv, tag, what));
}

/** Universal tags used across the verifier. */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/**
 * A small ISO/IEC 7816-4 BER-TLV reader for the LDS data groups (DG1, DG2, DG11, DG12, EF.COM).
 *
 * Data groups are not signed structures themselves (the SOD signs their hashes), so this reader
 * only has to walk them safely: every length is checked against its parent before use, and any
 * problem raises a {@link TlvError} with a stable reason that the data-group parsers turn into a
 * typed failure.
 */

import { Asn1Error } from "../asn1/errors.ts";
import { readTlv as readAsn1Tlv } from "../asn1/tlv.ts";

/** Stable reasons a TLV walk can fail for. */
export type TlvErrorReason =
  | "tlv_truncated"
  | "tlv_tag_too_long"
  | "tlv_length_unsupported";

/** A TLV walk failure; `reason` is stable, `message` names the offset only (never content). */
export class TlvError extends Error {
  /** Creates the error for `reason` at byte `offset`. */
  constructor(readonly reason: TlvErrorReason, readonly offset: number) {
    super(`${reason} at offset ${offset}`);
    this.name = "TlvError";
  }
}

/** One decoded TLV element; offsets are absolute positions in the bytes that were walked. */
export interface Tlv {
  /** The tag with all its bytes, e.g. `0x5F1F` or `0x7F61`. */
  tag: number;
  /** True when bit 6 of the first tag byte marks a constructed element. */
  constructed: boolean;
  /** Offset of the first tag byte. */
  start: number;
  /** Offset of the first value byte. */
  valueStart: number;
  /** Offset just past the value. */
  end: number;
}

const MAX_TAG_BYTES = 3;

/** Reads the tag starting at `offset`; returns the tag and the offset just after it. */
export function readTag(bytes: Uint8Array, offset: number, limit: number): [number, number] {
  if (offset >= limit) throw new TlvError("tlv_truncated", offset);
  let tag = bytes[offset];
  let cursor = offset + 1;
  if ((tag & 0x1f) !== 0x1f) return [tag, cursor];
  // Multi-byte tag: subsequent bytes continue while their top bit is set.
  for (let count = 1;; count++) {
    if (count >= MAX_TAG_BYTES) throw new TlvError("tlv_tag_too_long", offset);
    if (cursor >= limit) throw new TlvError("tlv_truncated", cursor);
    const next = bytes[cursor++];
    tag = tag * 256 + next;
    if ((next & 0x80) === 0) return [tag, cursor];
  }
}

/** Reads one TLV element at `offset`, which must end at or before `limit`. */
export function readTlv(bytes: Uint8Array, offset: number, limit = bytes.length): Tlv {
  // Element reading goes through the one DER/BER reader of `verify/` (asn1/tlv.ts); only the
  // data groups' own rules are added here.
  let element;
  try {
    element = readAsn1Tlv(bytes.subarray(0, limit), offset);
  } catch (error) {
    if (!(error instanceof Asn1Error)) throw error;
    throw new TlvError(
      error.code === "bad_tag"
        ? "tlv_tag_too_long"
        : error.code === "truncated"
        ? "tlv_truncated"
        : "tlv_length_unsupported",
      offset,
    );
  }
  // Indefinite lengths never appear in LDS data groups.
  if (element.indefinite) throw new TlvError("tlv_length_unsupported", offset);
  const valueStart = element.end - element.value.length;
  return {
    tag: element.tag,
    constructed: element.constructed,
    start: offset,
    valueStart,
    end: element.end,
  };
}

/** Reads the elements directly inside `parent` (or inside `bytes[start, end)`). */
export function readChildren(
  bytes: Uint8Array,
  parent: { valueStart: number; end: number },
): Tlv[] {
  const children: Tlv[] = [];
  let cursor = parent.valueStart;
  while (cursor < parent.end) {
    // Some issuers pad with 0x00 or 0xFF between elements (ISO 7816-4 allows it).
    if (bytes[cursor] === 0x00 || bytes[cursor] === 0xff) {
      cursor++;
      continue;
    }
    const child = readTlv(bytes, cursor, parent.end);
    children.push(child);
    cursor = child.end;
  }
  return children;
}

/** Reads the single outer element of a data group and checks its tag. */
export function readOuter(bytes: Uint8Array, expectedTag: number): Tlv | null {
  if (bytes.length === 0) throw new TlvError("tlv_truncated", 0);
  const outer = readTlv(bytes, 0);
  return outer.tag === expectedTag ? outer : null;
}

/** The value bytes of `tlv` (a view, not a copy). */
export function valueOf(bytes: Uint8Array, tlv: Tlv): Uint8Array {
  return bytes.subarray(tlv.valueStart, tlv.end);
}

/** Splits a tag list (the value of tag 0x5C) into tags. */
export function readTagList(bytes: Uint8Array, tlv: Tlv): number[] {
  const tags: number[] = [];
  let cursor = tlv.valueStart;
  while (cursor < tlv.end) {
    const [tag, next] = readTag(bytes, cursor, tlv.end);
    tags.push(tag);
    cursor = next;
  }
  return tags;
}

/** The children of `parent` grouped by tag, in order of appearance. */
export function childrenByTag(bytes: Uint8Array, parent: Tlv): Map<number, Tlv[]> {
  const byTag = new Map<number, Tlv[]>();
  for (const child of readChildren(bytes, parent)) {
    const list = byTag.get(child.tag) ?? [];
    list.push(child);
    byTag.set(child.tag, list);
  }
  return byTag;
}

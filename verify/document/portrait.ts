/**
 * DG2 portrait extraction (ICAO Doc 9303 Part 10 §4.7.2): DG2 `75` → biometric information
 * group template `7F61` → biometric information templates `7F60` → the biometric data block,
 * either `5F2E` (an ISO/IEC 19794-5 facial record, "FAC\0") or `7F2E` (ISO/IEC 39794-5, an
 * ASN.1-encoded record). The image is located by its magic bytes: record headers are known to
 * misstate the encoding.
 */
import { findImageStart, formatAt, type PortraitFormat, readImageSize } from "./image_format.ts";
import { readChildren, readOuter, type Tlv, TlvError } from "./tlv.ts";

/** The chip portrait. Personal data: never log or store it. */
export interface Portrait {
  format: PortraitFormat;
  /** The encoded image, a view into the DG2 bytes. */
  bytes: Uint8Array;
  /** Offset of the image inside the input. */
  offset: number;
  /** From the image's own header when readable. */
  width?: number;
  height?: number;
}

/** Why no portrait could be extracted. */
export type PortraitFailureReason =
  | "dg2_malformed"
  | "dg2_wrong_tag"
  | "dg2_no_biometric_data"
  | "dg2_no_image";

/** The outcome of {@link extractPortrait}. */
export type PortraitResult =
  | { ok: true; portrait: Portrait }
  | { ok: false; reason: PortraitFailureReason; detail: string };

const DG2_TAG = 0x75;
const GROUP_TEMPLATE_TAG = 0x7f61;
const INFORMATION_TEMPLATE_TAG = 0x7f60;
const ISO_19794_BLOCK_TAG = 0x5f2e;
const ISO_39794_BLOCK_TAG = 0x7f2e;
const FAC_MAGIC = [0x46, 0x41, 0x43, 0x00];
/** FAC general header: magic, version, record length (4), number of faces (2). */
const FAC_GENERAL_HEADER_LENGTH = 14;
const MAX_39794_DEPTH = 32;

function isFacRecord(bytes: Uint8Array, offset: number): boolean {
  return FAC_MAGIC.every((value, i) => bytes[offset + i] === value);
}

/** End of the first facial image in a 19794-5 record, so a second face is not appended. */
function firstFaceEnd(bytes: Uint8Array, start: number, end: number): number {
  if (end - start < FAC_GENERAL_HEADER_LENGTH + 4 || !isFacRecord(bytes, start)) return end;
  const at = start + FAC_GENERAL_HEADER_LENGTH;
  const faceLength = ((bytes[at] << 24) >>> 0) + (bytes[at + 1] << 16) + (bytes[at + 2] << 8) +
    bytes[at + 3];
  return Math.min(end, at + faceLength);
}

function imageIn19794Record(bytes: Uint8Array, start: number, end: number): Portrait | null {
  const imageEnd = firstFaceEnd(bytes, start, end);
  const searchFrom = isFacRecord(bytes, start) ? start + FAC_GENERAL_HEADER_LENGTH : start;
  const found = findImageStart(bytes, searchFrom, imageEnd);
  return found ? portraitAt(bytes, found.offset, imageEnd, found.format) : null;
}

/** 39794-5: the image is the value of one primitive element; find the one that starts with it. */
function imageIn39794Block(bytes: Uint8Array, block: Tlv, depth = 0): Portrait | null {
  // The 39794-5 record nests about eight levels deep; anything far deeper is not a record.
  if (depth > MAX_39794_DEPTH) return null;
  for (const child of readChildren(bytes, block)) {
    const value = bytes.subarray(0, child.end);
    const format = child.constructed ? null : formatAt(value, child.valueStart);
    if (format) return portraitAt(bytes, child.valueStart, child.end, format);
    const nested = child.constructed ? imageIn39794Block(bytes, child, depth + 1) : null;
    if (nested) return nested;
  }
  return null;
}

function portraitAt(
  bytes: Uint8Array,
  start: number,
  end: number,
  format: PortraitFormat,
): Portrait {
  const image = bytes.subarray(start, end);
  const size = readImageSize(image, format);
  return { format, bytes: image, offset: start, ...(size ?? {}) };
}

function biometricBlocks(bytes: Uint8Array, dg2: Tlv): Tlv[] {
  const group = readChildren(bytes, dg2).find((child) => child.tag === GROUP_TEMPLATE_TAG);
  if (!group) return [];
  return readChildren(bytes, group)
    .filter((child) => child.tag === INFORMATION_TEMPLATE_TAG)
    .flatMap((template) => readChildren(bytes, template))
    .filter((child) => child.tag === ISO_19794_BLOCK_TAG || child.tag === ISO_39794_BLOCK_TAG);
}

function extractFromDg2(bytes: Uint8Array, dg2: Tlv): PortraitResult {
  const blocks = biometricBlocks(bytes, dg2);
  if (blocks.length === 0) {
    return { ok: false, reason: "dg2_no_biometric_data", detail: "no 5F2E or 7F2E block" };
  }
  for (const block of blocks) {
    const portrait = block.tag === ISO_19794_BLOCK_TAG
      ? imageIn19794Record(bytes, block.valueStart, block.end)
      : imageIn39794Block(bytes, block);
    if (portrait) return { ok: true, portrait };
  }
  return { ok: false, reason: "dg2_no_image", detail: "no JPEG or JPEG 2000 image found" };
}

/**
 * Extracts the first face image of a DG2 file (or of a bare ISO 19794-5 "FAC" record). Never
 * throws: every problem is a typed failure.
 */
export function extractPortrait(bytes: Uint8Array): PortraitResult {
  try {
    if (bytes.length >= FAC_GENERAL_HEADER_LENGTH && isFacRecord(bytes, 0)) {
      const portrait = imageIn19794Record(bytes, 0, bytes.length);
      return portrait
        ? { ok: true, portrait }
        : { ok: false, reason: "dg2_no_image", detail: "no JPEG or JPEG 2000 image found" };
    }
    const dg2 = readOuter(bytes, DG2_TAG);
    if (!dg2) return { ok: false, reason: "dg2_wrong_tag", detail: "DG2 does not start with 75" };
    return extractFromDg2(bytes, dg2);
  } catch (error) {
    const detail = error instanceof TlvError ? error.message : "DG2 could not be read";
    return { ok: false, reason: "dg2_malformed", detail };
  }
}

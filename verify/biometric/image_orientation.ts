/**
 * EXIF orientation of JPEG selfies. Phones often store the sensor's pixels sideways and record the
 * rotation in the EXIF `Orientation` tag (0x0112); a face detector given the raw pixels sees a face
 * lying on its side and may find nothing, so the pixels are turned upright before detection.
 */
import type { RgbImage } from "./image_decode.ts";

/** EXIF orientation values 1–8 (1 = upright, 6 = rotate 90° clockwise to view, 8 = 90° anti-clockwise). */
export type ExifOrientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

const ORIENTATION_TAG = 0x0112;
const START_OF_SCAN = 0xda;
const APP1 = 0xe1;

/**
 * Reads the EXIF orientation of a JPEG; 1 when absent or unreadable (a malformed EXIF block must
 * not make an otherwise fine selfie fail, it simply stays as stored).
 */
export function readExifOrientation(jpegBytes: Uint8Array): ExifOrientation {
  let offset = 2;
  while (offset + 4 <= jpegBytes.length && jpegBytes[offset] === 0xff) {
    const marker = jpegBytes[offset + 1];
    if (marker === START_OF_SCAN) break;
    const length = (jpegBytes[offset + 2] << 8) | jpegBytes[offset + 3];
    if (length < 2) break;
    const segmentStart = offset + 4;
    const segmentEnd = Math.min(jpegBytes.length, offset + 2 + length);
    if (marker === APP1 && isExifHeader(jpegBytes, segmentStart)) {
      return orientationFromTiff(jpegBytes.subarray(segmentStart + 6, segmentEnd)) ?? 1;
    }
    offset += 2 + length;
  }
  return 1;
}

function isExifHeader(bytes: Uint8Array, at: number): boolean {
  const exif = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00];
  return exif.every((b, i) => bytes[at + i] === b);
}

function orientationFromTiff(tiff: Uint8Array): ExifOrientation | null {
  if (tiff.length < 8) return null;
  const little = tiff[0] === 0x49 && tiff[1] === 0x49;
  const big = tiff[0] === 0x4d && tiff[1] === 0x4d;
  if (!little && !big) return null;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const ifd = view.getUint32(4, little);
  if (ifd + 2 > tiff.length) return null;
  const count = view.getUint16(ifd, little);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return null;
    if (view.getUint16(entry, little) !== ORIENTATION_TAG) continue;
    const value = view.getUint16(entry + 8, little);
    return value >= 1 && value <= 8 ? (value as ExifOrientation) : null;
  }
  return null;
}

/** Returns the pixels as a viewer shows them for the given EXIF orientation. */
export function applyExifOrientation(image: RgbImage, orientation: ExifOrientation): RgbImage {
  if (orientation === 1) return image;
  const { width: w, height: h } = image;
  const swaps = orientation >= 5;
  const outWidth = swaps ? h : w;
  const outHeight = swaps ? w : h;
  const source = sourcePixelFor(orientation, w, h);
  const data = new Uint8Array(image.data.length);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const [sx, sy] = source(x, y);
      const from = (sy * w + sx) * 3;
      const to = (y * outWidth + x) * 3;
      data[to] = image.data[from];
      data[to + 1] = image.data[from + 1];
      data[to + 2] = image.data[from + 2];
    }
  }
  return { width: outWidth, height: outHeight, data };
}

/** For an output pixel, the stored pixel it comes from (w, h: stored size). */
function sourcePixelFor(
  orientation: ExifOrientation,
  w: number,
  h: number,
): (x: number, y: number) => [number, number] {
  switch (orientation) {
    case 2:
      return (x, y) => [w - 1 - x, y];
    case 3:
      return (x, y) => [w - 1 - x, h - 1 - y];
    case 4:
      return (x, y) => [x, h - 1 - y];
    case 5:
      return (x, y) => [y, x];
    case 6:
      return (x, y) => [y, h - 1 - x];
    case 7:
      return (x, y) => [w - 1 - y, h - 1 - x];
    case 8:
      return (x, y) => [w - 1 - y, x];
    default:
      return (x, y) => [x, y];
  }
}

/**
 * Inserts an APP1 EXIF block carrying only an orientation tag right after SOI. Tests and the
 * benchmark use it to build "rotated selfies" the way a phone stores them.
 */
export function withExifOrientation(
  jpegBytes: Uint8Array,
  orientation: ExifOrientation,
): Uint8Array {
  // TIFF (big endian): header, one IFD with one SHORT entry, no next IFD.
  const tiff = [
    0x4d,
    0x4d,
    0x00,
    0x2a,
    0x00,
    0x00,
    0x00,
    0x08,
    0x00,
    0x01,
    0x01,
    0x12,
    0x00,
    0x03,
    0x00,
    0x00,
    0x00,
    0x01,
    0x00,
    orientation,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
  ];
  const payload = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00, ...tiff];
  const length = payload.length + 2;
  const segment = [0xff, APP1, length >> 8, length & 0xff, ...payload];
  const out = new Uint8Array(jpegBytes.length + segment.length);
  out.set(jpegBytes.subarray(0, 2), 0);
  out.set(segment, 2);
  out.set(jpegBytes.subarray(2), 2 + segment.length);
  return out;
}

/**
 * Recognising a face image by its magic bytes (never by a header field: real DG2s disagree with
 * their own headers) and reading its pixel size from the image's own header.
 */

/** The portrait encodings a chip may carry. */
export type PortraitFormat = "jpeg" | "jp2" | "j2k";

const MAGIC: ReadonlyArray<readonly [PortraitFormat, readonly number[]]> = [
  ["jpeg", [0xff, 0xd8, 0xff]],
  ["jp2", [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20]],
  ["j2k", [0xff, 0x4f, 0xff, 0x51]],
];

function startsWith(bytes: Uint8Array, offset: number, magic: readonly number[]): boolean {
  if (offset + magic.length > bytes.length) return false;
  return magic.every((value, i) => bytes[offset + i] === value);
}

/** The format whose magic bytes start at `offset`, or null. */
export function formatAt(bytes: Uint8Array, offset: number): PortraitFormat | null {
  for (const [format, magic] of MAGIC) if (startsWith(bytes, offset, magic)) return format;
  return null;
}

/** The first image magic in `bytes[start, end)`: its offset and format, or null. */
export function findImageStart(
  bytes: Uint8Array,
  start: number,
  end: number,
): { offset: number; format: PortraitFormat } | null {
  for (let offset = start; offset < end; offset++) {
    // Every magic begins with 0x00 or 0xFF: a cheap pre-filter before the full comparison.
    if (bytes[offset] !== 0xff && bytes[offset] !== 0x00) continue;
    const format = formatAt(bytes.subarray(0, end), offset);
    if (format) return { offset, format };
  }
  return null;
}

/** Pixel size of an image, when its header states it. */
export interface ImageSize {
  width: number;
  height: number;
}

function readUint16(bytes: Uint8Array, offset: number): number {
  return bytes[offset] * 256 + bytes[offset + 1];
}

function readUint32(bytes: Uint8Array, offset: number): number {
  return readUint16(bytes, offset) * 65536 + readUint16(bytes, offset + 2);
}

/** JPEG: the first start-of-frame marker (SOF0–SOF15 except DHT/JPG/DAC) holds the size. */
function jpegSize(image: Uint8Array): ImageSize | null {
  let offset = 2;
  while (offset + 9 <= image.length) {
    if (image[offset] !== 0xff) return null;
    const marker = image[offset + 1];
    if (marker === 0xff) {
      offset++;
      continue;
    }
    const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (isFrame) {
      return { height: readUint16(image, offset + 5), width: readUint16(image, offset + 7) };
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    offset += 2 + readUint16(image, offset + 2);
  }
  return null;
}

/** J2K codestream: the SIZ segment right after SOC gives the reference grid and its offset. */
function j2kSize(image: Uint8Array, offset = 0): ImageSize | null {
  if (offset + 24 > image.length) return null;
  const xsiz = readUint32(image, offset + 8);
  const ysiz = readUint32(image, offset + 12);
  const xOffset = readUint32(image, offset + 16);
  const yOffset = readUint32(image, offset + 20);
  return { width: xsiz - xOffset, height: ysiz - yOffset };
}

/** JP2: the `ihdr` box inside `jp2h` holds height then width. */
function jp2Size(image: Uint8Array): ImageSize | null {
  const limit = Math.min(image.length - 12, 4096);
  for (let offset = 0; offset < limit; offset++) {
    const isIhdr = image[offset] === 0x69 && image[offset + 1] === 0x68 &&
      image[offset + 2] === 0x64 && image[offset + 3] === 0x72;
    if (isIhdr) {
      return { height: readUint32(image, offset + 4), width: readUint32(image, offset + 8) };
    }
  }
  return null;
}

/** The size an image declares in its own header, or null when it cannot be read. */
export function readImageSize(image: Uint8Array, format: PortraitFormat): ImageSize | null {
  const size = format === "jpeg" ? jpegSize(image) : format === "jp2" ? jp2Size(image) : j2kSize(
    image,
  );
  if (!size || size.width <= 0 || size.height <= 0) return null;
  return size;
}

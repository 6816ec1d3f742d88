/**
 * Decodes the images the biometric step receives — chip portraits (JPEG, JP2, J2K, found by magic
 * bytes, often greyscale) and selfie JPEGs (EXIF orientation honoured) — into 8-bit RGB pixels.
 */
import jpeg from "jpeg-js";
import { decodeJpeg2000 } from "./jp2_decode.ts";
import { applyExifOrientation, readExifOrientation } from "./image_orientation.ts";

/** Interleaved 8-bit RGB pixels, row-major, `data.length === width * height * 3`. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** The image formats the biometric step accepts. */
export type ImageFormat = "jpeg" | "jp2" | "j2k";

/** An image could not be read; `code` is stable. */
export class ImageDecodeError extends Error {
  /** Stable code: `image_format_unsupported`, `image_too_large` or `image_corrupt`. */
  readonly code: "image_format_unsupported" | "image_too_large" | "image_corrupt";

  /** Builds the error with its stable code (the message never carries image bytes). */
  constructor(code: ImageDecodeError["code"], message: string) {
    super(message);
    this.name = "ImageDecodeError";
    this.code = code;
  }
}

/** Largest pixel count we decode (a 24 MP phone photo); bigger inputs are refused, not decoded. */
export const MAX_IMAGE_PIXELS = 24_000_000;

const JP2_SIGNATURE = [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a];
const J2K_SIGNATURE = [0xff, 0x4f, 0xff, 0x51];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

function startsWith(bytes: Uint8Array, signature: number[]): boolean {
  return bytes.length >= signature.length && signature.every((b, i) => bytes[i] === b);
}

/** Finds the format by magic bytes (never by a header field, which chips get wrong), or null. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | null {
  if (startsWith(bytes, JPEG_SIGNATURE)) return "jpeg";
  if (startsWith(bytes, JP2_SIGNATURE)) return "jp2";
  if (startsWith(bytes, J2K_SIGNATURE)) return "j2k";
  return null;
}

/** Decodes a JPEG, JP2 or J2K image to RGB, applying EXIF orientation to JPEGs. */
export async function decodeImage(bytes: Uint8Array): Promise<RgbImage> {
  const format = sniffImageFormat(bytes);
  if (format === null) {
    throw new ImageDecodeError("image_format_unsupported", "not a JPEG, JP2 or J2K image");
  }
  if (format === "jpeg") return applyExifOrientation(decodeJpeg(bytes), readExifOrientation(bytes));
  return await decodeJpeg2000(bytes);
}

/** Decodes a baseline or progressive JPEG (greyscale and CMYK are expanded to RGB). */
export function decodeJpeg(bytes: Uint8Array): RgbImage {
  try {
    const image = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: false,
      maxResolutionInMP: MAX_IMAGE_PIXELS / 1_000_000,
      maxMemoryUsageInMB: 256,
    });
    return { width: image.width, height: image.height, data: image.data };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/limit exceeded/.test(message)) {
      throw new ImageDecodeError("image_too_large", "JPEG exceeds the decoding limits");
    }
    throw new ImageDecodeError("image_corrupt", "JPEG could not be decoded");
  }
}

/** Encodes RGB pixels as a JPEG (used to build test selfies and benchmark variants). */
export function encodeJpeg(image: RgbImage, quality = 90): Uint8Array {
  const rgba = new Uint8Array(image.width * image.height * 4);
  for (let src = 0, dst = 0; src < image.data.length; src += 3, dst += 4) {
    rgba[dst] = image.data[src];
    rgba[dst + 1] = image.data[src + 1];
    rgba[dst + 2] = image.data[src + 2];
    rgba[dst + 3] = 255;
  }
  const encoded = jpeg.encode({ width: image.width, height: image.height, data: rgba }, quality);
  return new Uint8Array(encoded.data);
}

/**
 * Shrinks an image so that its longer side is at most `maxSide`, averaging the source pixels each
 * output pixel covers (a box filter), so that fine detail does not alias into the detector.
 */
export function downscaleToFit(image: RgbImage, maxSide: number): RgbImage {
  const scale = maxSide / Math.max(image.width, image.height);
  if (scale >= 1) return image;
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y / scale), y1 = Math.min(image.height, Math.floor((y + 1) / scale));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x / scale), x1 = Math.min(image.width, Math.floor((x + 1) / scale));
      averageBlock(
        image,
        x0,
        Math.max(x1, x0 + 1),
        y0,
        Math.max(y1, y0 + 1),
        data,
        (y * width + x) * 3,
      );
    }
  }
  return { width, height, data };
}

function averageBlock(
  image: RgbImage,
  x0: number,
  x1: number,
  y0: number,
  y1: number,
  out: Uint8Array,
  offset: number,
): void {
  let r = 0, g = 0, b = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * image.width + x) * 3;
      r += image.data[i];
      g += image.data[i + 1];
      b += image.data[i + 2];
    }
  }
  const n = (x1 - x0) * (y1 - y0);
  out[offset] = r / n;
  out[offset + 1] = g / n;
  out[offset + 2] = b / n;
}

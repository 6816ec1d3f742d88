/**
 * JPEG 2000 (JP2 container or bare J2K codestream) decoding with OpenJPEG compiled to WebAssembly
 * (`@cornerstonejs/codec-openjpeg`). Most ICAO chip portraits are JPEG 2000, often greyscale.
 */
import openJpegFactory from "@cornerstonejs/codec-openjpeg/decodewasmjs";
import { ImageDecodeError, MAX_IMAGE_PIXELS, type RgbImage } from "./image_decode.ts";

interface J2kFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned: boolean;
}

interface J2kDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): J2kFrameInfo;
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}

interface OpenJpegModule {
  J2KDecoder: new () => J2kDecoder;
}

let modulePromise: Promise<OpenJpegModule> | null = null;

/** Instantiates the wasm decoder once per process; the wasm comes from the npm package on disk. */
function loadOpenJpeg(): Promise<OpenJpegModule> {
  modulePromise ??= (async () => {
    const wasmUrl = import.meta.resolve("@cornerstonejs/codec-openjpeg/decodewasm");
    const wasmBinary = await Deno.readFile(new URL(wasmUrl));
    const silent = () => {};
    // OpenJPEG prints progress lines; they are noise in server logs, so they are dropped.
    const factory = openJpegFactory as unknown as (options: object) => Promise<OpenJpegModule>;
    return await factory({ wasmBinary, print: silent, printErr: silent });
  })();
  return modulePromise;
}

/** Decodes a JP2 or J2K image to 8-bit RGB (greyscale is expanded, deeper samples are scaled). */
export async function decodeJpeg2000(bytes: Uint8Array): Promise<RgbImage> {
  const openJpeg = await loadOpenJpeg();
  const decoder = new openJpeg.J2KDecoder();
  try {
    decoder.getEncodedBuffer(bytes.length).set(bytes);
    try {
      decoder.decode();
    } catch {
      throw new ImageDecodeError("image_corrupt", "JPEG 2000 image could not be decoded");
    }
    const info = decoder.getFrameInfo();
    if (info.width * info.height > MAX_IMAGE_PIXELS) {
      throw new ImageDecodeError("image_too_large", "JPEG 2000 image exceeds the decoding limits");
    }
    if (info.width === 0 || info.height === 0 || info.componentCount < 1) {
      throw new ImageDecodeError("image_corrupt", "JPEG 2000 image has no pixels");
    }
    return toRgb(decoder.getDecodedBuffer(), info);
  } finally {
    decoder.delete();
  }
}

/** Converts OpenJPEG's interleaved samples (1–4 components, 8 or 16 bits) to 8-bit RGB. */
function toRgb(decoded: Uint8Array, info: J2kFrameInfo): RgbImage {
  const pixels = info.width * info.height;
  const samples = info.bitsPerSample > 8
    ? new Uint16Array(
      decoded.buffer.slice(
        decoded.byteOffset,
        decoded.byteOffset + pixels * info.componentCount * 2,
      ),
    )
    : decoded;
  const shift = Math.max(0, info.bitsPerSample - 8);
  const data = new Uint8Array(pixels * 3);
  const channels = info.componentCount;
  for (let p = 0; p < pixels; p++) {
    const base = p * channels;
    for (let c = 0; c < 3; c++) {
      // Greyscale (1 or 2 components: grey + alpha) repeats the grey sample in R, G and B.
      const component = channels >= 3 ? c : 0;
      data[p * 3 + c] = samples[base + component] >> shift;
    }
  }
  return { width: info.width, height: info.height, data };
}

/**
 * Small geometric operations on RGB images: crop, resize, rotate (used to align a tilted face
 * before the embedding) and the photometric changes the benchmark applies to derive selfies.
 */
import type { RgbImage } from "./image_decode.ts";

/** An axis-aligned rectangle in pixels. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Samples a pixel with bilinear interpolation; outside the image the nearest edge pixel is used. */
export function sampleBilinear(image: RgbImage, x: number, y: number, out: Uint8Array, at: number) {
  const cx = Math.min(image.width - 1, Math.max(0, x));
  const cy = Math.min(image.height - 1, Math.max(0, y));
  const x0 = Math.floor(cx), y0 = Math.floor(cy);
  const x1 = Math.min(image.width - 1, x0 + 1), y1 = Math.min(image.height - 1, y0 + 1);
  const fx = cx - x0, fy = cy - y0;
  const d = image.data, w = image.width;
  for (let c = 0; c < 3; c++) {
    const top = d[(y0 * w + x0) * 3 + c] * (1 - fx) + d[(y0 * w + x1) * 3 + c] * fx;
    const bottom = d[(y1 * w + x0) * 3 + c] * (1 - fx) + d[(y1 * w + x1) * 3 + c] * fx;
    out[at + c] = top * (1 - fy) + bottom * fy;
  }
}

/** Builds a new image whose pixel (x, y) comes from `source(x, y)` in `image` (bilinear). */
export function remap(
  image: RgbImage,
  width: number,
  height: number,
  source: (x: number, y: number) => [number, number],
): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [sx, sy] = source(x, y);
      sampleBilinear(image, sx, sy, data, (y * width + x) * 3);
    }
  }
  return { width, height, data };
}

/** Cuts out a rectangle (edges are extended where it leaves the image) and scales it. */
export function cropAndResize(
  image: RgbImage,
  rect: Rect,
  width: number,
  height: number,
): RgbImage {
  const sx = rect.width / width, sy = rect.height / height;
  return remap(
    image,
    width,
    height,
    (x, y) => [rect.x + (x + 0.5) * sx - 0.5, rect.y + (y + 0.5) * sy - 0.5],
  );
}

/** Rotates the image by `angle` radians (clockwise on screen) about (cx, cy), keeping its size. */
export function rotateAbout(image: RgbImage, angle: number, cx: number, cy: number): RgbImage {
  const cos = Math.cos(angle), sin = Math.sin(angle);
  // Inverse mapping: each output pixel looks up where it came from before the rotation.
  return remap(image, image.width, image.height, (x, y) => {
    const dx = x - cx, dy = y - cy;
    return [cx + dx * cos + dy * sin, cy - dx * sin + dy * cos];
  });
}

/** Mirrors the image left to right (front cameras often store mirrored selfies). */
export function flipHorizontal(image: RgbImage): RgbImage {
  return remap(image, image.width, image.height, (x, y) => [image.width - 1 - x, y]);
}

/** Multiplies every sample by `gain` and adds `offset` (lighting changes), clamped to 0–255. */
export function adjustLevels(image: RgbImage, gain: number, offset: number): RgbImage {
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i++) {
    data[i] = Math.min(255, Math.max(0, image.data[i] * gain + offset));
  }
  return { width: image.width, height: image.height, data };
}

/** Replaces colour by luminance (ITU-R BT.601 weights), keeping three channels. */
export function toGreyscale(image: RgbImage): RgbImage {
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i += 3) {
    const luma = 0.299 * image.data[i] + 0.587 * image.data[i + 1] + 0.114 * image.data[i + 2];
    data[i] = data[i + 1] = data[i + 2] = luma;
  }
  return { width: image.width, height: image.height, data };
}

/**
 * The face chip that dlib's ResNet (`dlib_face_recognition_resnet_model_v1`, ported by face-api's
 * `faceRecognitionNet`) was trained on: `extract_image_chip(img, get_face_chip_details(shape, 150,
 * 0.25))`. A similarity transform (rotation, scale, shift; no shear) maps 68 landmarks onto dlib's
 * mean face, padded by 0.25 of the face size on each side, into a 150×150 image.
 *
 * face-api's own pipeline instead crops an axis-aligned square around the eyes and mouth, so a
 * tilted head stays tilted and the framing differs from training; the benchmark shows what that
 * costs (`docs/biometrics.md`).
 */
import type { RgbImage } from "./image_decode.ts";
import { sampleBilinear } from "./image_ops.ts";

/** A 2-D point in pixels. */
export interface ChipPoint {
  x: number;
  y: number;
}

/** Side of the chip dlib's recognition net expects, in pixels. */
export const CHIP_SIZE = 150;
/** dlib's padding for face recognition chips (fraction of the face on each side). */
export const CHIP_PADDING = 0.25;

/** dlib's mean face (`get_face_chip_details`), landmarks 17–67, in [0, 1] face coordinates. */
const MEAN_FACE_X = [
  0.000213256,
  0.0752622,
  0.18113,
  0.29077,
  0.393397,
  0.586856,
  0.689483,
  0.799124,
  0.904991,
  0.98004,
  0.490127,
  0.490127,
  0.490127,
  0.490127,
  0.36688,
  0.426036,
  0.490127,
  0.554217,
  0.613373,
  0.121737,
  0.187122,
  0.265825,
  0.334606,
  0.260918,
  0.182743,
  0.645647,
  0.714428,
  0.793132,
  0.858516,
  0.79751,
  0.719335,
  0.254149,
  0.340985,
  0.428858,
  0.490127,
  0.551395,
  0.639268,
  0.726104,
  0.642159,
  0.556721,
  0.490127,
  0.423532,
  0.338094,
  0.290379,
  0.428096,
  0.490127,
  0.552157,
  0.689874,
  0.553364,
  0.490127,
  0.42689,
];
const MEAN_FACE_Y = [
  0.106454,
  0.038915,
  0.0187482,
  0.0344891,
  0.0773906,
  0.0773906,
  0.0344891,
  0.0187482,
  0.038915,
  0.106454,
  0.203352,
  0.307009,
  0.409805,
  0.515625,
  0.587326,
  0.609345,
  0.628106,
  0.609345,
  0.587326,
  0.216423,
  0.178758,
  0.179852,
  0.231733,
  0.245099,
  0.244077,
  0.231733,
  0.179852,
  0.178758,
  0.216423,
  0.244077,
  0.245099,
  0.780233,
  0.745405,
  0.727388,
  0.742578,
  0.727388,
  0.745405,
  0.780233,
  0.864805,
  0.902192,
  0.909281,
  0.902192,
  0.864805,
  0.784792,
  0.778746,
  0.785343,
  0.778746,
  0.784792,
  0.824182,
  0.831803,
  0.824182,
];

/** Landmarks dlib leaves out of the fit: the eyebrows (17–26) and the lower lip (55–59, 65–67). */
function usedInFit(index: number): boolean {
  const eyebrow = index >= 17 && index <= 26;
  const lowerLip = (index >= 55 && index <= 59) || (index >= 65 && index <= 67);
  return index >= 17 && index <= 67 && !eyebrow && !lowerLip;
}

/** Chip pixel → image pixel: `x' = a·x − b·y + tx`, `y' = b·x + a·y + ty`. */
export interface SimilarityTransform {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/** Least-squares similarity transform taking every `from[i]` to `to[i]` (Umeyama, no reflection). */
export function fitSimilarity(from: ChipPoint[], to: ChipPoint[]): SimilarityTransform {
  const n = from.length;
  const mean = (pts: ChipPoint[]) =>
    pts.reduce((m, p) => ({ x: m.x + p.x / n, y: m.y + p.y / n }), { x: 0, y: 0 });
  const mf = mean(from), mt = mean(to);
  let dot = 0, cross = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const px = from[i].x - mf.x, py = from[i].y - mf.y;
    const qx = to[i].x - mt.x, qy = to[i].y - mt.y;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    norm += px * px + py * py;
  }
  const a = dot / norm, b = cross / norm;
  return { a, b, tx: mt.x - (a * mf.x - b * mf.y), ty: mt.y - (b * mf.x + a * mf.y) };
}

/** The transform from chip pixels to image pixels for 68 landmarks (iBUG 300-W order). */
export function chipTransform(
  landmarks: ChipPoint[],
  size = CHIP_SIZE,
  padding = CHIP_PADDING,
): SimilarityTransform {
  const from: ChipPoint[] = [], to: ChipPoint[] = [];
  for (let i = 17; i < 68; i++) {
    if (!usedInFit(i)) continue;
    from.push({
      x: ((padding + MEAN_FACE_X[i - 17]) / (2 * padding + 1)) * size,
      y: ((padding + MEAN_FACE_Y[i - 17]) / (2 * padding + 1)) * size,
    });
    to.push(landmarks[i]);
  }
  return fitSimilarity(from, to);
}

/**
 * Cuts the aligned chip out of the image. Each chip pixel averages n×n bilinear samples, n being
 * the scale rounded up, so a large face shrinks without aliasing (dlib uses a pyramid for this).
 */
export function extractChip(
  image: RgbImage,
  transform: SimilarityTransform,
  size = CHIP_SIZE,
): RgbImage {
  const { a, b, tx, ty } = transform;
  const n = Math.max(1, Math.min(4, Math.ceil(Math.hypot(a, b))));
  const data = new Uint8Array(size * size * 3);
  const sample = new Uint8Array(3);
  const sum = new Float64Array(3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      sum.fill(0);
      for (let j = 0; j < n; j++) {
        for (let i = 0; i < n; i++) {
          const cx = x + (i + 0.5) / n - 0.5, cy = y + (j + 0.5) / n - 0.5;
          sampleBilinear(image, a * cx - b * cy + tx, b * cx + a * cy + ty, sample, 0);
          sum[0] += sample[0], sum[1] += sample[1], sum[2] += sample[2];
        }
      }
      const at = (y * size + x) * 3;
      for (let c = 0; c < 3; c++) data[at + c] = Math.round(sum[c] / (n * n));
    }
  }
  return { width: size, height: size, data };
}

/** True when every pixel's three samples are (nearly) equal: a greyscale picture. */
export function isGreyscale(image: RgbImage, tolerance = 6): boolean {
  const d = image.data;
  for (let i = 0; i < d.length; i += 3) {
    if (Math.abs(d[i] - d[i + 1]) > tolerance || Math.abs(d[i + 1] - d[i + 2]) > tolerance) {
      return false;
    }
  }
  return true;
}

/**
 * Global histogram equalisation of the luminance, colour ratios kept: stretches flat,
 * low-contrast portraits (greyscale chip photos, dim selfies) to the full range.
 */
export function equaliseLuminance(image: RgbImage): RgbImage {
  const d = image.data, pixels = d.length / 3;
  const luma = new Float64Array(pixels);
  const histogram = new Uint32Array(256);
  for (let p = 0; p < pixels; p++) {
    luma[p] = 0.299 * d[p * 3] + 0.587 * d[p * 3 + 1] + 0.114 * d[p * 3 + 2];
    histogram[Math.round(luma[p])]++;
  }
  const cdf = new Float64Array(256);
  let running = 0;
  for (let v = 0; v < 256; v++) cdf[v] = running += histogram[v];
  const lowest = cdf.find((c) => c > 0) ?? 0;
  const out = new Uint8Array(d.length);
  for (let p = 0; p < pixels; p++) {
    const target = (255 * (cdf[Math.round(luma[p])] - lowest)) / Math.max(1, pixels - lowest);
    const gain = luma[p] > 0.5 ? target / luma[p] : 1;
    for (let c = 0; c < 3; c++) {
      out[p * 3 + c] = Math.min(255, Math.max(0, Math.round(d[p * 3 + c] * gain)));
    }
  }
  return { width: image.width, height: image.height, data: out };
}

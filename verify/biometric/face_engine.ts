/**
 * The in-process face engine: `@vladmandic/face-api` (MIT) on TensorFlow.js' WebAssembly backend,
 * with weights read from the npm package's `model/` folder at start — nothing is downloaded.
 * TensorFlow.js is `@tensorflow/tfjs-core` alone, installed under the umbrella name face-api's Node
 * build requires (`package.json`), plus the tensor methods the umbrella would add
 * (`tensor_methods.ts`); see docs/biometrics.md.
 *
 * Per image: detect (Tiny Face Detector, SSD MobileNet v1 as a fallback), 68 landmarks, align
 * (the image is rotated so the eyes are level when the head is tilted), then the 128-d dlib
 * ResNet embedding. Calls are serialised: TensorFlow.js has one global backend per process.
 */
import { fileURLToPath } from "node:url";
import { downscaleToFit, type RgbImage } from "./image_decode.ts";
import { type Rect, rotateAbout } from "./image_ops.ts";
import type { FaceApi, FaceApiResult } from "./face_api_types.ts";
import { registerTensorMethods, type TensorOps } from "./tensor_methods.ts";

/** A 2-D point in the analysed image's pixels. */
export interface Point {
  x: number;
  y: number;
}

/** One face found in an image. Never logged or returned outside the biometric pipeline. */
export interface FaceObservation {
  /** 128-d embedding; same person ⇔ small Euclidean distance. */
  descriptor: Float32Array;
  /** The 68 landmarks (iBUG 300-W order) in the analysed image's pixels. */
  landmarks: Point[];
  /** The face box in the analysed image's pixels. */
  box: Rect;
}

/** What one image showed: no usable face, several similar-sized faces, or one face. */
export type FaceAnalysis =
  | { kind: "none" }
  | { kind: "multiple" }
  | { kind: "one"; face: FaceObservation };

/** Detects, aligns and embeds the face of an image. */
export interface FaceEngine {
  /** Analyses one decoded image. */
  analyse(image: RgbImage): Promise<FaceAnalysis>;
}

/** Options of {@link loadFaceEngine}. */
export interface FaceEngineOptions {
  /** Folder of the face-api weights; defaults to the installed npm package's `model/`. */
  modelDir?: string;
}

/** Images are analysed at most this large: the detectors work at 416–512 px anyway. */
const ANALYSIS_MAX_SIDE = 640;
/**
 * Tiny Face Detector input size: 320 finds faces wider than ~1/10 of the image (selfies and
 * portraits are close-ups) at ~35 ms; SSD MobileNet (slower, finds smaller faces) is the fallback.
 */
const DETECTOR_INPUT_SIZE = 320;
/** Faces narrower than this (analysed pixels) are too small for a trustworthy embedding. */
const MIN_FACE_WIDTH = 40;
/** A second face at least this fraction of the largest one's area makes a selfie ambiguous. */
const RIVAL_FACE_AREA_RATIO = 0.5;
/** Heads tilted more than this (radians, eye line) are rotated upright before embedding. */
const ALIGN_TILT_THRESHOLD = (4 * Math.PI) / 180;

let enginePromise: Promise<FaceEngine> | null = null;

/**
 * Loads the models once per process (about 0.2–1 s) and returns the shared engine. `options` apply
 * to the first load only; a failed load is retried by the next call.
 */
export function loadFaceEngine(options: FaceEngineOptions = {}): Promise<FaceEngine> {
  enginePromise ??= createEngine(options).catch((error) => {
    enginePromise = null;
    throw error;
  });
  return enginePromise;
}

function defaultModelDir(): string {
  return fileURLToPath(import.meta.resolve("@vladmandic/face-api/model/"));
}

async function createEngine(options: FaceEngineOptions): Promise<FaceEngine> {
  const faceapi =
    (await import("@vladmandic/face-api/dist/face-api.node-wasm.js")) as unknown as FaceApi;
  registerTensorMethods(faceapi.tf as unknown as TensorOps);
  await faceapi.tf.setBackend("wasm");
  await faceapi.tf.ready();
  const dir = options.modelDir ?? defaultModelDir();
  await faceapi.nets.tinyFaceDetector.loadFromDisk(dir);
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(dir);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(dir);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(dir);
  let queue: Promise<unknown> = Promise.resolve();
  return {
    analyse(image) {
      const run = queue.then(() => analyseImage(faceapi, image));
      queue = run.catch(() => undefined);
      return run;
    },
  };
}

async function analyseImage(faceapi: FaceApi, original: RgbImage): Promise<FaceAnalysis> {
  const image = downscaleToFit(original, ANALYSIS_MAX_SIDE);
  const first = await pickFace(faceapi, image);
  if (first.kind !== "one") return first;
  const tilt = eyeLineAngle(first.face.landmarks);
  if (Math.abs(tilt) <= ALIGN_TILT_THRESHOLD) return first;
  const centre = boxCentre(first.face.box);
  const upright = rotateAbout(image, -tilt, centre.x, centre.y);
  const aligned = await pickFace(faceapi, upright);
  return aligned.kind === "one" ? aligned : first;
}

async function pickFace(faceapi: FaceApi, image: RgbImage): Promise<FaceAnalysis> {
  let results = await detect(
    faceapi,
    image,
    new faceapi.TinyFaceDetectorOptions({ inputSize: DETECTOR_INPUT_SIZE, scoreThreshold: 0.5 }),
  );
  if (results.length === 0) {
    results = await detect(
      faceapi,
      image,
      new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 }),
    );
  }
  const usable = results
    .filter((r) => r.detection.box.width >= MIN_FACE_WIDTH)
    .sort((a, b) => area(b.detection.box) - area(a.detection.box));
  if (usable.length === 0) return { kind: "none" };
  if (
    usable.length > 1 &&
    area(usable[1].detection.box) >= RIVAL_FACE_AREA_RATIO * area(usable[0].detection.box)
  ) {
    return { kind: "multiple" };
  }
  const best = usable[0];
  const box = best.detection.box;
  return {
    kind: "one",
    face: {
      descriptor: best.descriptor,
      landmarks: best.landmarks.positions.map((p) => ({ x: p.x, y: p.y })),
      box: { x: box.x, y: box.y, width: box.width, height: box.height },
    },
  };
}

async function detect(
  faceapi: FaceApi,
  image: RgbImage,
  options: unknown,
): Promise<FaceApiResult[]> {
  const tensor = faceapi.tf.tensor3d(image.data, [image.height, image.width, 3], "int32");
  try {
    return await faceapi.detectAllFaces(tensor, options).withFaceLandmarks().withFaceDescriptors();
  } finally {
    tensor.dispose();
  }
}

function area(box: Rect): number {
  return box.width * box.height;
}

function boxCentre(box: Rect): Point {
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** The angle of the line from the subject's right eye centre to the left eye centre (radians). */
export function eyeLineAngle(landmarks: Point[]): number {
  const right = meanPoint(landmarks.slice(36, 42));
  const left = meanPoint(landmarks.slice(42, 48));
  return Math.atan2(left.y - right.y, left.x - right.x);
}

/** The centroid of some points. */
export function meanPoint(points: Point[]): Point {
  const sum = points.reduce((acc, p) => ({ x: acc.x + p.x, y: acc.y + p.y }), { x: 0, y: 0 });
  return { x: sum.x / points.length, y: sum.y / points.length };
}

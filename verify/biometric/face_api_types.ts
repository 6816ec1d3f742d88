/**
 * The small part of `@vladmandic/face-api` the engine uses, typed by hand: the package's own
 * declarations pull in all of TensorFlow.js' types, which slows `deno check` for every importer.
 */

/** A tensor handle that must be disposed. */
export interface FaceApiTensor {
  dispose(): void;
}

/** The TensorFlow.js namespace re-exported by face-api. */
export interface FaceApiTf {
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  tensor3d(values: Uint8Array, shape: [number, number, number], dtype: "int32"): FaceApiTensor;
}

/** One network whose weights load from a folder. */
export interface FaceApiNet {
  loadFromDisk(dir: string): Promise<void>;
}

/** One detected face with its 68 landmarks. */
export interface FaceApiLandmarked {
  detection: { score: number; box: { x: number; y: number; width: number; height: number } };
  landmarks: { positions: Array<{ x: number; y: number }> };
}

/** One detected face with landmarks and descriptor. */
export interface FaceApiResult extends FaceApiLandmarked {
  descriptor: Float32Array;
}

/** Landmarks found: awaitable as is, or chained on to face-api's own descriptors. */
export interface FaceApiLandmarkTask extends PromiseLike<FaceApiLandmarked[]> {
  withFaceDescriptors(): Promise<FaceApiResult[]>;
}

/** The chained detection task: detect → landmarks (→ descriptors). */
export interface FaceApiDetectTask {
  withFaceLandmarks(): FaceApiLandmarkTask;
}

/** dlib's ResNet: 150×150 RGB chips in, one 128-d descriptor per chip out. */
export interface FaceApiRecognitionNet extends FaceApiNet {
  computeFaceDescriptor(input: FaceApiTensor[]): Promise<Float32Array | Float32Array[]>;
}

/** The face-api module as imported from its `face-api.node-wasm.js` build. */
export interface FaceApi {
  tf: FaceApiTf;
  nets: {
    tinyFaceDetector: FaceApiNet;
    ssdMobilenetv1: FaceApiNet;
    faceLandmark68Net: FaceApiNet;
    faceRecognitionNet: FaceApiRecognitionNet;
  };
  TinyFaceDetectorOptions: new (options: { inputSize: number; scoreThreshold: number }) => unknown;
  SsdMobilenetv1Options: new (options: { minConfidence: number }) => unknown;
  detectAllFaces(input: FaceApiTensor, options: unknown): FaceApiDetectTask;
}

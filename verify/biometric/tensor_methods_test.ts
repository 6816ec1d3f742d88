import assert from "node:assert/strict";
import { loadFaceEngine } from "./face_engine.ts";
import { registerTensorMethods, type TensorOps } from "./tensor_methods.ts";

interface T {
  shape: number[];
  dtype: string;
  dataSync(): ArrayLike<number>;
  [method: string]: unknown;
}
type Method = (...args: unknown[]) => T;

/** tfjs-core as face-api sees it, after the engine registered the tensor methods. */
async function tfjs() {
  await loadFaceEngine();
  const faceapi = await import("@vladmandic/face-api/dist/face-api.node-wasm.js");
  return (faceapi as unknown as { tf: TensorOps & Record<string, (...a: unknown[]) => T> }).tf;
}

const call = (t: T, method: string, ...args: unknown[]) => (t[method] as Method).call(t, ...args);
const values = (t: T) => Array.from(t.dataSync());

Deno.test("tensor methods: the same-name ops and the reshape and cast shorthands", async () => {
  const tf = await tfjs();
  const t = tf.tensor1d([1, 2, 3, 4, 5, 6]);
  assert.deepEqual(values(call(t, "sub", tf.scalar(1))), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(call(t, "as3D", 1, 2, 3).shape, [1, 2, 3]);
  assert.deepEqual(call(t, "as2D", 3, 2).shape, [3, 2]);
  assert.deepEqual(call(call(t, "as2D", 3, 2), "flatten").shape, [6]);
  assert.deepEqual(call(t, "reshapeAs", tf.zeros([2, 3])).shape, [2, 3]);
  assert.equal(call(tf.tensor1d([1.5], "float32"), "toInt").dtype, "int32");
  assert.equal(call(tf.tensor1d([1], "int32"), "toFloat").dtype, "float32");
  assert.deepEqual(values(call(tf.tensor1d([7]), "asScalar")), [7]);
  assert.throws(() => call(t, "asScalar"), /only 1 element/);
  const image = tf.zeros([4, 4, 3]);
  assert.deepEqual(call(image, "resizeBilinear", [2, 2]).shape, [2, 2, 3]);
});

Deno.test("tensor methods: concat, stack and where put the tensor where tfjs does", async () => {
  const tf = await tfjs();
  const a = tf.tensor1d([1, 2]);
  const b = tf.tensor1d([3, 4]);
  assert.deepEqual(values(call(a, "concat", b)), [1, 2, 3, 4]);
  assert.deepEqual(values(call(a, "concat", [b, a])), [1, 2, 3, 4, 1, 2]);
  assert.deepEqual(call(a, "stack", b).shape, [2, 2]);
  const condition = tf.tensor1d([1, 0], "bool");
  assert.deepEqual(values(call(a, "where", condition, b)), [1, 4]);
});

Deno.test("tensor methods: registering again keeps the methods already there", async () => {
  const tf = await tfjs();
  const proto = tf.Tensor.prototype as Record<string, unknown>;
  const before = proto.as3D;
  registerTensorMethods(tf);
  assert.equal(proto.as3D, before);
  assert.equal(typeof proto.resizeNearestNeighbor, "function");
});

/**
 * The tensor methods face-api's Node build calls (`t.sub(b)`, `t.as3D(…)`, `t.toFloat()`). The
 * `@tensorflow/tfjs` umbrella package registers them; the engine installs only
 * `@tensorflow/tfjs-core` under that name (about 300 MB less, see docs/biometrics.md), so
 * {@link registerTensorMethods} adds the same methods, each exactly as tfjs-core's
 * `public/chained_ops` define it: the op of the same name applied to the tensor.
 */

/** A tensor as the methods below see it. */
interface Tensor {
  size: number;
  shape: number[];
  throwIfDisposed(): void;
}

type Op = (...args: unknown[]) => unknown;

/** The tfjs-core namespace: its ops and the `Tensor` class whose prototype gets the methods. */
export interface TensorOps {
  Tensor: { prototype: object };
  image: Record<string, unknown>;
  [op: string]: unknown;
}

/** Methods that apply the op of the same name with the tensor as the first argument. */
const SAME_NAME_OPS = [
  "abs",
  "acos",
  "acosh",
  "add",
  "all",
  "any",
  "argMax",
  "argMin",
  "asin",
  "asinh",
  "atan",
  "atan2",
  "atanh",
  "avgPool",
  "batchNorm",
  "batchToSpaceND",
  "broadcastTo",
  "cast",
  "ceil",
  "clipByValue",
  "conv1d",
  "conv2d",
  "conv2dTranspose",
  "cos",
  "cosh",
  "cumprod",
  "cumsum",
  "depthToSpace",
  "depthwiseConv2d",
  "dilation2d",
  "div",
  "divNoNan",
  "dot",
  "elu",
  "equal",
  "erf",
  "euclideanNorm",
  "exp",
  "expandDims",
  "expm1",
  "fft",
  "floor",
  "floorDiv",
  "gather",
  "greater",
  "greaterEqual",
  "ifft",
  "irfft",
  "isFinite",
  "isInf",
  "isNaN",
  "leakyRelu",
  "less",
  "lessEqual",
  "localResponseNormalization",
  "log",
  "log1p",
  "logSigmoid",
  "logSoftmax",
  "logSumExp",
  "logicalAnd",
  "logicalNot",
  "logicalOr",
  "logicalXor",
  "matMul",
  "max",
  "maxPool",
  "maximum",
  "mean",
  "min",
  "minimum",
  "mirrorPad",
  "mod",
  "mul",
  "neg",
  "norm",
  "notEqual",
  "oneHot",
  "onesLike",
  "pad",
  "pool",
  "pow",
  "prelu",
  "prod",
  "reciprocal",
  "relu",
  "relu6",
  "reshape",
  "reverse",
  "rfft",
  "round",
  "rsqrt",
  "selu",
  "separableConv2d",
  "sigmoid",
  "sign",
  "sin",
  "sinh",
  "slice",
  "softmax",
  "softplus",
  "spaceToBatchND",
  "split",
  "sqrt",
  "square",
  "squaredDifference",
  "squeeze",
  "step",
  "stridedSlice",
  "sub",
  "sum",
  "tan",
  "tanh",
  "tile",
  "topk",
  "transpose",
  "unique",
  "unsortedSegmentSum",
  "unstack",
  "zerosLike",
];

/**
 * Adds tfjs' chained tensor methods to `tf.Tensor.prototype`, leaving any method already there
 * (when the umbrella package did register them) untouched. Idempotent.
 */
export function registerTensorMethods(tf: TensorOps): void {
  const op = (name: string, namespace: Record<string, unknown> = tf): Op => {
    const fn = namespace[name];
    if (typeof fn !== "function") throw new Error(`tfjs-core has no op ${name}`);
    return fn as Op;
  };
  const proto = tf.Tensor.prototype as Record<string, unknown>;
  const define = (name: string, method: (this: Tensor, ...args: unknown[]) => unknown) => {
    if (name in proto) return;
    proto[name] = function (this: Tensor, ...args: unknown[]) {
      this.throwIfDisposed();
      return method.apply(this, args);
    };
  };
  const reshape = op("reshape");
  const cast = op("cast");
  for (const name of SAME_NAME_OPS) {
    const fn = op(name);
    define(name, function (...args) {
      return fn(this, ...args);
    });
  }
  define("as1D", function () {
    return reshape(this, [this.size]);
  });
  define("flatten", function () {
    return reshape(this, [this.size]);
  });
  for (const rank of [2, 3, 4, 5]) {
    define(`as${rank}D`, function (...dims) {
      return reshape(this, Array.from({ length: rank }, (_, i) => dims[i]));
    });
  }
  define("asScalar", function () {
    if (this.size !== 1) throw new Error("The array must have only 1 element.");
    return reshape(this, []);
  });
  define("reshapeAs", function (other) {
    return reshape(this, (other as Tensor).shape);
  });
  define("asType", function (dtype) {
    return cast(this, dtype);
  });
  define("toBool", function () {
    return cast(this, "bool");
  });
  define("toFloat", function () {
    return cast(this, "float32");
  });
  define("toInt", function () {
    return cast(this, "int32");
  });
  const TensorClass = tf.Tensor as unknown as new () => unknown;
  const withThis = (
    self: Tensor,
    x: unknown,
  ) => [self, ...(x instanceof TensorClass ? [x] : x as unknown[])];
  const concat = op("concat");
  define("concat", function (x, axis) {
    return concat(withThis(this, x), axis);
  });
  const stack = op("stack");
  define("stack", function (x, axis) {
    return stack(withThis(this, x), axis);
  });
  for (const name of ["resizeBilinear", "resizeNearestNeighbor"]) {
    const fn = op(name, tf.image);
    define(name, function (...args) {
      return fn(this, ...args);
    });
  }
  const where = op("where");
  define("where", function (condition, x) {
    return where(condition, this, x);
  });
}

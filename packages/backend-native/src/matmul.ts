import * as tf from '@tensorflow/tfjs';
import { addon } from './addon';
import { allFloat32, allocate, Backend, cpuKernel, KernelArgs, values } from './kernel-util';

/**
 * BatchMatMul through OpenBLAS sgemm; transposes are sgemm's flags, never materialised. A `rowBias` (n values,
 * from _FusedMatMul) is added by the addon to each part of the product right after sgemm wrote it.
 */
/** The product a [..., m, k] (op: transposed if asked) times b [..., k, n]: its batch sizes and sides; kB is b's k. */
export function productDims(aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean) {
  const [ra, rb] = [aShape.length, bShape.length];
  return {
    batchA: tf.util.sizeFromShape(aShape.slice(0, -2)),
    batchB: tf.util.sizeFromShape(bShape.slice(0, -2)),
    m: transposeA ? aShape[ra - 1] : aShape[ra - 2],
    k: transposeA ? aShape[ra - 2] : aShape[ra - 1],
    kB: transposeB ? bShape[rb - 1] : bShape[rb - 2],
    n: transposeB ? bShape[rb - 2] : bShape[rb - 1],
  };
}

export function batchMatMul(args: KernelArgs, rowBias?: tf.TensorInfo): tf.TensorInfo {
  const { a, b } = args.inputs;
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const { batchA, batchB, m, k, kB, n } = productDims(a.shape, b.shape, transposeA, transposeB);
  // tfjs flattens the batch axes; only equal batches or a batch of one broadcast correctly that way.
  if (!allFloat32(a, b) || (batchA !== batchB && batchA !== 1 && batchB !== 1)) {
    return cpuKernel(tf.BatchMatMul)(args) as tf.TensorInfo;
  }
  if (k !== kB) {
    throw new Error(
      `Error in matMul: inner shapes (${k}) and (${kB}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const outShape = [...tf.backend_util.assertAndGetBroadcastShape(outerA, outerB), m, n];
  const out = allocate(args.backend, tf.util.sizeFromShape(outShape));
  const backend = args.backend;
  const bias = rowBias ? values(backend, rowBias) : undefined;
  addon().matMul(values(backend, a), values(backend, b), out, batchA, batchB, m, n, k, transposeA, transposeB, bias);
  return backend.makeTensorInfo(outShape, 'float32', out);
}

interface FusedMatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation: string;
  leakyreluAlpha?: number;
}

const ACTIVATION_KERNELS: Record<string, string> = {
  relu: tf.Relu,
  relu6: tf.Relu6,
  elu: tf.Elu,
  sigmoid: tf.Sigmoid,
  leakyrelu: tf.LeakyRelu,
  prelu: tf.Prelu,
};

/** A bias the addon adds row by row: float32, its only axis of more than one element the product's last. */
function isRowBias(bias: tf.TensorInfo, n: number): boolean {
  return bias.dtype === 'float32' && tf.util.sizeFromShape(bias.shape) === n && (bias.shape.at(-1) ?? 1) === n;
}

/**
 * _FusedMatMul: the native product with a row bias added in the addon (Linear's y = x W + b), or any other bias
 * and the activation after it through the native backend's kernels.
 */
export function fusedMatMul(args: KernelArgs): tf.TensorInfo {
  const { a, b, bias, preluActivationWeights } = args.inputs;
  const { transposeA, transposeB, activation, leakyreluAlpha } = args.attrs as unknown as FusedMatMulAttrs;
  const backend: Backend = args.backend;
  const run = (name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}) =>
    tf.getKernel(name, 'native')!.kernelFunc({ inputs, backend, attrs }) as tf.TensorInfo;
  const n = transposeB ? b.shape.at(-2)! : b.shape.at(-1)!;
  const inProduct = bias !== undefined && isRowBias(bias, n) && allFloat32(a, b);
  let y = batchMatMul({ inputs: { a, b }, backend, attrs: { transposeA, transposeB } }, inProduct ? bias : undefined);
  const step = (next: tf.TensorInfo) => {
    backend.disposeIntermediateTensorInfo(y);
    y = next;
  };
  if (bias && !inProduct) step(run(tf.Add, { a: y, b: bias }));
  if (activation && activation !== 'linear') {
    const name = ACTIVATION_KERNELS[activation];
    if (!name) throw new Error(`Activation ${activation} has not been implemented for the native backend.`);
    if (activation === 'prelu') step(run(name, { x: y, alpha: preluActivationWeights! }));
    else if (activation === 'leakyrelu') step(run(name, { x: y }, { alpha: leakyreluAlpha ?? 0.2 }));
    else step(run(name, { x: y }));
  }
  return y;
}

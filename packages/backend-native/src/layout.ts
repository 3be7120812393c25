import * as tf from '@tensorflow/tfjs';
import { addon, ReduceOp } from './addon';
import { allFloat32, allocate, Backend, collapse, cpuKernel, KernelArgs, stridesOf, values } from './kernel-util';

/** x transposed by `perm` into a new float32 buffer. */
export function transposeValues(backend: Backend, x: tf.TensorInfo, perm: number[]): Float32Array {
  const inStrides = stridesOf(x.shape);
  const outShape = perm.map((p) => x.shape[p]);
  const out = allocate(backend, tf.util.sizeFromShape(outShape));
  if (out.length === 0) return out;
  const { shape, strides } = collapse(outShape, [perm.map((p) => inStrides[p])]);
  addon().transpose(values(backend, x), out, Int32Array.from(shape), Int32Array.from(strides[0]));
  return out;
}

export function transpose(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs;
  const { perm } = args.attrs as unknown as tf.TransposeAttrs;
  if (!allFloat32(x)) return cpuKernel(tf.Transpose)(args) as tf.TensorInfo;
  const out = transposeValues(args.backend, x, perm);
  return args.backend.makeTensorInfo(
    perm.map((p) => x.shape[p]),
    'float32',
    out,
  );
}

/**
 * Sum, Mean, Max and Min over any axes. A contiguous block of axes is reduced in place
 * (out[o, i] = reduce_r x[o, r, i]); scattered axes are first moved to the end by the native transpose.
 */
export function reduceKernel(name: string, op: ReduceOp) {
  const fallback = cpuKernel(name);
  return (args: KernelArgs): tf.TensorInfo => {
    const { x } = args.inputs;
    const attrs = args.attrs as unknown as { axis?: number | number[] | null; reductionIndices?: number | number[] | null; keepDims: boolean };
    // Max names its axes reductionIndices; null means every axis.
    const axes = tf.util.parseAxisParam((('axis' in attrs ? attrs.axis : attrs.reductionIndices) ?? null) as number[], x.shape).sort((p, q) => p - q);
    if (!allFloat32(x) || axes.length === 0 || tf.util.sizeFromShape(x.shape) === 0) return fallback(args) as tf.TensorInfo;
    const backend = args.backend;
    const keptShape = x.shape.filter((_, d) => !axes.includes(d));
    const outShape = attrs.keepDims ? x.shape.map((s, d) => (axes.includes(d) ? 1 : s)) : keptShape;
    const reduced = tf.util.sizeFromShape(axes.map((d) => x.shape[d]));
    const out = allocate(backend, tf.util.sizeFromShape(keptShape));
    const contiguous = axes.every((d, i) => i === 0 || d === axes[i - 1] + 1);
    if (contiguous) {
      const outer = tf.util.sizeFromShape(x.shape.slice(0, axes[0]));
      const inner = tf.util.sizeFromShape(x.shape.slice(axes[axes.length - 1] + 1));
      addon().reduce(op, values(backend, x), out, outer, reduced, inner);
    } else {
      const perm = [...x.shape.keys()].filter((d) => !axes.includes(d)).concat(axes);
      const moved = transposeValues(backend, x, perm);
      addon().reduce(op, moved, out, out.length, reduced, 1);
    }
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
}

/** The block x[begin : begin + size] as a new float32 buffer (a strided copy; no per-element index maths). */
function sliceValues(backend: Backend, x: tf.TensorInfo, begin: number[], size: number[]): Float32Array {
  const strides = stridesOf(x.shape);
  const out = allocate(backend, tf.util.sizeFromShape(size));
  if (out.length === 0) return out;
  const offset = begin.reduce((sum, b, d) => sum + b * strides[d], 0);
  const collapsed = collapse(size, [strides]);
  addon().transpose(values(backend, x).subarray(offset), out, Int32Array.from(collapsed.shape), Int32Array.from(collapsed.strides[0]));
  return out;
}

export function slice(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs;
  const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
  if (!allFloat32(x)) return cpuKernel(tf.Slice)(args) as tf.TensorInfo;
  const [$begin, $size] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
  tf.slice_util.assertParamsValid(x as tf.Tensor, $begin, $size);
  return args.backend.makeTensorInfo($size, 'float32', sliceValues(args.backend, x, $begin, $size));
}

export function splitV(args: KernelArgs): tf.TensorInfo[] {
  const { x } = args.inputs;
  const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
  if (!allFloat32(x)) return cpuKernel(tf.SplitV)(args) as tf.TensorInfo[];
  const $axis = tf.util.parseAxisParam(axis, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, $axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = x.shape.slice();
    size[$axis] = s;
    const part = args.backend.makeTensorInfo(size, 'float32', sliceValues(args.backend, x, begin, size));
    begin[$axis] += s;
    return part;
  });
}

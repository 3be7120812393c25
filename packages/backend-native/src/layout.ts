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

/**
 * x repeated `reps` times along each axis. Output axis d of size reps[d] * x.shape[d] is the pair (repeat,
 * index) with the repeat major, so the tile is the strided copy of x over shape [reps[0], x0, reps[1], x1, ...]
 * with source strides [0, s0, 0, s1, ...].
 */
export function tile(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs;
  const { reps } = args.attrs as unknown as tf.TileAttrs;
  if (!allFloat32(x)) return cpuKernel(tf.Tile)(args) as tf.TensorInfo;
  const outShape = x.shape.map((s, d) => s * reps[d]);
  const out = allocate(args.backend, tf.util.sizeFromShape(outShape));
  if (out.length > 0) {
    const strides = stridesOf(x.shape);
    const { shape, strides: src } = collapse(
      x.shape.flatMap((s, d) => [reps[d], s]),
      [strides.flatMap((s) => [0, s])],
    );
    addon().transpose(values(args.backend, x), out, Int32Array.from(shape), Int32Array.from(src[0]));
  }
  return args.backend.makeTensorInfo(outShape, 'float32', out);
}

/**
 * Inputs joined along `axis`: each output row (the axes before `axis`) is the inputs' rows one after another,
 * copied with TypedArray.set (a memcpy) - tfjs-cpu's concat copies element by element.
 */
export function concat(args: KernelArgs): tf.TensorInfo {
  const inputs = Object.values(args.inputs).filter((t) => tf.util.sizeFromShape(t.shape) > 0);
  const { axis } = args.attrs as unknown as tf.ConcatAttrs;
  if (inputs.length === 0 || !allFloat32(...inputs)) return cpuKernel(tf.Concat)(args) as tf.TensorInfo;
  const $axis = tf.util.parseAxisParam(axis, inputs[0].shape)[0];
  const outShape = tf.backend_util.computeOutShape(
    inputs.map((t) => t.shape),
    $axis,
  );
  const out = allocate(args.backend, tf.util.sizeFromShape(outShape));
  const rows = tf.util.sizeFromShape(outShape.slice(0, $axis));
  const width = out.length / rows;
  let column = 0;
  for (const t of inputs) {
    const x = values(args.backend, t);
    const w = x.length / rows;
    for (let r = 0; r < rows; r++) out.set(x.subarray(r * w, (r + 1) * w), r * width + column);
    column += w;
  }
  return args.backend.makeTensorInfo(outShape, 'float32', out);
}

/** x inside a border of `constantValue` (PadV2: the gradient of Slice), row by row with TypedArray.set. */
export function pad(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs;
  const { paddings, constantValue } = args.attrs as unknown as tf.PadV2Attrs;
  if (!allFloat32(x)) return cpuKernel(tf.PadV2)(args) as tf.TensorInfo;
  const outShape = x.shape.map((s, d) => paddings[d][0] + s + paddings[d][1]);
  const out = allocate(args.backend, tf.util.sizeFromShape(outShape));
  out.fill(constantValue);
  const size = tf.util.sizeFromShape(x.shape);
  if (size === 0) return args.backend.makeTensorInfo(outShape, 'float32', out);
  // the trailing axes without padding are one contiguous run in both x and out
  let inner = 1;
  let d = x.shape.length - 1;
  for (; d >= 0 && paddings[d][0] === 0 && paddings[d][1] === 0; d--) inner *= x.shape[d];
  if (d >= 0) inner *= x.shape[d];
  const outStrides = stridesOf(outShape);
  const start = paddings.reduce((sum, [before], k) => sum + before * outStrides[k], 0);
  const lead = x.shape.slice(0, Math.max(0, d));
  const source = values(args.backend, x);
  const index = new Array<number>(lead.length).fill(0);
  for (let r = 0; r * inner < size; r++) {
    const offset = index.reduce((sum, i, k) => sum + i * outStrides[k], start);
    out.set(source.subarray(r * inner, (r + 1) * inner), offset);
    for (let k = lead.length - 1; k >= 0 && ++index[k] === lead[k]; k--) index[k] = 0;
  }
  return args.backend.makeTensorInfo(outShape, 'float32', out);
}

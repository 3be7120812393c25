import * as tf from '@tensorflow/tfjs';
import { addon, BinaryOp, UnaryOp } from './addon';
import { allFloat32, allocate, Backend, collapse, cpuKernel, KernelArgs, stridesOf, values } from './kernel-util';

/** A broadcasting float32 binary kernel; other dtypes go to the cpu backend's kernel of the same name. */
export function binaryKernel(name: string, op: BinaryOp) {
  const fallback = cpuKernel(name);
  return (args: KernelArgs): tf.TensorInfo => {
    const { a, b } = args.inputs;
    if (!allFloat32(a, b)) return fallback(args) as tf.TensorInfo;
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const out = allocate(args.backend, tf.util.sizeFromShape(outShape));
    const broadcastStrides = (shape: number[]) => {
      const padded = [...new Array<number>(outShape.length - shape.length).fill(1), ...shape];
      const strides = stridesOf(padded);
      return padded.map((size, d) => (size === 1 ? 0 : strides[d]));
    };
    const { shape, strides } = collapse(outShape, [broadcastStrides(a.shape), broadcastStrides(b.shape)]);
    const backend = args.backend;
    addon().binary(op, values(backend, a), values(backend, b), out, Int32Array.from(shape), Int32Array.from(strides[0]), Int32Array.from(strides[1]));
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
}

/** A float32 element-wise kernel of one input (Step takes its `alpha`). */
export function unaryKernel(name: string, op: UnaryOp) {
  const fallback = cpuKernel(name);
  return (args: KernelArgs): tf.TensorInfo => {
    const { x } = args.inputs;
    if (!allFloat32(x)) return fallback(args) as tf.TensorInfo;
    const backend = args.backend;
    const input = values(backend, x);
    const out = allocate(args.backend, input.length);
    const alpha = name === tf.Step ? ((args.attrs as unknown as tf.StepAttrs).alpha ?? 0) : 0;
    addon().unary(op, input, out, alpha);
    return backend.makeTensorInfo(x.shape.slice(), 'float32', out);
  };
}

/** Softmax over the last axis (the only one tfjs allows). */
export function softmax(args: KernelArgs): tf.TensorInfo {
  const { logits } = args.inputs;
  const { dim } = args.attrs as unknown as tf.SoftmaxAttrs;
  const rank = logits.shape.length;
  if (!allFloat32(logits) || rank === 0 || (dim !== -1 && dim !== rank - 1)) return cpuKernel(tf.Softmax)(args) as tf.TensorInfo;
  return softmaxRows(args.backend, logits, 1);
}

/** softmax(logits * scale) over the last axis of float32 logits (the Softmax kernel, and EbtSoftmax's). */
export function softmaxRows(backend: Backend, logits: tf.TensorInfo, scale: number): tf.TensorInfo {
  const input = values(backend, logits);
  const out = allocate(backend, input.length);
  const cols = logits.shape.at(-1) ?? 1;
  if (cols > 0 && input.length > 0) addon().softmax(input, out, input.length / cols, cols, scale);
  return backend.makeTensorInfo(logits.shape.slice(), 'float32', out);
}

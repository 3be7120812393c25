import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

export type Backend = MathBackendCPU;
export type KernelArgs = { inputs: Record<string, tf.TensorInfo>; backend: Backend; attrs?: tf.NamedAttrMap };

/**
 * The float32 values the cpu backend holds for a tensor, without a copy when they are a Float32Array. A float32
 * tensor cast from int32 or bool keeps its Int32Array/Uint8Array (tfjs's cast is an identity there): converted.
 */
export function values(backend: Backend, t: tf.TensorInfo): Float32Array {
  const stored = backend.data.get(t.dataId).values;
  return stored instanceof Float32Array ? stored : Float32Array.from(stored as ArrayLike<number>);
}

/** A float32 output buffer: recycled from the backend's pool when it has one (contents arbitrary). */
export function allocate(backend: Backend, length: number): Float32Array {
  const pool = (backend as { pool?: { allocate(length: number): Float32Array } }).pool;
  return pool ? pool.allocate(length) : new Float32Array(length);
}

/** Refuses, naming the kernel, an input that is not float32 (an optional input may be undefined). */
export function requireFloat32(kernel: string, ...tensors: (tf.TensorInfo | undefined)[]): void {
  const bad = tensors.find((t) => t !== undefined && t.dtype !== 'float32');
  if (bad) throw new Error(`${kernel} takes float32 tensors, got ${bad.dtype}`);
}

export function allFloat32(...tensors: (tf.TensorInfo | undefined)[]): boolean {
  return tensors.every((t) => t === undefined || t.dtype === 'float32');
}

/** The cpu backend's own kernel for what the native one does not handle (other dtypes, odd broadcasts). */
export function cpuKernel(name: string): (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[] {
  const config = tf.getKernel(name, 'cpu');
  if (!config) throw new Error(`tfjs has no cpu kernel '${name}'`);
  return config.kernelFunc as unknown as (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];
}

export function stridesOf(shape: number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

/**
 * Drops axes of size 1 and merges neighbouring axes that every operand walks contiguously, so that the
 * C++ loops see as few and as long rows as possible.
 */
export function collapse(shape: number[], strides: number[][]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, i) => outStrides[i][last] === s[d] * shape[d])) {
      outShape[last] *= shape[d];
      strides.forEach((s, i) => (outStrides[i][last] = s[d]));
    } else {
      outShape.push(shape[d]);
      strides.forEach((s, i) => outStrides[i].push(s[d]));
    }
  }
  return { shape: outShape, strides: outStrides };
}

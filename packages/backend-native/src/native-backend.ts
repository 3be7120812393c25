import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { BinaryOp, loadAddon, ReduceOp, UnaryOp } from './addon';
import { BufferPool } from './buffer-pool';
import { binaryKernel, softmax, unaryKernel } from './elementwise';
import {
  adamStep,
  adamSteps,
  addLayerNorm,
  FUSED_ADAM_STEP,
  FUSED_ADAM_STEPS,
  FUSED_ADD_LAYER_NORM,
  FUSED_GELU,
  FUSED_GELU_GRAD,
  FUSED_LAYER_NORM,
  FUSED_LAYER_NORM_GRAD,
  FUSED_LINEAR,
  FUSED_SOFTMAX,
  FUSED_SOFTMAX_GRAD,
  gelu,
  geluGrad,
  layerNorm,
  layerNormGrad,
  linear,
  registerFusedGradients,
  scaledSoftmax,
  scaledSoftmaxGrad,
} from './fused';
import { FUSED_HEAD_CONTEXT, FUSED_HEAD_SCORES, headContext, headScores } from './head-matmul';
import { KernelArgs } from './kernel-util';
import { concat, pad, reduceKernel, slice, splitV, tile, transpose } from './layout';
import { batchMatMul, fusedMatMul } from './matmul';
import { unsortedSegmentSum } from './segment-sum';

export const BACKEND_NAME = 'native';

/** The cpu backend's tensor storage and every one of its kernels; the heavy ones are replaced below. */
export class NativeBackend extends MathBackendCPU {
  readonly pool = new BufferPool();

  constructor() {
    super();
    // MathBackendCPU prints an "install tfjs-node" banner on first use; this is the faster path it asks for.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  override write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): tf.DataId {
    this.pool.register(values);
    return super.write(values, shape, dtype);
  }

  override move(dataId: tf.DataId, values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType, refCount: number): void {
    this.pool.register(values);
    super.move(dataId, values, shape, dtype, refCount);
  }

  override readSync(dataId: tf.DataId): tf.backend_util.BackendValues {
    const values = super.readSync(dataId);
    this.pool.escape(this.data.get(dataId)?.values);
    return values;
  }

  override disposeData(dataId: tf.DataId, force = false): boolean {
    const values = this.data.get(dataId)?.values;
    const result = super.disposeData(dataId, force);
    if (values !== undefined && !this.data.has(dataId)) this.pool.release(values);
    return result;
  }

  override dispose(): void {
    this.pool.clear();
    super.dispose();
  }
}

type Kernel = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

/** The kernels computed by the addon; names are tfjs kernel names. */
export function nativeKernels(): Record<string, Kernel> {
  return {
    [tf.BatchMatMul]: batchMatMul,
    [tf._FusedMatMul]: fusedMatMul,
    [tf.Add]: binaryKernel(tf.Add, BinaryOp.Add),
    [tf.Sub]: binaryKernel(tf.Sub, BinaryOp.Sub),
    [tf.Multiply]: binaryKernel(tf.Multiply, BinaryOp.Mul),
    [tf.RealDiv]: binaryKernel(tf.RealDiv, BinaryOp.Div),
    [tf.Maximum]: binaryKernel(tf.Maximum, BinaryOp.Max),
    [tf.Minimum]: binaryKernel(tf.Minimum, BinaryOp.Min),
    [tf.SquaredDifference]: binaryKernel(tf.SquaredDifference, BinaryOp.SquaredDifference),
    [tf.Exp]: unaryKernel(tf.Exp, UnaryOp.Exp),
    [tf.Log]: unaryKernel(tf.Log, UnaryOp.Log),
    [tf.Sqrt]: unaryKernel(tf.Sqrt, UnaryOp.Sqrt),
    [tf.Rsqrt]: unaryKernel(tf.Rsqrt, UnaryOp.Rsqrt),
    [tf.Erf]: unaryKernel(tf.Erf, UnaryOp.Erf),
    [tf.Tanh]: unaryKernel(tf.Tanh, UnaryOp.Tanh),
    [tf.Relu]: unaryKernel(tf.Relu, UnaryOp.Relu),
    [tf.Neg]: unaryKernel(tf.Neg, UnaryOp.Neg),
    [tf.Square]: unaryKernel(tf.Square, UnaryOp.Square),
    [tf.Abs]: unaryKernel(tf.Abs, UnaryOp.Abs),
    [tf.Sigmoid]: unaryKernel(tf.Sigmoid, UnaryOp.Sigmoid),
    [tf.Reciprocal]: unaryKernel(tf.Reciprocal, UnaryOp.Reciprocal),
    [tf.Step]: unaryKernel(tf.Step, UnaryOp.Step),
    [tf.Softmax]: softmax,
    [tf.UnsortedSegmentSum]: unsortedSegmentSum,
    [tf.Transpose]: transpose,
    [tf.Slice]: slice,
    [tf.SplitV]: splitV,
    [tf.Tile]: tile,
    [tf.Concat]: concat,
    [tf.PadV2]: pad,
    [tf.Sum]: reduceKernel(tf.Sum, ReduceOp.Sum),
    [tf.Mean]: reduceKernel(tf.Mean, ReduceOp.Mean),
    [tf.Max]: reduceKernel(tf.Max, ReduceOp.Max),
    [tf.Min]: reduceKernel(tf.Min, ReduceOp.Min),
  };
}

/**
 * Registers the 'native' tfjs backend: a copy of every cpu kernel registration, with the kernels of
 * `nativeKernels()` in place of the cpu ones. Returns why not when the addon is not there.
 */
export function registerNativeBackend(): { ok: true } | { ok: false; reason: string } {
  const loaded = loadAddon();
  if ('reason' in loaded) return { ok: false, reason: loaded.reason };
  if (tf.findBackendFactory(BACKEND_NAME)) return { ok: true };
  tf.registerBackend(BACKEND_NAME, () => new NativeBackend(), 0);
  const replaced = nativeKernels();
  for (const config of tf.getKernelsForBackend('cpu')) {
    const kernelFunc = (replaced[config.kernelName] ?? config.kernelFunc) as tf.KernelFunc;
    tf.registerKernel({ ...config, backendName: BACKEND_NAME, kernelFunc });
  }
  const fused: Record<string, Kernel> = {
    [FUSED_GELU]: gelu,
    [FUSED_GELU_GRAD]: geluGrad,
    [FUSED_LAYER_NORM]: layerNorm,
    [FUSED_LAYER_NORM_GRAD]: layerNormGrad,
    [FUSED_ADAM_STEP]: adamStep,
    [FUSED_ADAM_STEPS]: adamSteps,
    [FUSED_SOFTMAX]: scaledSoftmax,
    [FUSED_SOFTMAX_GRAD]: scaledSoftmaxGrad,
    [FUSED_LINEAR]: linear,
    [FUSED_ADD_LAYER_NORM]: addLayerNorm,
    [FUSED_HEAD_SCORES]: headScores,
    [FUSED_HEAD_CONTEXT]: headContext,
  };
  for (const [kernelName, kernelFunc] of Object.entries(fused)) {
    tf.registerKernel({ kernelName, backendName: BACKEND_NAME, kernelFunc: kernelFunc as tf.KernelFunc });
  }
  registerFusedGradients();
  return { ok: true };
}

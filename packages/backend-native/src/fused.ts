import * as tf from '@tensorflow/tfjs';
import { addon, AdamHyper } from './addon';
import { allocate, KernelArgs, values } from './kernel-util';

/**
 * Kernels that tfjs has no name for, with their gradients. @ebt/models calls them by name when the active
 * backend registers them (`tf.getKernel(name, tf.getBackend())`), and otherwise runs the same maths as
 * ordinary ops.
 */
export const FUSED_GELU = 'EbtGelu';
export const FUSED_GELU_GRAD = 'EbtGeluGrad';
export const FUSED_LAYER_NORM = 'EbtLayerNorm';
export const FUSED_LAYER_NORM_GRAD = 'EbtLayerNormGrad';
export const FUSED_ADAM_STEP = 'EbtAdamStep';

function float32(kernel: string, ...tensors: tf.TensorInfo[]): void {
  const bad = tensors.find((t) => t.dtype !== 'float32');
  if (bad) throw new Error(`${kernel} takes float32 tensors, got ${bad.dtype}`);
}

/** 0.5 x (1 + erf(x / sqrt 2)) */
export function gelu({ inputs: { x }, backend }: KernelArgs): tf.TensorInfo {
  float32(FUSED_GELU, x);
  const out = allocate(backend, tf.util.sizeFromShape(x.shape));
  addon().gelu(values(backend, x), out);
  return backend.makeTensorInfo(x.shape.slice(), 'float32', out);
}

export function geluGrad({ inputs: { dy, x }, backend }: KernelArgs): tf.TensorInfo {
  float32(FUSED_GELU_GRAD, dy, x);
  const out = allocate(backend, tf.util.sizeFromShape(x.shape));
  addon().geluGrad(values(backend, dy), values(backend, x), out);
  return backend.makeTensorInfo(x.shape.slice(), 'float32', out);
}

/** LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * gamma + beta, biased variance. */
export function layerNorm({ inputs: { x, gamma, beta }, backend, attrs }: KernelArgs): tf.TensorInfo {
  float32(FUSED_LAYER_NORM, x, gamma, beta);
  const cols = x.shape[x.shape.length - 1];
  const out = allocate(backend, tf.util.sizeFromShape(x.shape));
  addon().layerNorm(values(backend, x), values(backend, gamma), values(backend, beta), out, cols, (attrs as { eps: number }).eps);
  return backend.makeTensorInfo(x.shape.slice(), 'float32', out);
}

export function layerNormGrad({ inputs: { dy, x, gamma }, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  float32(FUSED_LAYER_NORM_GRAD, dy, x, gamma);
  const cols = x.shape[x.shape.length - 1];
  const dx = allocate(backend, tf.util.sizeFromShape(x.shape));
  const dgamma = allocate(backend, cols);
  const dbeta = allocate(backend, cols);
  addon().layerNormGrad(values(backend, dy), values(backend, x), values(backend, gamma), dx, dgamma, dbeta, cols, (attrs as { eps: number }).eps);
  return [
    backend.makeTensorInfo(x.shape.slice(), 'float32', dx),
    backend.makeTensorInfo([cols], 'float32', dgamma),
    backend.makeTensorInfo([cols], 'float32', dbeta),
  ];
}

/** One Adam/AdamW update: new [param, m, v] from param, grad, m, v (attrs: AdamHyper). Not differentiable. */
export function adamStep({ inputs: { param, grad, m, v }, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  float32(FUSED_ADAM_STEP, param, grad, m, v);
  const n = tf.util.sizeFromShape(param.shape);
  const [pOut, mOut, vOut] = [allocate(backend, n), allocate(backend, n), allocate(backend, n)];
  addon().adamStep(values(backend, param), values(backend, grad), values(backend, m), values(backend, v), pOut, mOut, vOut, attrs as unknown as AdamHyper);
  return [pOut, mOut, vOut].map((out) => backend.makeTensorInfo(param.shape.slice(), 'float32', out));
}

/** Gradients are registered per kernel name for every backend; only 'native' has these kernels. */
export function registerFusedGradients(): void {
  if (tf.getGradient(FUSED_GELU)) return;
  tf.registerGradient({
    kernelName: FUSED_GELU,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => ({ x: () => tf.engine().runKernel(FUSED_GELU_GRAD, { dy: dy as tf.Tensor, x: saved[0] }) as tf.Tensor }),
  });
  tf.registerGradient({
    kernelName: FUSED_LAYER_NORM,
    inputsToSave: ['x', 'gamma'],
    gradFunc: (dy, saved, attrs) => {
      // One pass gives all three; computed here, outside the per-input tidy scopes that would dispose two of them.
      const [dx, dgamma, dbeta] = tf.engine().runKernel(FUSED_LAYER_NORM_GRAD, { dy: dy as tf.Tensor, x: saved[0], gamma: saved[1] }, attrs) as tf.Tensor[];
      return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
    },
  });
}

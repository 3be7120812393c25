import * as tf from '@tensorflow/tfjs';
import { addon, AdamHyper } from './addon';
import { allocate, KernelArgs, requireFloat32, values } from './kernel-util';
import { softmaxRows } from './elementwise';
import { registerHeadGradients } from './head-matmul';
import { batchMatMul } from './matmul';

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
export const FUSED_ADAM_STEPS = 'EbtAdamSteps';
export const FUSED_SOFTMAX = 'EbtSoftmax';
export const FUSED_SOFTMAX_GRAD = 'EbtSoftmaxGrad';
export const FUSED_LINEAR = 'EbtLinear';
export const FUSED_ADD_LAYER_NORM = 'EbtAddLayerNorm';

/** 0.5 x (1 + erf(x / sqrt 2)) */
export function gelu({ inputs: { x }, backend }: KernelArgs): tf.TensorInfo {
  requireFloat32(FUSED_GELU, x);
  const out = allocate(backend, tf.util.sizeFromShape(x.shape));
  addon().gelu(values(backend, x), out);
  return backend.makeTensorInfo(x.shape.slice(), 'float32', out);
}

export function geluGrad({ inputs: { dy, x }, backend }: KernelArgs): tf.TensorInfo {
  requireFloat32(FUSED_GELU_GRAD, dy, x);
  const out = allocate(backend, tf.util.sizeFromShape(x.shape));
  addon().geluGrad(values(backend, dy), values(backend, x), out);
  return backend.makeTensorInfo(x.shape.slice(), 'float32', out);
}

/** LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * gamma + beta, biased variance. */
export function layerNorm({ inputs: { x, gamma, beta }, backend, attrs }: KernelArgs): tf.TensorInfo {
  requireFloat32(FUSED_LAYER_NORM, x, gamma, beta);
  const cols = x.shape[x.shape.length - 1];
  const out = allocate(backend, tf.util.sizeFromShape(x.shape));
  addon().layerNorm(values(backend, x), values(backend, gamma), values(backend, beta), out, cols, (attrs as { eps: number }).eps);
  return backend.makeTensorInfo(x.shape.slice(), 'float32', out);
}

/** [sum, y] with sum = a + r and y = LayerNorm(sum): a residual add and the LayerNorm after it, one pass. */
export function addLayerNorm({ inputs: { a, r, gamma, beta }, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  requireFloat32(FUSED_ADD_LAYER_NORM, a, r, gamma, beta);
  if (!tf.util.arraysEqual(a.shape, r.shape)) throw new Error(`${FUSED_ADD_LAYER_NORM} adds tensors of one shape, got ${a.shape} and ${r.shape}`);
  const cols = a.shape[a.shape.length - 1];
  const n = tf.util.sizeFromShape(a.shape);
  const [sum, out] = [allocate(backend, n), allocate(backend, n)];
  addon().addLayerNorm(values(backend, a), values(backend, r), values(backend, gamma), values(backend, beta), sum, out, cols, (attrs as { eps: number }).eps);
  return [backend.makeTensorInfo(a.shape.slice(), 'float32', sum), backend.makeTensorInfo(a.shape.slice(), 'float32', out)];
}

/** dx, dgamma, dbeta of LayerNorm; an optional input `dsum` (the gradient reaching x by a residual) is added to dx. */
export function layerNormGrad({ inputs: { dy, x, gamma, dsum }, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  requireFloat32(FUSED_LAYER_NORM_GRAD, dy, x, gamma, dsum);
  const cols = x.shape[x.shape.length - 1];
  const dx = allocate(backend, tf.util.sizeFromShape(x.shape));
  const dgamma = allocate(backend, cols);
  const dbeta = allocate(backend, cols);
  const eps = (attrs as { eps: number }).eps;
  addon().layerNormGrad(values(backend, dy), values(backend, x), values(backend, gamma), dx, dgamma, dbeta, cols, eps, dsum && values(backend, dsum));
  return [
    backend.makeTensorInfo(x.shape.slice(), 'float32', dx),
    backend.makeTensorInfo([cols], 'float32', dgamma),
    backend.makeTensorInfo([cols], 'float32', dbeta),
  ];
}

/** softmax(logits * scale) over the last axis (attrs: { scale }), the same bits as the two ops. */
export function scaledSoftmax({ inputs: { logits }, backend, attrs }: KernelArgs): tf.TensorInfo {
  requireFloat32(FUSED_SOFTMAX, logits);
  return softmaxRows(backend, logits, (attrs as { scale: number }).scale);
}

/** The gradient of scaledSoftmax from its output y: (dy y - sum(dy y) y) scale, in one pass per row. */
export function scaledSoftmaxGrad({ inputs: { dy, y }, backend, attrs }: KernelArgs): tf.TensorInfo {
  requireFloat32(FUSED_SOFTMAX_GRAD, dy, y);
  const cols = y.shape.at(-1) ?? 1;
  const n = tf.util.sizeFromShape(y.shape);
  const dx = allocate(backend, n);
  if (n > 0) addon().softmaxGrad(values(backend, dy), values(backend, y), dx, n / cols, cols, (attrs as { scale: number }).scale);
  return backend.makeTensorInfo(y.shape.slice(), 'float32', dx);
}

/** x [M, K] times weight [K, N] plus bias [N], the bias added inside the product: the bits of matMul then add. */
export function linear({ inputs: { x, weight, bias }, backend }: KernelArgs): tf.TensorInfo {
  requireFloat32(FUSED_LINEAR, x, weight, bias);
  if (x.shape.length !== 2 || weight.shape.length !== 2 || bias.shape.length !== 1 || bias.shape[0] !== weight.shape[1]) {
    throw new Error(`${FUSED_LINEAR} takes x [M, K], weight [K, N] and bias [N], got ${x.shape}, ${weight.shape} and ${bias.shape}`);
  }
  return batchMatMul({ inputs: { a: x, b: weight }, backend, attrs: { transposeA: false, transposeB: false } }, bias);
}

/** One Adam/AdamW update: new [param, m, v] from param, grad, m, v (attrs: AdamHyper). Not differentiable. */
export function adamStep({ inputs: { param, grad, m, v }, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  requireFloat32(FUSED_ADAM_STEP, param, grad, m, v);
  const n = tf.util.sizeFromShape(param.shape);
  const [pOut, mOut, vOut] = [allocate(backend, n), allocate(backend, n), allocate(backend, n)];
  addon().adamStep(values(backend, param), values(backend, grad), values(backend, m), values(backend, v), pOut, mOut, vOut, attrs as unknown as AdamHyper);
  return [pOut, mOut, vOut].map((out) => backend.makeTensorInfo(param.shape.slice(), 'float32', out));
}

/**
 * FUSED_ADAM_STEP for every parameter of a model in one call: inputs param0, grad0, m0, v0, param1, ...;
 * attrs AdamHyper with weightDecays[i] for tensor i; outputs [param0, m0, v0, param1, ...] (new values). The
 * bits of one FUSED_ADAM_STEP per tensor, without ~100 calls and parallel regions per step. Not differentiable.
 */
export function adamSteps({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const { weightDecays, ...hyper } = attrs as unknown as AdamHyper & { weightDecays: number[] };
  const rows: Float32Array[][] = [];
  const outputs: tf.TensorInfo[] = [];
  for (let i = 0; i < weightDecays.length; i++) {
    const [param, grad, m, v] = ['param', 'grad', 'm', 'v'].map((name) => inputs[`${name}${i}`]);
    if (!param || !grad || !m || !v)
      throw new Error(`${FUSED_ADAM_STEPS}: weightDecays names ${weightDecays.length} tensors, but param${i}, grad${i}, m${i} or v${i} is missing`);
    requireFloat32(FUSED_ADAM_STEPS, param, grad, m, v);
    const n = tf.util.sizeFromShape(param.shape);
    const out = [allocate(backend, n), allocate(backend, n), allocate(backend, n)];
    rows.push([values(backend, param), values(backend, grad), values(backend, m), values(backend, v), ...out]);
    outputs.push(...out.map((o) => backend.makeTensorInfo(param.shape.slice(), 'float32', o)));
  }
  addon().adamSteps(rows, { ...hyper, weightDecay: 0 }, Float32Array.from(weightDecays));
  return outputs;
}

/** Gradients are registered per kernel name for every backend; only 'native' has these kernels. */
export function registerFusedGradients(): void {
  if (tf.getGradient(FUSED_GELU)) return;
  registerHeadGradients();
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
  tf.registerGradient({
    kernelName: FUSED_ADD_LAYER_NORM,
    inputsToSave: ['gamma'],
    outputsToSave: [true, false],
    gradFunc: (dys, [gamma, sum], attrs) => {
      // the sum's own gradient (its use as the next residual) rides into LayerNormGrad's dx, which a and r share
      const [dsum, dy] = dys as tf.Tensor[];
      const [dx, dgamma, dbeta] = tf.engine().runKernel(FUSED_LAYER_NORM_GRAD, { dy, x: sum, gamma, dsum }, attrs) as tf.Tensor[];
      return { a: () => dx, r: () => tf.reshape(dx, dx.shape), gamma: () => dgamma, beta: () => dbeta };
    },
  });
  tf.registerGradient({
    kernelName: FUSED_SOFTMAX,
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => ({
      logits: () => tf.engine().runKernel(FUSED_SOFTMAX_GRAD, { dy: dy as tf.Tensor, y: saved[0] }, attrs) as tf.Tensor,
    }),
  });
  // the gradients tfjs takes of matMul and of the bias's add, so the bits are theirs
  tf.registerGradient({
    kernelName: FUSED_LINEAR,
    inputsToSave: ['x', 'weight'],
    gradFunc: (dy, [x, weight]) => ({
      x: () => tf.matMul(dy as tf.Tensor, weight, false, true),
      weight: () => tf.matMul(x, dy as tf.Tensor, true, false),
      bias: () => tf.sum(dy as tf.Tensor, 0),
    }),
  });
}

/**
 * ebt's kernels on the webgpu backend, by the names @ebt/models and @ebt/training call them by (those of
 * @ebt/backend-native, whose gradients they share): GELU, LayerNorm and Adam, each one to three WGSL passes
 * where tfjs's composite of ordinary ops takes six to twelve; and tfjs's AddN, made to fit the device's limits.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { FUSED_ADAM_STEP, FUSED_GELU, FUSED_GELU_GRAD, FUSED_LAYER_NORM, FUSED_LAYER_NORM_GRAD, registerFusedGradients } from '@ebt/backend-native';
import type { AdamHyper } from '@ebt/backend-native';
import {
  adamProgram,
  chunkSumProgram,
  geluGradProgram,
  geluProgram,
  GRAD_CHUNK_ROWS,
  layerNormApplyProgram,
  layerNormGradParamsProgram,
  layerNormGradXProgram,
  Program,
  rowStatsProgram,
} from './programs';

type Uniform = { type: 'int32' | 'float32'; data: number[] };
interface Args {
  inputs: Record<string, tf.TensorInfo>;
  backend: unknown;
  attrs?: Record<string, unknown>;
}

const int = (v: number): Uniform => ({ type: 'int32', data: [v] });
const float = (v: number): Uniform => ({ type: 'float32', data: [v] });

function run(backend: unknown, program: Program, inputs: tf.TensorInfo[], uniforms: Uniform[] = []): tf.TensorInfo {
  return (backend as WebGPUBackend).runWebGPUProgram(program as never, inputs, 'float32', uniforms);
}

function float32(kernel: string, ...tensors: tf.TensorInfo[]): void {
  const bad = tensors.find((t) => t.dtype !== 'float32');
  if (bad) throw new Error(`${kernel} takes float32 tensors, got ${bad.dtype}`);
}

const size = (t: tf.TensorInfo) => tf.util.sizeFromShape(t.shape);
const reshaped = (t: tf.TensorInfo, shape: number[]): tf.TensorInfo => ({ ...t, shape });

function gelu({ inputs: { x }, backend }: Args): tf.TensorInfo {
  float32(FUSED_GELU, x);
  return reshaped(run(backend, geluProgram(size(x)), [x]), x.shape.slice());
}

function geluGrad({ inputs: { dy, x }, backend }: Args): tf.TensorInfo {
  float32(FUSED_GELU_GRAD, dy, x);
  return reshaped(run(backend, geluGradProgram(size(x)), [dy, x]), x.shape.slice());
}

/** Mean and rstd of every row of x's last axis: [rows, 2]. */
function rowStats(backend: unknown, x: tf.TensorInfo, eps: number): { stats: tf.TensorInfo; rows: number; cols: number } {
  const cols = x.shape[x.shape.length - 1];
  const rows = size(x) / cols;
  return { stats: run(backend, rowStatsProgram(rows), [x], [int(rows), int(cols), float(eps)]), rows, cols };
}

function layerNorm({ inputs: { x, gamma, beta }, backend, attrs }: Args): tf.TensorInfo {
  float32(FUSED_LAYER_NORM, x, gamma, beta);
  const { stats, cols } = rowStats(backend, x, (attrs as { eps: number }).eps);
  const out = run(backend, layerNormApplyProgram(size(x)), [x, stats, gamma, beta], [int(cols)]);
  (backend as WebGPUBackend).disposeData(stats.dataId);
  return reshaped(out, x.shape.slice());
}

function layerNormGrad({ inputs: { dy, x, gamma }, backend, attrs }: Args): tf.TensorInfo[] {
  float32(FUSED_LAYER_NORM_GRAD, dy, x, gamma);
  const { stats, rows, cols } = rowStats(backend, x, (attrs as { eps: number }).eps);
  const dx = run(backend, layerNormGradXProgram(rows, cols), [dy, x, gamma, stats], [int(rows), int(cols)]);
  const chunks = Math.ceil(rows / GRAD_CHUNK_ROWS);
  const partial = run(backend, layerNormGradParamsProgram(chunks, cols), [dy, x, stats], [int(rows), int(cols)]);
  const [dgamma, dbeta] = [0, cols].map((offset) => run(backend, chunkSumProgram(cols), [partial], [int(chunks), int(2 * cols), int(offset)]));
  for (const t of [stats, partial]) (backend as WebGPUBackend).disposeData(t.dataId);
  return [reshaped(dx, x.shape.slice()), dgamma, dbeta];
}

function adamStep({ inputs: { param, grad, m, v }, backend, attrs }: Args): tf.TensorInfo[] {
  float32(FUSED_ADAM_STEP, param, grad, m, v);
  const h = attrs as unknown as AdamHyper;
  const uniforms = [h.lr, h.beta1, h.beta2, h.eps, h.bc1, h.bc2, h.decoupled ? 0 : h.weightDecay, h.decoupled ? h.lr * h.weightDecay : 0].map(float);
  return (['param', 'm', 'v'] as const).map((output) =>
    reshaped(run(backend, adamProgram(size(param), output), [param, grad, m, v], uniforms), param.shape.slice()),
  );
}

/**
 * tfjs-backend-webgpu's AddN binds all its inputs at once, and more than the device's storage buffers per
 * stage (8 in WebGPU's guaranteed limits, 16 on llvmpipe) fail to compile: a global gradient norm over 45
 * parameters did. Here they are folded left in chunks that fit (the running sum is the first input of the next).
 */
function chunkedAddN(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const inputs = args.inputs as unknown as tf.TensorInfo[];
    const backend = args.backend as unknown as WebGPUBackend;
    const most = backend.device.limits.maxStorageBuffersPerShaderStage - 1; // one binding is the output
    if (inputs.length <= most) return original(args);
    const add = (some: tf.TensorInfo[]) => original({ ...args, inputs: some as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo;
    let sum = add(inputs.slice(0, most));
    for (let i = most; i < inputs.length; i += most - 1) {
      const next = add([sum, ...inputs.slice(i, i + most - 1)]);
      backend.disposeData(sum.dataId);
      sum = next;
    }
    return sum;
  };
}

let registered = false;

/** Registers the kernels for the 'webgpu' backend, once. */
export function registerWgslKernels(backendName = 'webgpu'): void {
  if (registered) return;
  registered = true;
  const kernels: Record<string, (args: Args) => tf.TensorInfo | tf.TensorInfo[]> = {
    [FUSED_GELU]: gelu,
    [FUSED_GELU_GRAD]: geluGrad,
    [FUSED_LAYER_NORM]: layerNorm,
    [FUSED_LAYER_NORM_GRAD]: layerNormGrad,
    [FUSED_ADAM_STEP]: adamStep,
  };
  for (const [kernelName, kernelFunc] of Object.entries(kernels))
    tf.registerKernel({ kernelName, backendName, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  const addN = tf.getKernel(tf.AddN, backendName);
  if (addN) {
    tf.unregisterKernel(tf.AddN, backendName);
    tf.registerKernel({ ...addN, kernelFunc: chunkedAddN(addN.kernelFunc) });
  }
  registerFusedGradients();
}

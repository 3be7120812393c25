import * as fs from 'node:fs';
import * as path from 'node:path';
import { nativeSettings } from './settings';

/** The compiled kernels (native/*.cc). Shapes are checked in C++ too: a mismatch throws, never writes out of bounds. */
export interface NativeAddon {
  setThreads(threads: number): number;
  threads(): number;
  /** how many operations each enum of native/kernels.h has: the enums below must have as many */
  readonly opCounts: { binary: number; unary: number; reduce: number };
  matMul(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    batchA: number,
    batchB: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    /** n values added to every row of the product */
    bias?: Float32Array,
  ): void;
  /**
   * c[i, h] = op(a[i, h]) op(b[i, h]) for batch i < batch and head h < heads; `layout` holds, for a, b and c in
   * turn, the batch stride, the head stride and the leading dimension (row stride) of each matrix.
   */
  headMatMul(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    batch: number,
    heads: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    layout: Int32Array,
  ): void;
  binary(op: BinaryOp, a: Float32Array, b: Float32Array, out: Float32Array, shape: Int32Array, stridesA: Int32Array, stridesB: Int32Array): void;
  unary(op: UnaryOp, x: Float32Array, out: Float32Array, alpha: number): void;
  /** softmax of each row of x * scale (default 1) */
  softmax(x: Float32Array, out: Float32Array, rows: number, cols: number, scale?: number): void;
  /** dx for y = softmax(x * scale), given dy and y */
  softmaxGrad(dy: Float32Array, y: Float32Array, dx: Float32Array, rows: number, cols: number, scale: number): void;
  transpose(x: Float32Array, out: Float32Array, shape: Int32Array, srcStrides: Int32Array): void;
  gelu(x: Float32Array, out: Float32Array): void;
  geluGrad(dy: Float32Array, x: Float32Array, out: Float32Array): void;
  layerNorm(x: Float32Array, gamma: Float32Array, beta: Float32Array, out: Float32Array, cols: number, eps: number): void;
  layerNormGrad(
    dy: Float32Array,
    x: Float32Array,
    gamma: Float32Array,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    cols: number,
    eps: number,
    /** the gradient reaching x by another path (a residual): added to dx */
    dsum?: Float32Array,
  ): void;
  /** sum = a + r; out = LayerNorm(sum) over rows of cols */
  addLayerNorm(
    a: Float32Array,
    r: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    sum: Float32Array,
    out: Float32Array,
    cols: number,
    eps: number,
  ): void;
  adamStep(
    p: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    pOut: Float32Array,
    mOut: Float32Array,
    vOut: Float32Array,
    hyper: AdamHyper,
  ): void;
  /** adamStep for many tensors in one call: each row is [p, g, m, v, pOut, mOut, vOut]; hyper.weightDecay is replaced by weightDecays[i] */
  adamSteps(tensors: Float32Array[][], hyper: AdamHyper, weightDecays: Float32Array): void;
  reduce(op: ReduceOp, x: Float32Array, out: Float32Array, outer: number, reduced: number, inner: number): void;
}

export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** bias corrections 1 - beta^t */
  bc1: number;
  bc2: number;
  weightDecay: number;
  /** AdamW (decay the weights) rather than Adam (add weightDecay * p to the gradient) */
  decoupled: boolean;
}

// Same names and order as the enums in native/kernels.h (the spec checks the counts against opCounts).
export enum BinaryOp {
  Add,
  Sub,
  Mul,
  Div,
  Max,
  Min,
  SquaredDifference,
}
export enum UnaryOp {
  Exp,
  Log,
  Sqrt,
  Rsqrt,
  Erf,
  Tanh,
  Relu,
  Neg,
  Square,
  Abs,
  Sigmoid,
  Reciprocal,
  Step,
}
export enum ReduceOp {
  Sum,
  Mean,
  Max,
  Min,
}

export const ADDON_PATH = path.join(__dirname, '..', 'build', 'Release', 'ebt_native.node');

let loaded: { addon: NativeAddon } | { reason: string } | undefined;

/** Loads the addon once; says why not when it was not built (see build-native.log) or does not load. */
export function loadAddon(): { addon: NativeAddon } | { reason: string } {
  return (loaded ??= readAddon(ADDON_PATH));
}

/** The addon at `file`, or why it cannot be used (uncached: the tests point it at missing and broken files). */
export function readAddon(file: string): { addon: NativeAddon } | { reason: string } {
  if (!fs.existsSync(file)) {
    const log = path.join(__dirname, '..', 'build-native.log');
    return {
      reason: `the native addon was not built${fs.existsSync(log) ? ` (see ${path.relative(process.cwd(), log)})` : ''}; run \`npm rebuild @ebt/backend-native\` after installing g++ and libopenblas-dev`,
    };
  }
  try {
    const addon = withSpinCount(() => require(file) as NativeAddon);
    const settings = nativeSettings();
    if ('problem' in settings) return { reason: settings.problem };
    if (settings.threads) addon.setThreads(settings.threads);
    return { addon };
  } catch (e) {
    return { reason: `the native addon does not load (${String(e instanceof Error ? e.message : e).split('\n')[0]})` };
  }
}

/**
 * How many times an idle OpenMP thread polls for work before it sleeps, unless the user set OMP_WAIT_POLICY
 * or GOMP_SPINCOUNT. libgomp's default (300,000 polls, a few hundred microseconds) suits an idle machine and
 * not a shared one: a waiting thread that spins holds the core the thread it waits for needs. Beside one
 * CPU-bound process the ViT-Tiny step took 1,560-1,800 ms at the default and 1,215-1,281 ms at 1,000 polls;
 * idle, and for the MNIST default's small kernels, the two are the same within this machine's noise.
 */
export const OPENMP_SPIN_COUNT = '1000';

/**
 * Runs `load` (the addon's dlopen, which loads libgomp, which reads its settings then and only then) with
 * GOMP_SPINCOUNT set to OPENMP_SPIN_COUNT where the user set neither variable, and takes it out of the
 * environment again, so that processes started later (PyTorch's reference in the bench) run with the user's.
 */
function withSpinCount<T>(load: () => T): T {
  if (process.env.OMP_WAIT_POLICY !== undefined || process.env.GOMP_SPINCOUNT !== undefined) return load();
  process.env.GOMP_SPINCOUNT = OPENMP_SPIN_COUNT;
  try {
    return load();
  } finally {
    delete process.env.GOMP_SPINCOUNT;
  }
}

/** The addon, for kernels that only run once the backend was registered (and so the addon loaded). */
export function addon(): NativeAddon {
  const result = loadAddon();
  if ('reason' in result) throw new Error(result.reason);
  return result.addon;
}

import * as fs from 'node:fs';
import * as path from 'node:path';

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
  ): void;
  binary(op: BinaryOp, a: Float32Array, b: Float32Array, out: Float32Array, shape: Int32Array, stridesA: Int32Array, stridesB: Int32Array): void;
  unary(op: UnaryOp, x: Float32Array, out: Float32Array, alpha: number): void;
  softmax(x: Float32Array, out: Float32Array, rows: number, cols: number): void;
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
    const addon = require(file) as NativeAddon;
    const threads = Number(process.env.EBT_NATIVE_THREADS);
    if (Number.isInteger(threads) && threads > 0) addon.setThreads(threads);
    return { addon };
  } catch (e) {
    return { reason: `the native addon does not load (${String(e instanceof Error ? e.message : e).split('\n')[0]})` };
  }
}

/** The addon, for kernels that only run once the backend was registered (and so the addon loaded). */
export function addon(): NativeAddon {
  const result = loadAddon();
  if ('reason' in result) throw new Error(result.reason);
  return result.addon;
}

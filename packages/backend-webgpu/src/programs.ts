/**
 * ebt's WGSL programs, in tfjs-backend-webgpu's program form: tfjs declares the bindings (`result` is the
 * output, each of `variableNames` an input array, `uniforms` the shapes plus what `uniforms` adds) and
 * compiles one pipeline per `shaderKey`. Element-wise programs take a flat index (`main('index')`); the row
 * programs run one workgroup per row of the last axis and reduce in workgroup memory.
 */
import { backend_util } from '@tensorflow/tfjs';

/** Threads of a row program's workgroup: WebGPU guarantees 256, compatibility mode included. */
const ROW_THREADS = 128;
const FLAT_THREADS = 128;

/** The fields tfjs-backend-webgpu reads from a program. */
export interface Program {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  size?: boolean;
  uniforms?: string;
  getUserCode(): string;
}

/** erf as tfjs-backend-webgpu's own Erf kernel computes it (Abramowitz and Stegun 7.1.26, |error| < 1.5e-7). */
const ERF = `
  fn erf_(a : f32) -> f32 {
    let t = 1.0 / (1.0 + ${backend_util.ERF_P} * abs(a));
    let poly = ((((${backend_util.ERF_A5} * t + ${backend_util.ERF_A4}) * t + ${backend_util.ERF_A3}) * t + ${backend_util.ERF_A2}) * t + ${backend_util.ERF_A1}) * t;
    return sign(a) * (1.0 - poly * exp(-a * a));
  }`;

function flat(size: number): Pick<Program, 'outputShape' | 'dispatchLayout' | 'dispatch' | 'workgroupSize' | 'size'> {
  return { outputShape: [size], dispatchLayout: { x: [0] }, dispatch: [Math.ceil(size / FLAT_THREADS), 1, 1], workgroupSize: [FLAT_THREADS, 1, 1], size: true };
}

/** 0.5 x (1 + erf(x / sqrt 2)) */
export function geluProgram(size: number): Program {
  return {
    ...flat(size),
    variableNames: ['X'],
    shaderKey: 'ebt_gelu',
    getUserCode: () => `
      ${ERF}
      fn main(index : i32) {
        if (index < uniforms.size) {
          let x = X[index];
          result[index] = 0.5 * x * (1.0 + erf_(x * ${Math.SQRT1_2}));
        }
      }`,
  };
}

/** dy (Phi(x) + x phi(x)): GELU's derivative times the incoming gradient. */
export function geluGradProgram(size: number): Program {
  return {
    ...flat(size),
    variableNames: ['Dy', 'X'],
    shaderKey: 'ebt_gelu_grad',
    getUserCode: () => `
      ${ERF}
      fn main(index : i32) {
        if (index < uniforms.size) {
          let x = X[index];
          let cdf = 0.5 * (1.0 + erf_(x * ${Math.SQRT1_2}));
          let pdf = exp(-0.5 * x * x) * ${1 / Math.sqrt(2 * Math.PI)};
          result[index] = Dy[index] * (cdf + x * pdf);
        }
      }`,
  };
}

/**
 * The row index of a row program's workgroup (tfjs spreads a large dispatch over y and z). tfjs keeps the
 * builtins in private variables, which WGSL's uniformity analysis does not see as uniform, so a row program
 * never returns early: workgroups past the last row compute on row 0 and write nothing. (tfjs calls `main`
 * with the flat thread index, which a row program has no use for.)
 */
const ROW = 'i32((workgroupId.z * numWorkgroups.y + workgroupId.y) * numWorkgroups.x + workgroupId.x)';

/**
 * Workgroup-wide sums (every thread gets the total): a tree in workgroup memory. Each of a program's
 * reductions has its own array: reusing one let llvmpipe read the first total after the second reduction
 * had begun to overwrite it (seen as a wrong variance), whatever the barriers said.
 */
const ROW_SUMS = [0, 1]
  .map(
    (k) => `
  var<workgroup> partial${k} : array<f32, ${ROW_THREADS}>;
  fn rowSum${k}(value : f32) -> f32 {
    let lid = localId.x;
    partial${k}[lid] = value;
    workgroupBarrier();
    for (var stride = ${ROW_THREADS / 2}u; stride > 0u; stride = stride / 2u) {
      if (lid < stride) {
        partial${k}[lid] = partial${k}[lid] + partial${k}[lid + stride];
      }
      workgroupBarrier();
    }
    return partial${k}[0];
  }`,
  )
  .join('\n');

/** Each row program's first lines: `valid`, `row` (0 past the last row) and `base`, the row's first element. */
const ROW_START = `let valid = ${ROW} < uniforms.rows;
        let row = select(0, ${ROW}, valid);
        let base = row * uniforms.cols;`;

function rows(count: number, outputShape: number[]): Pick<Program, 'outputShape' | 'dispatchLayout' | 'dispatch' | 'workgroupSize'> {
  return { outputShape, dispatchLayout: { x: [0] }, dispatch: [count, 1, 1], workgroupSize: [ROW_THREADS, 1, 1] };
}

/**
 * Each row's mean and 1 / sqrt(biased variance + eps), as [rows, 2]. Two passes over the row (the mean,
 * then the squared deviations from it), as LayerNorm's reference does, not E[x^2] - E[x]^2.
 */
export function rowStatsProgram(count: number): Program {
  return {
    ...rows(count, [count, 2]),
    variableNames: ['X'],
    uniforms: 'rows : i32, cols : i32, eps : f32,',
    shaderKey: 'ebt_row_stats',
    getUserCode: () => `
      ${ROW_SUMS}
      fn main(globalIndex : i32) {
        ${ROW_START}
        var s = 0.0;
        for (var c = i32(localId.x); c < uniforms.cols; c = c + ${ROW_THREADS}) { s = s + X[base + c]; }
        let mean = rowSum0(s) / f32(uniforms.cols);
        var q = 0.0;
        for (var c = i32(localId.x); c < uniforms.cols; c = c + ${ROW_THREADS}) {
          let d = X[base + c] - mean;
          q = q + d * d;
        }
        let rstd = inverseSqrt(rowSum1(q) / f32(uniforms.cols) + uniforms.eps);
        if (valid && localId.x == 0u) {
          result[2 * row] = mean;
          result[2 * row + 1] = rstd;
        }
      }`,
  };
}

/** (x - mean) * rstd * gamma + beta, element-wise from the row statistics. */
export function layerNormApplyProgram(size: number): Program {
  return {
    ...flat(size),
    variableNames: ['X', 'Stats', 'Gamma', 'Beta'],
    uniforms: 'cols : i32,',
    shaderKey: 'ebt_layer_norm_apply',
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let row = index / uniforms.cols;
          let c = index - row * uniforms.cols;
          result[index] = (X[index] - Stats[2 * row]) * Stats[2 * row + 1] * Gamma[c] + Beta[c];
        }
      }`,
  };
}

/**
 * LayerNorm's input gradient, a row per workgroup: with xhat = (x - mean) rstd and g = dy gamma,
 * dx = rstd (g - mean(g) - xhat mean(g xhat)).
 */
export function layerNormGradXProgram(count: number, cols: number): Program {
  return {
    ...rows(count, [count, cols]),
    variableNames: ['Dy', 'X', 'Gamma', 'Stats'],
    uniforms: 'rows : i32, cols : i32,',
    shaderKey: 'ebt_layer_norm_grad_x',
    getUserCode: () => `
      ${ROW_SUMS}
      fn main(globalIndex : i32) {
        ${ROW_START}
        let mean = Stats[2 * row];
        let rstd = Stats[2 * row + 1];
        var sg = 0.0;
        var sgx = 0.0;
        for (var c = i32(localId.x); c < uniforms.cols; c = c + ${ROW_THREADS}) {
          let g = Dy[base + c] * Gamma[c];
          sg = sg + g;
          sgx = sgx + g * (X[base + c] - mean) * rstd;
        }
        let meanG = rowSum0(sg) / f32(uniforms.cols);
        let meanGx = rowSum1(sgx) / f32(uniforms.cols);
        for (var c = i32(localId.x); valid && c < uniforms.cols; c = c + ${ROW_THREADS}) {
          let xhat = (X[base + c] - mean) * rstd;
          result[base + c] = rstd * (Dy[base + c] * Gamma[c] - meanG - xhat * meanGx);
        }
      }`,
  };
}

/** Rows summed per chunk in the first pass of LayerNorm's parameter gradients. */
export const GRAD_CHUNK_ROWS = 64;

/**
 * The first pass of dgamma = sum over rows of dy xhat and dbeta = sum of dy: each thread sums one column over
 * a chunk of GRAD_CHUNK_ROWS rows, into [chunks, 2 cols] (dgamma's columns, then dbeta's); chunkSumProgram
 * then sums the chunks.
 */
export function layerNormGradParamsProgram(chunks: number, cols: number): Program {
  const size = chunks * 2 * cols;
  return {
    ...flat(size),
    outputShape: [chunks, 2 * cols],
    variableNames: ['Dy', 'X', 'Stats'],
    uniforms: 'rows : i32, cols : i32,',
    shaderKey: 'ebt_layer_norm_grad_params',
    getUserCode: () => `
      fn main(index : i32) {
        if (index >= uniforms.size) { return; }
        let chunk = index / (2 * uniforms.cols);
        let j = index - chunk * 2 * uniforms.cols;
        let c = j % uniforms.cols;
        let isGamma = j < uniforms.cols;
        let first = chunk * ${GRAD_CHUNK_ROWS};
        let last = min(first + ${GRAD_CHUNK_ROWS}, uniforms.rows);
        var s = 0.0;
        for (var row = first; row < last; row = row + 1) {
          let dy = Dy[row * uniforms.cols + c];
          if (isGamma) {
            s = s + dy * (X[row * uniforms.cols + c] - Stats[2 * row]) * Stats[2 * row + 1];
          } else {
            s = s + dy;
          }
        }
        result[index] = s;
      }`,
  };
}

/** Which of Adam's three outputs a program writes. */
export type AdamOutput = 'param' | 'm' | 'v';

/**
 * One Adam/AdamW update, as the composite in @ebt/training and the native kernel compute it; one program per
 * output (tfjs runs a program into one tensor), each recomputing the moments it needs - three passes
 * instead of the composite's twelve.
 */
export function adamProgram(size: number, output: AdamOutput): Program {
  const write = { m: 'result[index] = m;', v: 'result[index] = v;', param: 'result[index] = next;' }[output];
  return {
    ...flat(size),
    variableNames: ['P', 'G', 'M', 'V'],
    uniforms: 'lr : f32, beta1 : f32, beta2 : f32, eps : f32, bc1 : f32, bc2 : f32, coupled : f32, decoupled : f32,',
    shaderKey: `ebt_adam_${output}`,
    getUserCode: () => `
      fn main(index : i32) {
        if (index >= uniforms.size) { return; }
        let p = P[index];
        var g = G[index];
        if (uniforms.coupled > 0.0) { g = g + p * uniforms.coupled; }
        let m = M[index] * uniforms.beta1 + g * (1.0 - uniforms.beta1);
        let v = V[index] * uniforms.beta2 + g * g * (1.0 - uniforms.beta2);
        let denom = sqrt(v) / sqrt(uniforms.bc2) + uniforms.eps;
        var next = p - m / denom * (uniforms.lr / uniforms.bc1);
        if (uniforms.decoupled > 0.0) { next = next - p * uniforms.decoupled; }
        ${write}
      }`,
  };
}

/** The second pass: column `offset + c` of the [chunks, 2 cols] partial sums, summed over the chunks, for c < cols. */
export function chunkSumProgram(cols: number): Program {
  return {
    ...flat(cols),
    variableNames: ['Partial'],
    uniforms: 'chunks : i32, width : i32, offset : i32,',
    shaderKey: 'ebt_chunk_sum',
    getUserCode: () => `
      fn main(index : i32) {
        if (index >= uniforms.size) { return; }
        var s = 0.0;
        for (var k = 0; k < uniforms.chunks; k = k + 1) { s = s + Partial[k * uniforms.width + uniforms.offset + index]; }
        result[index] = s;
      }`,
  };
}

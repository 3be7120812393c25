import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BinaryOp, loadAddon, NativeAddon, readAddon, ReduceOp, UnaryOp } from './addon';
import { FUSED_ADAM_STEP, FUSED_ADAM_STEPS, FUSED_ADD_LAYER_NORM, FUSED_GELU, FUSED_LAYER_NORM, FUSED_LINEAR, FUSED_SOFTMAX } from './fused';
import { FUSED_HEAD_CONTEXT, FUSED_HEAD_SCORES } from './head-matmul';
import { NativeBackend, registerNativeBackend } from './native-backend';

// The reference is tfjs's own cpu backend: every native kernel must agree with it to 1e-5 relative.
const built = 'addon' in loadAddon();
const describeNative = built ? describe : describe.skip;

async function on<T extends tf.TensorContainer>(backend: string, f: () => T): Promise<T> {
  await tf.setBackend(backend);
  return tf.tidy(f);
}

function expectClose(actual: number[] | Float32Array, expected: number[] | Float32Array, rtol = 1e-5, atol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    if (Object.is(actual[i], expected[i]) || (Number.isNaN(actual[i]) && Number.isNaN(expected[i]))) continue;
    const err = Math.abs(actual[i] - expected[i]) - rtol * Math.abs(expected[i]);
    if (!(err <= atol)) worst = Math.max(worst, Number.isNaN(err) ? Infinity : err);
  }
  expect(worst).toBe(0);
}

/** One output of a float64 reference: the exact value and the sum of its terms' magnitudes, with the number of terms. */
interface Reference {
  value: Float64Array;
  magnitude: Float64Array;
  terms: number;
}

/** y = xW + b and its gradients for `upstream`, in float64: [y, dx, dW, db], each with the magnitudes of its terms. */
function linearReference(x: number[], w: number[], b: number[], up: number[], m: number, k: number, n: number): Reference[] {
  const product = (
    rows: number,
    inner: number,
    cols: number,
    a: (i: number, p: number) => number,
    c: (p: number, j: number) => number,
    bias?: (j: number) => number,
  ): Reference => {
    const value = new Float64Array(rows * cols);
    const magnitude = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++) {
        let [s, t] = bias ? [bias(j), Math.abs(bias(j))] : [0, 0];
        for (let p = 0; p < inner; p++) [s, t] = [s + a(i, p) * c(p, j), t + Math.abs(a(i, p) * c(p, j))];
        [value[i * cols + j], magnitude[i * cols + j]] = [s, t];
      }
    return { value, magnitude, terms: inner + (bias ? 1 : 0) };
  };
  return [
    product(
      m,
      k,
      n,
      (i, p) => x[i * k + p],
      (p, j) => w[p * n + j],
      (j) => b[j],
    ),
    product(
      m,
      n,
      k,
      (i, p) => up[i * n + p],
      (p, j) => w[j * n + p],
    ),
    product(
      k,
      m,
      n,
      (i, p) => x[p * k + i],
      (p, j) => up[p * n + j],
    ),
    product(
      1,
      m,
      n,
      () => 1,
      (p, j) => up[p * n + j],
    ),
  ];
}

/** Each float32 value within γ_K·Σ|terms| of the float64 sum (γ_K = Ku/(1 - Ku), u = 2^-24), plus the output's own rounding. */
function expectWithinBound(actual: number[], reference: Reference): void {
  const u = 2 ** -24;
  const gamma = (reference.terms * u) / (1 - reference.terms * u);
  expect(actual.length).toBe(reference.value.length);
  const i = actual.findIndex((v, j) => !(Math.abs(v - reference.value[j]) <= gamma * reference.magnitude[j] + u * Math.abs(reference.value[j])));
  expect(i < 0 ? 'within the bound' : `output ${i}: ${actual[i]} vs ${reference.value[i]}`).toBe('within the bound');
}

/** Bit-equal arrays; names the first difference (toEqual's diff of a million numbers takes minutes). */
function expectSameBits(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  const i = actual.findIndex((v, j) => !Object.is(v, expected[j]));
  expect(i < 0 ? 'the same bits' : `first difference at ${i}: ${actual[i]} vs ${expected[i]}`).toBe('the same bits');
}

/** Runs `f` on cpu and native (same seeds) and compares every output. */
async function sameAsCpu(f: () => tf.Tensor | tf.Tensor[], rtol = 1e-5, atol = 1e-6): Promise<void> {
  const flat = (r: tf.Tensor | tf.Tensor[]) => (Array.isArray(r) ? r : [r]).map((t) => ({ shape: t.shape, dtype: t.dtype, data: Array.from(t.dataSync()) }));
  const cpu = await on('cpu', () => flat(f()));
  const native = await on('native', () => flat(f()));
  expect(native.map((t) => [t.shape, t.dtype])).toEqual(cpu.map((t) => [t.shape, t.dtype]));
  native.forEach((t, i) => expectClose(t.data, cpu[i].data, rtol, atol));
}

const rand = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

describeNative('the native backend', () => {
  beforeAll(() => {
    expect(registerNativeBackend()).toEqual({ ok: true });
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  test("the TypeScript operation enums have as many members as the addon's C++ enums", () => {
    const members = (e: object) => Object.keys(e).filter((k) => Number.isNaN(Number(k))).length;
    const { addon } = loadAddon() as { addon: NativeAddon };
    expect({ binary: members(BinaryOp), unary: members(UnaryOp), reduce: members(ReduceOp) }).toEqual(addon.opCounts);
    // an operation past the end is refused by the addon, not run as something else
    const x = new Float32Array(4);
    expect(() => addon.unary(addon.opCounts.unary as UnaryOp, x, new Float32Array(4), 0)).toThrow(/bad operation/);
  });

  test('registers every cpu kernel, and the fused ones', () => {
    const cpu = tf.getKernelsForBackend('cpu').map((k) => k.kernelName);
    const native = new Set(tf.getKernelsForBackend('native').map((k) => k.kernelName));
    expect(cpu.filter((k) => !native.has(k))).toEqual([]);
    for (const k of [
      FUSED_GELU,
      FUSED_LAYER_NORM,
      FUSED_ADAM_STEP,
      FUSED_ADAM_STEPS,
      FUSED_SOFTMAX,
      FUSED_LINEAR,
      FUSED_ADD_LAYER_NORM,
      FUSED_HEAD_SCORES,
      FUSED_HEAD_CONTEXT,
    ])
      expect(native.has(k)).toBe(true);
  });

  test.each([
    ['2-D', [37, 19], [19, 23], false, false],
    ['transposed a', [19, 37], [19, 23], true, false],
    ['transposed b', [37, 19], [23, 19], false, true],
    ['both transposed', [19, 37], [23, 19], true, true],
    ['batched 4-D', [2, 3, 65, 16], [2, 3, 16, 65], false, false],
    ['batched, transposed b (attention scores)', [2, 3, 65, 16], [2, 3, 65, 16], false, true],
    ['broadcast batch of one', [1, 33, 8], [4, 8, 5], false, false],
    ['large enough to split across threads', [300, 64], [64, 200], false, false],
    ['wide output split by columns', [20, 64], [64, 900], false, false],
  ])('matMul %s', async (_, sa, sb, ta, tb) => {
    await sameAsCpu(() => tf.matMul(rand(sa as number[], 1), rand(sb as number[], 2), ta as boolean, tb as boolean), 1e-5, 1e-5);
  });

  test('fused matMul with bias and each activation', async () => {
    for (const activation of ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const) {
      await sameAsCpu(() => tf.fused.matMul({ a: rand([9, 7], 1), b: rand([7, 5], 2), bias: rand([5], 3), activation, leakyreluAlpha: 0.1 }), 1e-5, 1e-5);
    }
  });

  test.each([
    ['one product per thread', [6, 9, 7], [6, 7, 5], false, false, [5]],
    ['rows split across threads', [300, 64], [64, 200], false, true, [1, 200]],
    ['columns split across threads', [20, 64], [64, 900], true, false, [900]],
    ['no inner dimension', [4, 0], [0, 3], false, false, [3]],
    ['a bias per row goes through Add', [300, 64], [64, 200], false, false, [300, 1]],
    ['a full bias goes through Add', [9, 7], [7, 5], false, false, [9, 5]],
    ['a scalar bias goes through Add', [9, 7], [7, 5], false, false, [1]],
  ])('fused matMul bias: %s', async (_, sa, sb, ta, tb, biasShape) => {
    const [a, b] = [rand(sa as number[], 1), rand(sb as number[], 2)];
    const [transposeA, transposeB] = [ta as boolean, tb as boolean];
    const [a2, b2] = [transposeA ? a.transpose(a.rank === 3 ? [0, 2, 1] : [1, 0]) : a, transposeB ? b.transpose() : b];
    const bias = rand(biasShape as number[], 3);
    await sameAsCpu(() => tf.fused.matMul({ a: a2, b: b2, bias, transposeA, transposeB }), 1e-5, 1e-5);
    // in the product or after it, the same float32 additions: the same bits as matMul then add on native
    const [fused, apart] = await on('native', () => [
      tf.fused.matMul({ a: a2, b: b2, bias, transposeA, transposeB }).dataSync(),
      tf.matMul(a2, b2, transposeA, transposeB).add(bias).dataSync(),
    ]);
    expect(Buffer.from(fused.buffer).equals(Buffer.from(apart.buffer))).toBe(true);
  });

  test.each([
    ['same shape', [4, 5, 6], [4, 5, 6]],
    ['scalar', [4, 5, 6], []],
    ['scalar first', [], [4, 5, 6]],
    ['bias over the last axis', [4, 5, 6], [6]],
    ['per-row column', [4, 5, 6], [4, 5, 1]],
    ['middle axis', [4, 5, 6], [1, 5, 1]],
    ['outer product', [7, 1], [1, 9]],
    ['attention mask', [2, 3, 4, 4], [2, 1, 1, 4]],
    ['large (threaded)', [64, 65, 32], [32]],
  ])('binary ops broadcast: %s', async (_, sa, sb) => {
    const a = () => rand(sa as number[], 3);
    const b = () =>
      rand(sb as number[], 4)
        .abs()
        .add(0.5);
    await sameAsCpu(() => [
      tf.add(a(), b()),
      tf.sub(a(), b()),
      tf.mul(a(), b()),
      tf.div(a(), b()),
      tf.maximum(a(), b()),
      tf.minimum(a(), b()),
      tf.squaredDifference(a(), b()),
    ]);
  });

  test('unary ops, softmax and NaN handling', async () => {
    const x = () => tf.concat([rand([70000], 5), tf.tensor1d([0, -0, NaN, Infinity, -Infinity, 1e-30])]);
    const pos = () => x().abs().add(1e-3);
    await sameAsCpu(() => [
      tf.exp(x()),
      tf.log(pos()),
      tf.sqrt(pos()),
      tf.rsqrt(pos()),
      tf.tanh(x()),
      tf.relu(x()),
      tf.neg(x()),
      tf.square(x()),
      tf.abs(x()),
      tf.sigmoid(x()),
      tf.reciprocal(pos()),
      tf.step(x(), 0.3),
    ]);
    // tfjs's cpu erf is an approximation (Abramowitz-Stegun 7.1.26, |error| < 1.5e-7); ours is libm's
    await sameAsCpu(() => tf.erf(x()), 0, 3e-7);
    await sameAsCpu(() => [
      tf.softmax(rand([6, 65, 65], 6)),
      tf.softmax(
        tf.tensor2d([
          [1000, 0, -1000],
          [1, 2, 3],
        ]),
      ),
    ]);
  });

  test('transpose, slice and split by any permutation and block', async () => {
    const x = () => rand([4, 5, 6, 7], 7);
    await sameAsCpu(() =>
      [
        [0, 2, 1, 3],
        [3, 2, 1, 0],
        [1, 0, 3, 2],
        [0, 1, 3, 2],
      ].map((perm) => tf.transpose(x(), perm)),
    );
    await sameAsCpu(() => [tf.slice(x(), [1, 0, 2, 3], [2, 5, 3, -1]), tf.slice(x(), [0, 0, 0, 0], [1, 5, 6, 7]), ...tf.split(x(), [1, 3, 2], 2)]);
  });

  test('tile, concat and pad by any repeats, axis and border', async () => {
    const x = () => rand([3, 1, 4, 2], 11);
    await sameAsCpu(() => [tf.tile(x(), [1, 5, 1, 1]), tf.tile(x(), [2, 1, 3, 2]), tf.tile(rand([1, 1, 6], 12), [64, 1, 1]), tf.tile(rand([5], 13), [3])]);
    await sameAsCpu(() => [
      tf.concat([rand([2, 1, 6], 14), rand([2, 4, 6], 15)], 1),
      tf.concat([rand([3, 2], 16), rand([3, 5], 17), rand([3, 1], 18)], -1),
      tf.concat([rand([2, 3], 19), rand([4, 3], 20)], 0),
      tf.concat([rand([2, 0], 21), rand([2, 3], 22)], 1),
    ]);
    await sameAsCpu(() => [
      tf.pad(x(), [
        [0, 0],
        [0, 4],
        [0, 0],
        [0, 0],
      ]),
      tf.pad(
        x(),
        [
          [1, 2],
          [0, 0],
          [3, 0],
          [1, 1],
        ],
        -2.5,
      ),
      tf.pad(x(), [
        [0, 0],
        [0, 0],
        [0, 0],
        [0, 0],
      ]),
      tf.pad(rand([4], 23), [[2, 3]]),
    ]);
    // the ViT's [CLS] path: tile, concat, and slice (whose gradient is a pad), with their gradients
    const f = (cls: tf.Tensor, patches: tf.Tensor) =>
      tf
        .concat([tf.tile(cls, [3, 1, 1]), patches], 1)
        .slice([0, 0, 0], [3, 1, 8])
        .square()
        .sum();
    await sameAsCpu(() => tf.grads(f)([rand([1, 1, 8], 24), rand([3, 5, 8], 25)]));
  });

  test('sum, mean, max and min over contiguous and scattered axes', async () => {
    const x = () => rand([6, 5, 4, 3], 8);
    for (const axis of [[0], [3], [1, 2], [0, 1], [0, 2], [1, 3], [0, 1, 2, 3]]) {
      await sameAsCpu(() => [tf.sum(x(), axis), tf.mean(x(), axis, true), tf.max(x(), axis), tf.min(x(), axis, true)]);
    }
    // large enough to run in parallel parts: a bias's gradient (column sums, split by rows), an odd width, rows
    const big = () => rand([4160, 193], 9).add(3);
    await sameAsCpu(() => [tf.sum(big(), 0), tf.mean(big(), 0), tf.sum(big(), 1), tf.max(big(), 0), tf.sum(big().reshape([65, 64, 193]), 1)], 1e-6, 0);
  });

  test('float32 tensors cast from bool or int32 (stored as Uint8Array/Int32Array by tfjs) are read as numbers', async () => {
    await sameAsCpu(() => {
      const mask = tf.cast(tf.equal(tf.tensor1d([1, 2, 3, 0.5]), 3), 'float32');
      const ints = tf.cast(tf.tensor1d([1, -2, 3, 4], 'int32'), 'float32');
      return [tf.mul(tf.tensor1d([2]), mask), tf.add(ints, mask), tf.matMul(ints.reshape([2, 2]), mask.reshape([2, 2])), tf.exp(mask)];
    });
  });

  test("segment sums (an embedding's gradient) in one pass: the cpu kernel's result, ids out of range dropped", async () => {
    const ids = (n: number, k: number) =>
      tf.tensor1d(
        Array.from({ length: n }, (_, i) => (i * 7 + 3) % k),
        'int32',
      );
    await sameAsCpu(() => [
      tf.unsortedSegmentSum(rand([40, 6], 1), ids(40, 9), 9),
      tf.unsortedSegmentSum(rand([12, 3, 2], 2), ids(12, 5), 5),
      tf.unsortedSegmentSum(rand([5], 3), tf.tensor1d([0, 2, -1, 7, 2], 'int32'), 4),
      tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([1, 1, 0], 'int32'), 2),
    ]);
    // the gradient of an embedding lookup, through gather's gradient
    await sameAsCpu(() =>
      tf.grad((w: tf.Tensor) =>
        tf
          .gather(
            w,
            tf.tensor2d(
              [
                [1, 4, 4],
                [0, 9, 1],
              ],
              undefined,
              'int32',
            ),
          )
          .square()
          .sum(),
      )(rand([10, 8], 4)),
    );
  });

  test('reductions over every axis (axis null)', async () => {
    await sameAsCpu(() => [tf.sum(rand([3, 4], 1)), tf.max(rand([3, 4], 2)), tf.mean(rand([3, 4], 3)), tf.min(rand([3, 4], 4))]);
  });

  test('int32 tensors take the cpu kernels', async () => {
    await sameAsCpu(() => {
      const a = tf.tensor2d(
        [
          [1, 2],
          [3, 4],
        ],
        undefined,
        'int32',
      );
      return [tf.add(a, a), tf.matMul(a, a), tf.transpose(a), tf.sum(a, 0), tf.slice(a, [1, 0], [1, 2])];
    });
  });

  test('the gradients of every replaced kernel equal the cpu backend', async () => {
    const f = (x: tf.Tensor, w: tf.Tensor) =>
      tf
        .softmax(tf.matMul(x.transpose([0, 2, 1]).reshape([12, 5]).slice([1, 0], [10, 5]), w, false, true).div(tf.sqrt(w.square().sum().add(1))))
        .mul(
          tf
            .erf(x.reshape([10, 6]).slice([0, 0], [10, 4]))
            .exp()
            .sum(1, true)
            .sigmoid(),
        )
        .sub(tf.tanh(w.mean(1).max()))
        .relu()
        .sum();
    await sameAsCpu(() => tf.grads(f)([rand([2, 5, 6], 9), rand([4, 5], 10)]), 1e-5, 1e-6);
  });

  test('fused GELU and LayerNorm match the composite ops, forward and backward', async () => {
    const run = (fused: boolean) => {
      const x = rand([3, 7, 16], 11).mul(2);
      const gamma = rand([16], 12);
      const beta = rand([16], 13);
      const upstream = rand([3, 7, 16], 14);
      const layerNorm = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        if (fused) return tf.engine().runKernel(FUSED_LAYER_NORM, { x, gamma: g, beta: b }, { eps: 1e-5 }) as tf.Tensor;
        const { mean, variance } = tf.moments(x, -1, true);
        return x
          .sub(mean)
          .mul(tf.rsqrt(variance.add(1e-5)))
          .mul(g)
          .add(b);
      };
      const gelu = (x: tf.Tensor) => (fused ? (tf.engine().runKernel(FUSED_GELU, { x }) as tf.Tensor) : x.mul(0.5).mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)));
      const loss = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
        gelu(layerNorm(x, g, b))
          .mul(upstream)
          .sum();
      return [gelu(x), layerNorm(x, gamma, beta), ...tf.grads(loss)([x, gamma, beta])].map((t) => Array.from(t.dataSync()));
    };
    const composite = await on('cpu', () => run(false));
    const fused = await on('native', () => run(true));
    fused.forEach((values, i) => expectClose(values, composite[i], 1e-5, 2e-6));
  });

  test.each([
    ['attention scores, scaled', [2, 3, 65, 65], 0.125],
    ['odd rows, unscaled', [5, 7], 1],
    ['one column, scaled', [9, 1], 3],
    ['large enough to split across threads, scaled', [8, 3, 65, 65], 0.125],
  ])('fused softmax (%s): the bits of x.mul(scale) then softmax on native, and the cpu backend, forward and backward', async (_, shape, scale) => {
    const run = (fused: boolean) => {
      const x = rand(shape as number[], 21).mul(4);
      const upstream = rand(shape as number[], 22);
      const f = (x: tf.Tensor) => (fused ? (tf.engine().runKernel(FUSED_SOFTMAX, { logits: x }, { scale }) as tf.Tensor) : tf.softmax(x.mul(scale as number)));
      const loss = (x: tf.Tensor) => f(x).mul(upstream).sum();
      return [f(x), tf.grad(loss)(x)].map((t) => Array.from(t.dataSync()));
    };
    const cpu = await on('cpu', () => run(false));
    const composite = await on('native', () => run(false));
    const fused = await on('native', () => run(true));
    fused.forEach((values, i) => expectSameBits(values, composite[i]));
    fused.forEach((values, i) => expectClose(values, cpu[i], 1e-5, 1e-7));
  });

  test.each([
    ['small', [37, 19], [19, 23]],
    ['large enough to split across threads', [300, 64], [64, 200]],
    ['wide output split by columns', [20, 64], [64, 900]],
  ])('fused linear (%s): the bits of matMul then add on native, and the cpu backend, forward and backward', async (_, sx, sw) => {
    const run = (fused: boolean) => {
      const x = rand(sx, 31);
      const w = rand(sw, 32);
      const b = rand([sw[1]], 33);
      const upstream = rand([sx[0], sw[1]], 34);
      const f = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
        fused ? (tf.engine().runKernel(FUSED_LINEAR, { x, weight: w, bias: b }) as tf.Tensor) : tf.matMul(x, w).add(b);
      const loss = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => f(x, w, b).mul(upstream).sum();
      return [f(x, w, b), ...tf.grads(loss)([x, w, b])].map((t) => Array.from(t.dataSync()));
    };
    const cpu = await on('cpu', () => run(false));
    const composite = await on('native', () => run(false));
    const fused = await on('native', () => run(true));
    fused.forEach((values, i) => expectSameBits(values, composite[i]));
    // Against float64 products on the host, within float32's bound for a sum of K products (Higham, eq. 3.5): a fixed
    // 1e-5 against cpu failed where cancellation left an output small beside its terms, as the BLAS kernel changed.
    const [x, w, b, upstream] = await on('cpu', () =>
      [rand(sx, 31), rand(sw, 32), rand([sw[1]], 33), rand([sx[0], sw[1]], 34)].map((t) => Array.from(t.dataSync())),
    );
    const [m, k, n] = [sx[0], sx[1], sw[1]];
    const references = linearReference(x, w, b, upstream, m, k, n);
    for (const result of [fused, cpu]) result.forEach((values, i) => expectWithinBound(values, references[i]));
    await tf.setBackend('native');
    expect(() => tf.engine().runKernel(FUSED_LINEAR, { x: tf.zeros([2, 3]), weight: tf.zeros([3, 4]), bias: tf.zeros([3]) })).toThrow(/bias \[N\]/);
  });

  test.each([
    ['the sum used again (a pre-LN residual stream)', true],
    ['the sum unused (a post-LN layer)', false],
  ])('fused residual add + LayerNorm, %s: the bits of Add then LayerNorm on native, and the cpu backend, forward and backward', async (_, reuse) => {
    const run = (fused: boolean) => {
      const [a, r] = [rand([16, 65, 48], 41), rand([16, 65, 48], 42)];
      const [gamma, beta] = [rand([48], 43), rand([48], 44)];
      const [up1, up2] = [rand([16, 65, 48], 45), rand([16, 65, 48], 46)];
      const layerNorm = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
        tf.engine().runKernel(FUSED_LAYER_NORM, { x, gamma: g, beta: b }, { eps: 1e-5 }) as tf.Tensor;
      const addNorm = (a: tf.Tensor, r: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        if (fused) return tf.engine().runKernel(FUSED_ADD_LAYER_NORM, { a, r, gamma: g, beta: b }, { eps: 1e-5 }) as tf.Tensor[];
        const sum = a.add(r);
        return [sum, layerNorm(sum, g, b)];
      };
      const loss = (a: tf.Tensor, r: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const [sum, normed] = addNorm(a, r, g, b);
        const y = normed.mul(up1).sum();
        return reuse ? y.add(sum.mul(up2).sum()) : y;
      };
      return [...addNorm(a, r, gamma, beta), ...tf.grads(loss)([a, r, gamma, beta])].map((t) => Array.from(t.dataSync()));
    };
    const composite = await on('native', () => run(false));
    const fused = await on('native', () => run(true));
    fused.forEach((values, i) => expectSameBits(values, composite[i]));
    // the cpu backend has no fused LayerNorm: its composite ops are the independent reference
    const cpu = await on('cpu', () => {
      const [a, r] = [rand([16, 65, 48], 41), rand([16, 65, 48], 42)];
      const [gamma, beta] = [rand([48], 43), rand([48], 44)];
      const sum = a.add(r);
      const { mean, variance } = tf.moments(sum, -1, true);
      return Array.from(
        sum
          .sub(mean)
          .mul(tf.rsqrt(variance.add(1e-5)))
          .mul(gamma)
          .add(beta)
          .dataSync(),
      );
    });
    expectClose(fused[1], cpu, 1e-5, 2e-6);
  });

  test.each([
    ['three heads, as ViT-Tiny', 4, 65, 65, 3, 16],
    ['one head', 2, 9, 9, 1, 8],
    ['keys longer than queries, odd sizes', 3, 7, 11, 5, 3],
    ['many heads, enough products to share between threads', 8, 33, 33, 12, 8],
  ])('attention by heads on the [B, T, H d] layout (%s): the bits of transpose + matMul, forward and backward', async (_, b, t, s, h, d) => {
    const run = (fused: boolean) => {
      const q = rand([b, t, h * d], 51);
      const [k, v] = [rand([b, s, h * d], 52), rand([b, s, h * d], 53)];
      const up = rand([b, t, h * d], 54);
      const pT = tf.softmax(rand([b, h, s, t], 55)); // a second P, read transposed
      const heads = (y: tf.Tensor, n: number) => y.reshape([b, n, h, d]).transpose([0, 2, 1, 3]);
      const merge = (y: tf.Tensor, n: number) => y.transpose([0, 2, 1, 3]).reshape([b, n, h * d]);
      const scores = (q: tf.Tensor, k: tf.Tensor) =>
        fused ? (tf.engine().runKernel(FUSED_HEAD_SCORES, { q, k }, { heads: h }) as tf.Tensor) : tf.matMul(heads(q, t), heads(k, s), false, true);
      const context = (p: tf.Tensor, v: tf.Tensor, transposeP: boolean) =>
        fused ? (tf.engine().runKernel(FUSED_HEAD_CONTEXT, { p, v }, { transposeP }) as tf.Tensor) : merge(tf.matMul(p, heads(v, s), transposeP, false), t);
      const loss = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, pT: tf.Tensor) =>
        context(tf.softmax(scores(q, k)), v, false)
          .add(context(pT, v, true))
          .mul(up)
          .sum();
      return [scores(q, k), context(pT, v, true), ...tf.grads(loss)([q, k, v, pT])].map((y) => Array.from(y.dataSync()));
    };
    const composite = await on('native', () => run(false));
    const fused = await on('native', () => run(true));
    fused.forEach((values, i) => expectSameBits(values, composite[i]));
    const cpu = await on('cpu', () => run(false));
    fused.forEach((values, i) => expectClose(values, cpu[i], 1e-5, 1e-5));
  });

  test('attention by heads refuses shapes that are not [B, T, H d]', async () => {
    await tf.setBackend('native');
    const q = tf.zeros([2, 5, 12]);
    expect(() => tf.engine().runKernel(FUSED_HEAD_SCORES, { q, k: tf.zeros([2, 5, 12]) }, { heads: 5 })).toThrow(/EbtHeadScores: .*H = 5/);
    expect(() => tf.engine().runKernel(FUSED_HEAD_CONTEXT, { p: tf.zeros([2, 3, 5, 4]), v: q }, { transposeP: false })).toThrow(/EbtHeadContext/);
    const { addon } = loadAddon() as { addon: NativeAddon };
    // a layout that reaches past the end of a buffer is refused by the addon itself
    const layout = Int32Array.of(60, 4, 12, 60, 4, 12, 75, 25, 5);
    expect(() => addon.headMatMul(new Float32Array(100), new Float32Array(120), new Float32Array(150), 2, 3, 5, 5, 4, false, true, layout)).toThrow(
      /headMatMul/,
    );
  });

  test('fused gradients agree with central differences (float64 maths on the host)', async () => {
    await tf.setBackend('native');
    const x0 = [-2.5, -0.7, 0, 0.3, 1.1, 3];
    const gelu = (v: number) => 0.5 * v * (1 + erf(v / Math.SQRT2));
    const dGelu = tf.tidy(() =>
      Array.from(
        tf
          .grad((x: tf.Tensor) => tf.engine().runKernel(FUSED_GELU, { x }) as tf.Tensor)(tf.tensor1d(x0))
          .dataSync(),
      ),
    );
    x0.forEach((v, i) => expect(dGelu[i]).toBeCloseTo((gelu(v + 1e-4) - gelu(v - 1e-4)) / 2e-4, 4));

    const gamma = [0.5, -1, 2, 1.5, 0.25, -0.75];
    const w = [1, 2, -1, 0.5, 3, -2];
    const ln = (x: number[]) => {
      const mean = x.reduce((s, v) => s + v, 0) / x.length;
      const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length;
      return x.reduce((s, v, j) => s + w[j] * (((v - mean) / Math.sqrt(variance + 1e-5)) * gamma[j]), 0);
    };
    const dLn = tf.tidy(() =>
      Array.from(
        tf
          .grad((x: tf.Tensor) =>
            (tf.engine().runKernel(FUSED_LAYER_NORM, { x, gamma: tf.tensor1d(gamma), beta: tf.zeros([6]) }, { eps: 1e-5 }) as tf.Tensor)
              .mul(tf.tensor1d(w))
              .sum(),
          )(tf.tensor2d([x0]))
          .dataSync(),
      ),
    );
    x0.forEach((_, i) => {
      const up = x0.map((v, j) => (j === i ? v + 1e-5 : v));
      const down = x0.map((v, j) => (j === i ? v - 1e-5 : v));
      expect(dLn[i]).toBeCloseTo((ln(up) - ln(down)) / 2e-5, 3);
    });
  });

  test('parallel parts run in any order but add up in one: the same bits on every call', async () => {
    await tf.setBackend('native');
    const run = () =>
      tf.tidy(() => {
        const x = rand([4160, 192], 31);
        const loss = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
          (tf.engine().runKernel(FUSED_LAYER_NORM, { x, gamma: g, beta: b }, { eps: 1e-5 }) as tf.Tensor).mul(rand([4160, 192], 32)).sum();
        return [...tf.grads(loss)([x, rand([192], 33), rand([192], 34)]), tf.sum(x, 0)].map((t) => Array.from(t.dataSync()));
      });
    const first = run();
    for (let i = 0; i < 4; i++) expect(run()).toEqual(first);
  });

  test('the fused Adam step equals the composite update', async () => {
    const hyper = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, bc1: 1 - 0.9 ** 3, bc2: 1 - 0.999 ** 3, weightDecay: 0.01 };
    for (const decoupled of [false, true]) {
      const composite = await on('cpu', () => {
        const [p, m, v] = [rand([50], 1), rand([50], 2).mul(0.1), rand([50], 3).square()];
        let g = rand([50], 4);
        if (!decoupled) g = g.add(p.mul(hyper.weightDecay));
        const m2 = m.mul(hyper.beta1).add(g.mul(1 - hyper.beta1));
        const v2 = v.mul(hyper.beta2).add(g.square().mul(1 - hyper.beta2));
        let next = p.sub(m2.div(v2.sqrt().div(Math.sqrt(hyper.bc2)).add(hyper.eps)).mul(hyper.lr / hyper.bc1));
        if (decoupled) next = next.sub(p.mul(hyper.lr * hyper.weightDecay));
        return [next, m2, v2].map((t) => Array.from(t.dataSync()));
      });
      const fused = await on('native', () =>
        (
          tf
            .engine()
            .runKernel(
              FUSED_ADAM_STEP,
              { param: rand([50], 1), grad: rand([50], 4), m: rand([50], 2).mul(0.1), v: rand([50], 3).square() },
              { ...hyper, decoupled },
            ) as tf.Tensor[]
        ).map((t) => Array.from(t.dataSync())),
      );
      fused.forEach((values, i) => expectClose(values, composite[i], 1e-5, 1e-7));
    }
  });

  test('the multi-tensor Adam step gives the bits of one fused step per tensor', async () => {
    const hyper = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, bc1: 1 - 0.9 ** 5, bc2: 1 - 0.999 ** 5 };
    // sizes across the 16,384-element chunks, a scalar, and tensors too small for a parallel region of their own
    const shapes = [[1], [7], [192], [192, 192], [16385], [3, 37, 41], [384, 192]];
    const weightDecays = shapes.map((_, i) => (i % 3 === 0 ? 0 : 0.05 * i));
    for (const decoupled of [false, true]) {
      await tf.setBackend('native');
      const tensors = shapes.map((shape, i) => [
        rand(shape, 10 * i + 1),
        rand(shape, 10 * i + 2),
        rand(shape, 10 * i + 3).mul(0.1),
        rand(shape, 10 * i + 4).square(),
      ]);
      const one = tensors.flatMap(
        ([param, grad, m, v], i) =>
          tf.engine().runKernel(FUSED_ADAM_STEP, { param, grad, m, v }, { ...hyper, weightDecay: weightDecays[i], decoupled }) as tf.Tensor[],
      );
      const inputs = Object.fromEntries(tensors.flatMap((t, i) => ['param', 'grad', 'm', 'v'].map((name, k) => [`${name}${i}`, t[k]])));
      const all = tf.engine().runKernel(FUSED_ADAM_STEPS, inputs, { ...hyper, weightDecays, decoupled }) as tf.Tensor[];
      expect(all.map((t) => t.shape)).toEqual(one.map((t) => t.shape));
      all.forEach((t, i) => expectSameBits(Array.from(t.dataSync()), Array.from(one[i].dataSync())));
      tf.dispose([...tensors.flat(), ...one, ...all]);
    }
  });

  test('recycled buffers never overwrite an array the user holds, nor a live view', async () => {
    await tf.setBackend('native');
    const read = tf.tidy(() => tf.add(tf.ones([1000]), 1));
    const held = read.dataSync(); // the backend's own array
    read.dispose();
    const view = tf.tidy(() => tf.add(tf.ones([2, 500]), 2).slice([1, 0], [1, 500]));
    for (let i = 0; i < 5; i++) tf.tidy(() => tf.add(tf.zeros([1000]), 7).dataSync());
    expect(Array.from(held.slice(0, 3))).toEqual([2, 2, 2]);
    expect(Array.from(view.dataSync().slice(0, 3))).toEqual([3, 3, 3]);
    view.dispose();
    const backend = tf.backend() as NativeBackend;
    expect(backend.pool.bytes).toBeGreaterThan(0);
  });

  test('a step leaks no tensors', async () => {
    await tf.setBackend('native');
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.dispose(tf.tidy(() => tf.grads((a: tf.Tensor) => tf.softmax(tf.matMul(a, a, false, true)).sum())([rand([8, 4], i + 1)])));
    expect(tf.memory().numTensors).toBe(before);
  });

  test('the addon refuses buffers that do not match the shapes', () => {
    const { addon } = loadAddon() as { addon: import('./addon').NativeAddon };
    expect(() => addon.matMul(new Float32Array(4), new Float32Array(4), new Float32Array(4), 1, 1, 3, 2, 2, false, false)).toThrow(/buffer sizes/);
    expect(() => addon.transpose(new Float32Array(4), new Float32Array(6), Int32Array.from([2, 3]), Int32Array.from([3, 1]))).toThrow(/buffer sizes/);
  });
});

describe('without the addon', () => {
  test('a missing or broken addon file gives the reason, instead of throwing', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-addon-'));
    expect(readAddon(path.join(dir, 'ebt_native.node'))).toEqual({
      reason: expect.stringMatching(/^the native addon was not built.*npm rebuild @ebt\/backend-native/),
    });
    fs.writeFileSync(path.join(dir, 'ebt_native.node'), 'not a shared object');
    expect(readAddon(path.join(dir, 'ebt_native.node'))).toEqual({ reason: expect.stringMatching(/^the native addon does not load \(.+\)$/) });
  });

  test('registration reports what loading the addon found', () => {
    expect(registerNativeBackend()).toEqual(built ? { ok: true } : { ok: false, reason: expect.stringMatching(/native addon/) });
  });
});

/** erf to double precision (Abramowitz-Stegun 7.1.28 is too coarse for a finite-difference reference) */
function erf(x: number): number {
  // series for |x| < 3, continued fraction beyond
  const t = Math.abs(x);
  let sum = t;
  let term = t;
  for (let n = 1; n < 200; n++) {
    term *= (-t * t) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17) break;
  }
  return Math.sign(x) * ((2 / Math.sqrt(Math.PI)) * sum);
}

/**
 * The shapes of `ebt bench train-step` are the models they are named for: parameter counts as Hugging Face
 * publishes them (bert-base-uncased with a 2-label head: 109,483,778; google/vit-base-patch16-224: 86,567,656
 * with its 1,000 classes, so 86,567,656 - 990 x 769 with 10), and the step's FLOPs three forward passes.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { countFlops, countParameters } from '@ebt/pruning';

const bench = require(path.resolve(__dirname, '../../../tools/bench/train-step.ts')) as typeof import('../../../tools/bench/train-step');

test.each([
  ['bert-base', 109_483_778, 32],
  ['vit-base', 86_567_656 - 990 * 769, 64],
  ['vit-tiny', null, 64],
] as const)('%s has the parameters of its namesake and the batch the issue names', (shape, parameters, batch) => {
  const config = bench.SHAPES[shape].config();
  if (parameters !== null) expect(countParameters(config)).toBe(parameters);
  expect(bench.SHAPES[shape].batch).toBe(batch);
});

test('a step counts three forward passes of the batch', () => {
  const config = bench.SHAPES['bert-base'].config();
  const model = { config } as Parameters<typeof bench.stepFlops>[0];
  expect(bench.stepFlops(model, 32, 128)).toBe(3 * 32 * countFlops(config, 128));
  // BERT-base at 128 tokens, by hand: 2 x 128 x 85M encoder weights + 12 layers x 2 x 2 x 128^2 x 768 = 22.35 GFLOP
  expect(countFlops(config, 128) / 1e9).toBeCloseTo(22.4, 0);
});

describe("the train-step bench's matrix-product bound", () => {
  const bound = require(path.resolve(__dirname, '../../../tools/bench/product-bound.ts')) as typeof import('../../../tools/bench/product-bound');

  test('records every product of a step as the kernels see it (shapes after transposes, counts) and sums their FLOPs', async () => {
    const tf = await import('@tensorflow/tfjs');
    const { initBackend } = await import('@ebt/backend');
    await initBackend({ backend: 'cpu', log: null });
    const a = tf.ones([2, 3]);
    const b = tf.ones([4, 3]);
    const x = tf.ones([5, 6, 7]);
    const step = async () => {
      for (let i = 0; i < 2; i++) tf.dispose(tf.matMul(a, b, false, true)); // [2,3] @ [3,4], twice
      tf.dispose(tf.matMul(x, x, true, false)); // 5 x [7,6] @ [6,7]
    };
    const products = await bound.recordProducts(step);
    expect(products.map(({ batch, m, k, n, count }) => [batch, m, k, n, count])).toEqual([
      [1, 2, 3, 4, 2],
      [5, 7, 6, 7, 1],
    ]);
    const r = await bound.productBound(products, 1);
    expect(r.gflop).toBeCloseTo((2 * (2 * 3 * 4 * 2) + 2 * 5 * 7 * 6 * 7) / 1e9, 15);
    expect(r.ms).toBeGreaterThan(0);
    // the kernels are restored: a product after recording is not counted anywhere
    expect(tf.matMul(a, b, false, true).shape).toEqual([2, 4]);
  });

  test("the native backend's fused products (linear, attention by heads) count the FLOPs of the cpu backend's matMuls", async () => {
    const tf = await import('@tensorflow/tfjs');
    const { initBackend } = await import('@ebt/backend');
    const { Initializer, SelfAttention } = await import('@ebt/models');
    const flops = async (backend: string) => {
      await initBackend({ backend, log: null });
      const attention = new SelfAttention(12, 3, 4, new Initializer(1, 0.02));
      const x = tf.randomNormal([2, 5, 12], 0, 1, 'float32', 2) as import('@tensorflow/tfjs').Tensor3D;
      const params = attention.namedParameters().map(([, v]) => v);
      const step = async () => tf.dispose(tf.variableGrads(() => attention.forward(x, null).square().sum() as import('@tensorflow/tfjs').Scalar, params));
      const products = await bound.recordProducts(step);
      return { kernels: new Set(products.map((p) => p.kernel)), flops: products.reduce((s, p) => s + 2 * p.batch * p.m * p.k * p.n * p.count, 0) };
    };
    const cpu = await flops('cpu');
    const native = await flops('native');
    expect([...native.kernels]).toEqual(expect.arrayContaining(['EbtLinear', 'EbtHeadScores', 'EbtHeadContext']));
    expect(native.flops).toBe(cpu.flops);
    expect(cpu.flops).toBeGreaterThan(0);
  });
});

test('the timed steps are split into rounds, each followed by the bound and an untimed step, and the ratio is the median round', async () => {
  const tf = await import('@tensorflow/tfjs');
  const { initBackend } = await import('@ebt/backend');
  await initBackend({ backend: 'cpu', log: null });
  const a = tf.ones([64, 64]);
  const products = [{ kernel: tf.BatchMatMul, batch: 1, m: 64, k: 64, n: 64, transposeA: false, transposeB: false, count: 1 }];
  let calls = 0;
  const step = async () => {
    calls++;
    tf.dispose(tf.matMul(a, a));
  };
  const r = await bench.boundRounds(step, products, 7, 3);
  expect([calls, r.bound.rounds, r.bound.products]).toEqual([7 + 3, 3, 1]);
  expect(r.bound.roundRatios).toHaveLength(3);
  expect(r.boundRatio).toBe([...r.bound.roundRatios].sort((x, y) => x - y)[1]);
  const even = await bench.boundRounds(step, products, 4, 4);
  expect(even.boundRatio).toBe([...even.bound.roundRatios].sort((x, y) => x - y)[2]); // the higher middle one
  calls = 0;
  expect((await bench.boundRounds(step, products, 2, 10)).bound.rounds).toBe(2); // never more rounds than steps
  expect(calls).toBe(2 + 2);
  a.dispose();
});

describe("the train-step bench's per-kernel breakdown", () => {
  const breakdown = require(path.resolve(__dirname, '../../../tools/bench/step-breakdown.ts')) as typeof import('../../../tools/bench/step-breakdown');

  test("counts the kernel calls tfjs's profiler sees, splits their time into products and the rest, and puts the kernels back", async () => {
    const tf = await import('@tensorflow/tfjs');
    const { initBackend } = await import('@ebt/backend');
    await initBackend({ backend: 'cpu', log: null });
    const a = tf.randomNormal([256, 256], 0, 1, 'float32', 1);
    const w = tf.variable(tf.randomNormal([256, 256], 0, 1, 'float32', 2));
    const step = async () => tf.dispose(tf.variableGrads(() => tf.matMul(a, w).relu().sum() as import('@tensorflow/tfjs').Scalar, [w]));
    await step();
    const matMul = tf.getKernel(tf.BatchMatMul, 'cpu');
    const profiled = await tf.profile(step);
    const b = await breakdown.stepBreakdown(step);
    expect(b.kernelCalls).toBe(profiled.kernels.length);
    // which part is larger is a timing, and on a machine running other suites it is scheduler noise (CI saw the
    // other kernels' fastest of five steps at 124 ms against the products' 118): only the parts' accounting is tested
    expect(b.productsMs).toBeGreaterThan(0);
    expect(b.otherKernelsMs).toBeGreaterThan(0);
    expect(b.productsMs + b.otherKernelsMs).toBeLessThanOrEqual(b.ms);
    expect(b.outsideKernelsMs).toBeCloseTo(b.ms - b.productsMs - b.otherKernelsMs, 9);
    expect(tf.getKernel(tf.BatchMatMul, 'cpu')).toBe(matMul);
    tf.dispose([a, w]);
  });
});

describe('the criteria cost benchmark (npx ebt bench criteria --online)', () => {
  const cost = require(path.resolve(__dirname, '../../../tools/bench/criteria-cost.ts')) as typeof import('../../../tools/bench/criteria-cost');

  test("watches both criteria at the study's pairs, and each epoch's share is its per-step cost over the training step", async () => {
    await tf.setBackend('cpu');
    const r = await cost.benchCriteriaCost({ backend: 'cpu', epochs: 2, stepsPerEpoch: 40, stepSamples: 1, batch: 2 });
    expect(r.watches).toEqual(['mask-distance@0.3:0.3', 'nuclear-stationarity@0.3:0.3', 'mask-distance@0.8:0.8', 'nuclear-stationarity@0.8:0.8']);
    expect(r.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    for (const e of r.epochs) {
      expect(e.perStepMs).toBeGreaterThan(0);
      expect(e.share).toBeCloseTo(e.perStepMs / r.stepMs, 12);
      // the epoch end's writes are part of the per-step cost, spread over the epoch's steps
      expect(e.perStepMs * 40).toBeGreaterThanOrEqual(e.epochEnd.detectionsMs + e.epochEnd.trajectoryMs + e.epochEnd.checkpointMs);
    }
    expect(r.growth).toBeCloseTo(r.epochs[1].share / r.epochs[0].share, 12);
    expect(r.meetsTarget).toBe(Math.max(...r.epochs.map((e) => e.share)) <= 0.1);
  }, 300_000);
});

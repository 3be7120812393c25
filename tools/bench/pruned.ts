/**
 * Do pruned models pay off? A ViT-Tiny-shaped model and the same model physically pruned two ways (heads 1/3
 * layerwise + FFN 40% global; heads 80% + FFN 80% global, which leaves 1-head layers and odd FFN widths), the
 * training step and the forward pass of each on the current backend (or the forward pass in onnxruntime with
 * runtime 'onnx'). efficiency = (speedup - 1) / (1 / flopRatio - 1): 1 when time falls as FLOPs do.
 * Run: npx ebt bench pruned --json [--runtime onnx]
 */
import * as tf from '@tensorflow/tfjs';
import { maskFromCoefficients, MaskScope } from '@ebt/eb-criteria';
import { headsPerLayer, intermediateSizes, ViTForImageClassification } from '@ebt/models';
import { toOnnx } from '@ebt/onnx';
import { countFlops, pruneModel } from '@ebt/pruning';
import { mulberry32 } from './random';
import { StepBreakdown, stepBreakdown } from './step-breakdown';
import { trainStep, vitTinyConfig } from './train-step';
import { timeInRounds } from './timing';

export const PRUNE_CASES: ReadonlyArray<{ name: string; heads: [number, MaskScope]; ffn: [number, MaskScope] }> = [
  { name: 'heads 1/3 layerwise, FFN 40% global', heads: [1 / 3, 'layerwise'], ffn: [0.4, 'global'] },
  { name: 'heads 80% global, FFN 80% global', heads: [0.8, 'global'], ffn: [0.8, 'global'] },
];

export interface Timing {
  ms: number;
  speedup: number;
  efficiency: number;
}

export interface PrunedBench {
  backend: string;
  runtime: 'tfjs' | 'onnx';
  rounds: number;
  /** one more training step of each model with every kernel call timed (null in onnxruntime) */
  dense: { trainMs: number | null; forwardMs: number; flops: number; trainBreakdown: StepBreakdown | null };
  cases: Array<{
    name: string;
    heads: number[];
    intermediateSizes: number[];
    flopRatio: number;
    /** the training step (null in onnxruntime, which only runs the forward pass) */
    speedup: number | null;
    efficiency: number | null;
    train: Timing | null;
    forward: Timing;
    trainBreakdown: StepBreakdown | null;
    /** the efficiency of the training step's product kernels alone: how well what FLOPs count falls with them */
    productsEfficiency: number | null;
  }>;
}

const efficiency = (speedup: number, flopRatio: number) => (speedup - 1) / (1 / flopRatio - 1);

/** The dense ViT-Tiny-shaped model and its PRUNE_CASES, pruned by seeded random coefficients. */
export function benchModels(): ViTForImageClassification[] {
  const dense = new ViTForImageClassification(vitTinyConfig(), { seed: 0 });
  const rand = mulberry32(7);
  const coefficients = (sizes: number[]) => sizes.map((n) => Float64Array.from({ length: n }, rand));
  const headCoefficients = coefficients(headsPerLayer(dense.config));
  const ffnCoefficients = coefficients(intermediateSizes(dense.config));
  const models = [dense];
  for (const c of PRUNE_CASES) {
    const masks = { heads: maskFromCoefficients(headCoefficients, ...c.heads), ffn: maskFromCoefficients(ffnCoefficients, ...c.ffn) };
    models.push(pruneModel(dense, masks).model as ViTForImageClassification);
  }
  return models;
}

export async function benchPruned(options: { rounds?: number; runtime?: 'tfjs' | 'onnx' } = {}): Promise<PrunedBench> {
  const rounds = options.rounds ?? 5;
  const runtime = options.runtime ?? 'tfjs';
  const models = benchModels();
  const flops = models.map((m) => countFlops(m.config));

  let trainMs: number[] | null = null;
  let forwardMs: number[];
  let breakdowns: StepBreakdown[] | null = null;
  if (runtime === 'onnx') {
    forwardMs = await onnxForward(models, rounds);
  } else {
    const steps = models.map((m) => trainStep(m));
    trainMs = await timeInRounds(
      steps.map((s) => s.step),
      rounds,
    );
    forwardMs = await timeInRounds(
      steps.map((s) => s.forward),
      rounds,
    );
    breakdowns = [];
    for (const s of steps) breakdowns.push(await stepBreakdown(s.step));
    steps.forEach((s) => s.dispose());
  }
  const timing = (ms: number[], i: number): Timing => {
    const speedup = ms[0] / ms[i];
    return { ms: ms[i], speedup, efficiency: efficiency(speedup, flops[i] / flops[0]) };
  };
  const cases = PRUNE_CASES.map((c, k) => {
    const i = k + 1;
    const train = trainMs ? timing(trainMs, i) : null;
    return {
      name: c.name,
      heads: headsPerLayer(models[i].config),
      intermediateSizes: intermediateSizes(models[i].config),
      flopRatio: flops[i] / flops[0],
      speedup: train?.speedup ?? null,
      efficiency: train?.efficiency ?? null,
      train,
      forward: timing(forwardMs, i),
      trainBreakdown: breakdowns?.[i] ?? null,
      productsEfficiency: breakdowns ? efficiency(breakdowns[0].productsMs / breakdowns[i].productsMs, flops[i] / flops[0]) : null,
    };
  });
  models.forEach((m) => m.dispose());
  return {
    backend: runtime === 'onnx' ? 'onnxruntime-node (cpu)' : tf.getBackend(),
    runtime,
    rounds,
    dense: { trainMs: trainMs?.[0] ?? null, forwardMs: forwardMs[0], flops: flops[0], trainBreakdown: breakdowns?.[0] ?? null },
    cases,
  };
}

/** The forward pass of each model exported to ONNX, in onnxruntime-node's CPU provider. */
async function onnxForward(models: ViTForImageClassification[], rounds: number): Promise<number[]> {
  const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
  const pixels = new ort.Tensor(
    'float32',
    tf.tidy(() => tf.randomNormal([64, 3, 32, 32], 0, 1, 'float32', 1).dataSync() as Float32Array),
    [64, 3, 32, 32],
  );
  const sessions = await Promise.all(models.map(async (m) => ort.InferenceSession.create(await toOnnx(m))));
  const ms = await timeInRounds(
    sessions.map((s) => () => s.run({ pixel_values: pixels })),
    rounds,
  );
  await Promise.all(sessions.map((s) => s.release()));
  return ms;
}

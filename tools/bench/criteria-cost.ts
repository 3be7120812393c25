/**
 * What the online criteria cost a training step (issue 31 item 7): the Fashion-MNIST study's run - the preset's
 * small ViT (4 layers of 4 heads, FFN 128; 28x28 images, batch 64, slimming on) with both criteria watching at the
 * study's two ratio pairs, its windows, every step recorded - measured in its parts, epoch by epoch:
 * - the training step itself (Adam on one fixed batch, its median over `stepSamples` steps);
 * - per step: the early-bird callback's onStep (the coefficients to every watch) and the trajectory's record;
 * - per epoch end, spread over its steps: detections.json and trajectory.arrow written, the criteria's state
 *   serialised as a checkpoint holds it.
 * The coefficients are a random walk that never settles, so no criterion draws and stops testing: the worst case.
 * Target: at most 10% of the step, in the last epoch as in the first. Run: npx ebt bench criteria --online --json
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { earlyBirdCallback, runCriteria, SEED_RATIOS } from '@ebt/experiment';
import { parseConfig, ViTConfig, ViTForImageClassification } from '@ebt/models';
import { PRESETS } from '@ebt/pretrain';
import { Trajectory } from '@ebt/slimming';
import { mulberry32, normals } from './random';
import { trainStep } from './train-step';
import { elapsedMs, timeInRounds } from './timing';

export const CRITERIA_COST_TARGET = 0.1;

export interface CriteriaCostBench {
  backend: string;
  /** the watches: each criterion at each ratio pair */
  watches: string[];
  stepsPerEpoch: number;
  /** the training step's median, ms */
  stepMs: number;
  epochs: Array<{
    epoch: number;
    perStepMs: number;
    /** the epoch end's writes, ms: detections.json, trajectory.arrow, the criteria's checkpoint state */
    epochEnd: { detectionsMs: number; trajectoryMs: number; checkpointMs: number };
    share: number;
  }>;
  /** the last epoch's share over the first's */
  growth: number;
  target: number;
  meetsTarget: boolean;
}

export async function benchCriteriaCost(o: {
  backend: string;
  epochs?: number;
  stepsPerEpoch?: number;
  stepSamples?: number;
  /** examples per training step (default: the preset's 64) */
  batch?: number;
}): Promise<CriteriaCostBench> {
  const preset = PRESETS['fashion-mnist'];
  const epochs = o.epochs ?? preset.epochs;
  const stepsPerEpoch = o.stepsPerEpoch ?? Math.ceil(60_000 / preset.batchSize);
  const config = parseConfig({ model_type: 'vit', ...preset.model, image_size: 28, num_channels: 1, num_labels: 10 }) as ViTConfig;
  const stepMs = await medianStepMs(new ViTForImageClassification(config, { seed: 0 }), o.batch ?? preset.batchSize, o.stepSamples ?? 20);

  const { watches } = runCriteria({ ratios: SEED_RATIOS }, preset.windows);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-criteria-cost-'));
  const callback = earlyBirdCallback({ watches, outDir });
  const trajectory = new Trajectory();
  const walk = coefficientWalk(config);
  trajectory.record(0, 0, walk.next());
  await callback.onStart!({ trajectory, totalSteps: epochs * stepsPerEpoch, saved: undefined });
  const out: CriteriaCostBench['epochs'] = [];
  try {
    for (let epoch = 0, step = 0; epoch < epochs; epoch++) {
      let stepTime = 0;
      for (let k = 0; k < stepsPerEpoch; k++) {
        step++;
        const snapshot = walk.next();
        stepTime += await elapsedMs(async () => {
          await callback.onStep!({ step, epoch, coefficients: () => snapshot } as never);
          trajectory.record(step, epoch, snapshot);
        });
      }
      const epochEnd = {
        detectionsMs: await elapsedMs(() => callback.onEpochEnd!({ epoch, step, test: null } as never)),
        trajectoryMs: await elapsedMs(() => trajectory.write(path.join(outDir, 'trajectory.arrow'))),
        checkpointMs: await elapsedMs(() => JSON.stringify(callback.saveState!())),
      };
      const perStepMs = (stepTime + epochEnd.detectionsMs + epochEnd.trajectoryMs + epochEnd.checkpointMs) / stepsPerEpoch;
      out.push({ epoch: epoch + 1, perStepMs, epochEnd, share: perStepMs / stepMs });
    }
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
  const growth = out[out.length - 1].share / out[0].share;
  const worst = Math.max(...out.map((e) => e.share));
  return {
    backend: o.backend,
    watches: watches.map((w) => w.key),
    stepsPerEpoch,
    stepMs,
    epochs: out,
    growth,
    target: CRITERIA_COST_TARGET,
    meetsTarget: worst <= CRITERIA_COST_TARGET,
  };
}

/** The median of `samples` timed training steps (after one to warm up). */
async function medianStepMs(model: ViTForImageClassification, batch: number, samples: number): Promise<number> {
  const { step, dispose } = trainStep(model, batch, { slimming: true });
  try {
    return (await timeInRounds([step], samples))[0];
  } finally {
    dispose();
    model.dispose();
  }
}
/** Coefficients of the model's shapes on a random walk that keeps reordering them: masks never settle. */
function coefficientWalk(config: ViTConfig): { next: () => { heads: Float32Array[]; ffn: Float32Array[] } } {
  const z = normals(mulberry32(5));
  const layers = config.num_hidden_layers;
  const heads = Array.from({ length: layers }, () => Float64Array.from({ length: config.num_attention_heads }, () => 1));
  const ffn = Array.from({ length: layers }, () => Float64Array.from({ length: config.intermediate_size }, () => 1));
  return {
    next: () => {
      for (const rows of [heads, ffn]) for (const row of rows) for (let i = 0; i < row.length; i++) row[i] += 0.05 * z();
      return { heads: heads.map((r) => Float32Array.from(r)), ffn: ffn.map((r) => Float32Array.from(r)) };
    },
  };
}

/**
 * ms per training step of the ViT-Tiny shape (6 layers, dim 192, 3 heads, MLP 384, 65 tokens, batch 64,
 * Adam) on the current tfjs backend, and the same step in PyTorch (tools/bench/train_step_reference.py)
 * in the same run when python3 has torch. Run: npx ebt bench train-step --json
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseConfig, ViTConfig, ViTForImageClassification } from '@ebt/models';
import { Adam, crossEntropy } from '@ebt/training';

export interface TrainStepBench {
  backend: string;
  msPerStep: number;
  /** PyTorch at its best thread count (`threads`), of those `tried` */
  reference: { name: string; msPerStep: number; threads: number; tried: Array<{ threads: number; msPerStep: number }> } | null;
  ratio: number | null;
  steps: number;
}

/** The ViT-Tiny shape the benchmarks use: 6 layers, dim 192, 3 heads, MLP 384, 8x8 patches + [CLS], 10 classes. */
export function vitTinyConfig(): ViTConfig {
  return parseConfig({
    model_type: 'vit',
    hidden_size: 192,
    num_hidden_layers: 6,
    num_attention_heads: 3,
    intermediate_size: 384,
    image_size: 32,
    patch_size: 4,
    num_channels: 3,
    num_labels: 10,
  }) as ViTConfig;
}

/** One training step of `model` (Adam, one fixed batch), and its forward pass alone; dispose() frees the batch and Adam's state, not the model. */
export function trainStep(model: ViTForImageClassification, batch = 64): { step: () => void; forward: () => void; dispose: () => void } {
  const params = model.namedParameters().map(([name, variable]) => ({ name, variable, decay: true }));
  const optimizer = new Adam(params, { kind: 'adam' });
  const x = tf.randomNormal([batch, 3, 32, 32], 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => i % 10),
    'int32',
  );
  const step = () => {
    const { value, grads } = tf.variableGrads(
      () => crossEntropy(model.forward(x, true).logits, y),
      params.map((p) => p.variable),
    );
    value.dataSync();
    const named: Record<string, tf.Tensor> = {};
    params.forEach((p) => (named[p.name] = grads[p.variable.name]));
    optimizer.step(named, 1e-3);
    tf.dispose([value, ...Object.values(grads)]);
  };
  const forward = () => tf.tidy(() => model.forward(x, false).logits.dataSync());
  const dispose = () => {
    tf.dispose([x, y]);
    optimizer.dispose();
  };
  return { step, forward, dispose };
}

/** The benchmarked step: a fresh ViT-Tiny-shaped model, Adam, one fixed batch of 64. */
export function vitTinyTrainStep(): { step: () => void; dispose: () => void } {
  const model = new ViTForImageClassification(vitTinyConfig(), { seed: 0 });
  const { step, dispose } = trainStep(model);
  return {
    step,
    dispose: () => {
      dispose();
      model.dispose();
    },
  };
}

export function benchTrainStep(options: { steps?: number; reference?: boolean } = {}): TrainStepBench {
  const steps = options.steps ?? 3;
  const { step, dispose } = vitTinyTrainStep();
  step(); // warm-up: kernels compile, buffers settle
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) step();
  const msPerStep = Number(process.hrtime.bigint() - t0) / 1e6 / steps;
  dispose();
  const reference = options.reference === false ? null : torchReference(Math.max(3, steps));
  return { backend: tf.getBackend(), msPerStep, reference, ratio: reference ? msPerStep / reference.msPerStep : null, steps };
}

/**
 * PyTorch's step at its best thread count here: run with 1 thread and with one per core, keep the faster
 * (on a 2-core machine one thread is usually faster; elsewhere it need not be). `tried` lists both.
 */
function torchReference(steps: number): TrainStepBench['reference'] {
  const script = path.join(__dirname, 'train_step_reference.py');
  const counts = [...new Set([1, os.availableParallelism()])];
  for (const python of ['python3', '/usr/bin/python3']) {
    if (spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status !== 0) continue;
    const tried = counts.map((threads) => {
      const run = spawnSync(python, [script, String(steps)], { encoding: 'utf8', env: { ...process.env, EBT_TORCH_THREADS: String(threads) } });
      if (run.status !== 0) throw new Error(`the PyTorch reference failed: ${run.stderr.trim().split('\n').pop()}`);
      return { threads, ...(JSON.parse(run.stdout) as { name: string; msPerStep: number }) };
    });
    const best = tried.reduce((a, b) => (b.msPerStep < a.msPerStep ? b : a));
    return { name: best.name, msPerStep: best.msPerStep, threads: best.threads, tried: tried.map(({ threads, msPerStep }) => ({ threads, msPerStep })) };
  }
  return null;
}

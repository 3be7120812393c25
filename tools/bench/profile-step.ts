/**
 * Where a training step spends its time, per tfjs kernel, on the current backend: the ViT-Tiny step, or with
 * a case number the step of that pruned model of `ebt bench pruned` (1 or 2), or with a shape name that of
 * `ebt bench train-step --shape` (bert-base, vit-base; on webgpu the kernel times come from the GPU's
 * timestamp queries where the adapter has them).
 * Run: npx tsx tools/bench/profile-step.ts [backend] [case|shape]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@ebt/backend';
import { benchModels } from './pruned';
import { shapeTrainStep, SHAPES, ShapeName, trainStep } from './train-step';

async function main() {
  await initBackend({ backend: process.argv[2] ?? 'native' });
  const which = process.argv[3] ?? '0';
  const { step } = which in SHAPES ? shapeTrainStep(which as ShapeName) : Number(which) ? trainStep(benchModels()[Number(which)]) : shapeTrainStep('vit-tiny');
  await step();
  await step(); // the second step runs on recycled buffers, as every later one does
  const t0 = Date.now();
  const info = await tf.profile(step);
  const wall = Date.now() - t0;
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += Number(k.kernelTimeMs);
    e.calls++;
    byKernel.set(k.name, e);
  }
  const rows = [...byKernel].sort((a, b) => b[1].ms - a[1].ms);
  const total = rows.reduce((s, [, e]) => s + e.ms, 0);
  console.log(`backend ${tf.getBackend()}: step ${wall} ms under the profiler, kernels ${total.toFixed(0)} ms`);
  const slowest = [...info.kernels].sort((a, b) => Number(b.kernelTimeMs) - Number(a.kernelTimeMs)).slice(0, Number(process.env.SHOW_CALLS ?? 0));
  for (const k of slowest)
    console.log(`  ${k.name} ${Number(k.kernelTimeMs).toFixed(2)} ms ${JSON.stringify(k.inputShapes)} -> ${JSON.stringify(k.outputShapes)}`);
  for (const [name, e] of rows.slice(0, 25)) console.log(`${name.padEnd(22)} ${e.ms.toFixed(1).padStart(8)} ms ${String(e.calls).padStart(5)} calls`);
}
main();

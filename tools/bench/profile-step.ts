/**
 * Where a ViT-Tiny training step spends its time, per tfjs kernel, on the current backend; with a case number,
 * the step of that pruned model of `ebt bench pruned` (1 or 2) instead of the dense one.
 * Run: npx tsx tools/bench/profile-step.ts [backend] [case]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@ebt/backend';
import { benchModels } from './pruned';
import { trainStep, vitTinyTrainStep } from './train-step';

async function main() {
  await initBackend({ backend: process.argv[2] ?? 'native' });
  const pruned = Number(process.argv[3] ?? 0);
  const { step } = pruned ? trainStep(benchModels()[pruned]) : vitTinyTrainStep();
  step();
  step(); // the second step runs on recycled buffers, as every later one does
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

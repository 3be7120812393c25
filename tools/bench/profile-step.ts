/**
 * Where a ViT-Tiny training step spends its time, per tfjs kernel, on the current backend.
 * Run: npx tsx tools/bench/profile-step.ts [backend]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@ebt/backend';
import { parseConfig, ViTConfig, ViTForImageClassification } from '@ebt/models';
import { Adam, crossEntropy } from '@ebt/training';

async function main() {
  await initBackend({ backend: process.argv[2] ?? 'native' });
  const config = parseConfig({ model_type: 'vit', hidden_size: 192, num_hidden_layers: 6, num_attention_heads: 3, intermediate_size: 384, image_size: 32, patch_size: 4, num_channels: 3, num_labels: 10 }) as ViTConfig;
  const model = new ViTForImageClassification(config, { seed: 0 });
  const params = model.namedParameters().map(([name, variable]) => ({ name, variable, decay: true }));
  const optimizer = new Adam(params, { kind: 'adam' });
  const x = tf.randomNormal([64, 3, 32, 32], 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.tensor1d(Array.from({ length: 64 }, (_, i) => i % 10), 'int32');
  const step = () => {
    const { value, grads } = tf.variableGrads(() => crossEntropy(model.forward(x, true).logits, y), params.map((p) => p.variable));
    value.dataSync();
    const named: Record<string, tf.Tensor> = {};
    params.forEach((p) => (named[p.name] = grads[p.variable.name]));
    optimizer.step(named, 1e-3);
    tf.dispose([value, ...Object.values(grads)]);
  };
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
  for (const k of slowest) console.log(`  ${k.name} ${Number(k.kernelTimeMs).toFixed(2)} ms ${JSON.stringify(k.inputShapes)} -> ${JSON.stringify(k.outputShapes)}`);
  for (const [name, e] of rows.slice(0, 25)) console.log(`${name.padEnd(22)} ${e.ms.toFixed(1).padStart(8)} ms ${String(e.calls).padStart(5)} calls`);
}
main();

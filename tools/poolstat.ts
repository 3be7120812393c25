import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@ebt/backend';
import { parseConfig, ViTConfig, ViTForImageClassification } from '@ebt/models';
import { Adam, crossEntropy } from '@ebt/training';
import { BufferPool } from '../packages/backend-native/src/buffer-pool';
(async () => {
  await initBackend({ backend: 'native' });
  const pool = (tf.backend() as unknown as { pool: BufferPool });
  let hits = 0, misses = 0, missBytes = 0;
  const orig = pool.pool.allocate.bind(pool.pool);
  pool.pool.allocate = (n: number) => { const before = pool.pool.bytes; const r = orig(n); if (pool.pool.bytes < before) hits++; else { misses++; missBytes += n * 4; } return r; };
  const config = parseConfig({ model_type: 'vit', hidden_size: 192, num_hidden_layers: 6, num_attention_heads: 3, intermediate_size: 384, image_size: 32, patch_size: 4, num_channels: 3, num_labels: 10 }) as ViTConfig;
  const model = new ViTForImageClassification(config, { seed: 0 });
  const params = model.namedParameters().map(([name, variable]) => ({ name, variable, decay: true }));
  const optimizer = new Adam(params, { kind: 'adam' });
  const x = tf.randomNormal([64, 3, 32, 32], 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.tensor1d(Array.from({ length: 64 }, (_, i) => i % 10), 'int32');
  for (let s = 0; s < 3; s++) {
    hits = misses = missBytes = 0;
    const t0 = Date.now();
    const { value, grads } = tf.variableGrads(() => crossEntropy(model.forward(x, true).logits, y), params.map((p) => p.variable));
    value.dataSync();
    const named: Record<string, tf.Tensor> = {};
    params.forEach((p) => (named[p.name] = grads[p.variable.name]));
    optimizer.step(named, 1e-3);
    tf.dispose([value, ...Object.values(grads)]);
    console.log(`step ${s}: ${Date.now() - t0} ms hits ${hits} misses ${misses} (${(missBytes / 2 ** 20).toFixed(0)} MB) pooled ${(pool.pool.bytes / 2 ** 20).toFixed(0)} MB, tensors ${tf.memory().numTensors}`);
  }
})();

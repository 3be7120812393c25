import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@ebt/backend';
import { Adam, clipByGlobalNorm, crossEntropy, learningRate } from './index';
import ref from '../test/fixtures/torch-reference.json';

beforeAll(async () => {
  await initBackend({ backend: process.env.EBT_TEST_BACKEND ?? 'wasm', log: null });
});

describe('matches PyTorch', () => {
  test.each(ref.optimizers.map((o) => [`${o.kind} weight_decay=${o.weight_decay}`, o] as const))('%s: three steps', (_, o) => {
    const w = tf.variable(tf.tensor2d(o.w0));
    const b = tf.variable(tf.tensor1d(o.b0));
    const opt = new Adam(
      [
        { name: 'w', variable: w, decay: true },
        { name: 'b', variable: b, decay: false },
      ],
      { kind: o.kind as 'adam' | 'adamw', weightDecay: o.weight_decay },
    );
    for (const s of o.steps) {
      opt.step({ w: tf.tensor2d(s.gw), b: tf.tensor1d(s.gb) }, s.lr);
      const wv = (w.arraySync() as number[][]).flat();
      s.w.flat().forEach((v: number, i: number) => expect(wv[i]).toBeCloseTo(v, 6));
      (b.arraySync() as number[]).forEach((v, i) => expect(v).toBeCloseTo(s.b[i], 6));
    }
  });

  test.each(ref.cross_entropy.map((c) => [c.label_smoothing, c] as const))('cross-entropy, label smoothing %s', (_, c) => {
    const loss = crossEntropy(tf.tensor2d(c.logits), tf.tensor1d(c.labels, 'int32'), c.label_smoothing).dataSync()[0];
    expect(loss).toBeCloseTo(c.loss, 5);
  });

  test('clip_grad_norm_', () => {
    const c = ref.clip;
    const { grads, norm } = clipByGlobalNorm({ a: tf.tensor1d(c.grads[0] as number[]), b: tf.tensor2d(c.grads[1] as number[][]) }, c.max_norm);
    expect(norm.dataSync()[0]).toBeCloseTo(c.norm, 5);
    expect(Array.from(grads.a.dataSync())).toEqual((c.clipped[0] as number[]).map((v) => expect.closeTo(v, 6)));
    expect(grads.b.dataSync()[0]).toBeCloseTo((c.clipped[1] as number[][])[0][0], 6);
  });

  test('linear warm-up then linear decay; cosine decay to the minimum', () => {
    const s = ref.schedules;
    for (let step = 0; step < s.total; step++) {
      expect(learningRate(step, { lr: s.lr, totalSteps: s.total, warmupSteps: s.warmup, decay: 'linear' })).toBeCloseTo(s.linear[step], 12);
      expect(learningRate(step, { lr: s.lr, totalSteps: s.total, warmupSteps: s.warmup, decay: 'cosine', minLr: s.min_lr })).toBeCloseTo(s.cosine[step], 12);
    }
  });
});

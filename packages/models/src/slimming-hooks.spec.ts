import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@ebt/backend';
import { BertForSequenceClassification, loadPretrained, ViTForImageClassification } from './index';
import { fixtures, reference } from '../test/helpers';

beforeAll(async () => {
  await initBackend({ backend: process.env.EBT_TEST_BACKEND ?? 'wasm', log: null });
});

function vitLogits(model: ViTForImageClassification, pixels: number[][][][]): number[][] {
  return tf.tidy(() => model.forward(tf.tensor(pixels) as tf.Tensor4D).logits.arraySync());
}

describe('slimming hook points', () => {
  test('coefficients of all ones give exactly the unmodified outputs (ViT and BERT)', () => {
    const ref = reference('hf-tiny-vit');
    const vit = loadPretrained(path.join(fixtures, 'hf-tiny-vit'), { log: null }).model as ViTForImageClassification;
    const plain = vitLogits(vit, ref.input.pixel_values);
    for (const layer of vit.vit.encoder.layer) {
      layer.attention.attention.slimming.coefficients = tf.ones([layer.attention.attention.numHeads]);
      layer.intermediate.slimming.coefficients = tf.ones([layer.intermediate.intermediateSize]);
    }
    expect(vitLogits(vit, ref.input.pixel_values)).toEqual(plain);

    const rb = reference('hf-tiny-bert');
    const bert = loadPretrained(path.join(fixtures, 'hf-tiny-bert'), { log: null }).model as BertForSequenceClassification;
    const run = () =>
      tf.tidy(() =>
        bert
          .forward({ inputIds: tf.tensor2d(rb.input.input_ids, undefined, 'int32'), attentionMask: tf.tensor2d(rb.input.attention_mask, undefined, 'int32') })
          .logits.arraySync(),
      );
    const before = run();
    for (const layer of bert.bert.encoder.layer) {
      layer.attention.self.slimming.coefficients = tf.ones([layer.attention.self.numHeads]);
      layer.intermediate.slimming.coefficients = tf.ones([layer.intermediate.intermediateSize]);
    }
    expect(run()).toEqual(before);
  });

  test("a head coefficient scales that head's context: c = 0 equals zeroing its columns of the output projection", () => {
    const ref = reference('hf-tiny-vit');
    const load = () => loadPretrained(path.join(fixtures, 'hf-tiny-vit'), { log: null }).model as ViTForImageClassification;
    const a = load();
    const attn = a.vit.encoder.layer[1].attention.attention;
    attn.slimming.coefficients = tf.tensor1d([1, 0, 1, 1]);
    const viaHook = vitLogits(a, ref.input.pixel_values);

    const b = load();
    const dense = b.vit.encoder.layer[1].attention.output.dense.weight; // [in = heads*d, out]
    const d = attn.headDim;
    const rowMask = tf.tensor1d(Array.from({ length: dense.shape[0] }, (_, i) => (i >= d && i < 2 * d ? 0 : 1))).expandDims(1);
    dense.assign(dense.mul(rowMask));
    const viaWeights = vitLogits(b, ref.input.pixel_values);
    const diff = Math.max(...viaHook.flat().map((v, i) => Math.abs(v - viaWeights.flat()[i])));
    expect(diff).toBeLessThan(1e-5);
    expect(viaHook).not.toEqual(vitLogits(load(), ref.input.pixel_values));
  });

  test('an FFN coefficient of 0 equals removing that neuron from the output projection', () => {
    const ref = reference('hf-tiny-vit');
    const load = () => loadPretrained(path.join(fixtures, 'hf-tiny-vit'), { log: null }).model as ViTForImageClassification;
    const a = load();
    const c = new Array(64).fill(1);
    c[5] = 0;
    a.vit.encoder.layer[0].intermediate.slimming.coefficients = tf.tensor1d(c);
    const b = load();
    const w = b.vit.encoder.layer[0].output.dense.weight; // [64, 32]
    w.assign(w.mul(tf.tensor1d(c).expandDims(1)));
    const x = vitLogits(a, ref.input.pixel_values).flat();
    const y = vitLogits(b, ref.input.pixel_values).flat();
    expect(Math.max(...x.map((v, i) => Math.abs(v - y[i])))).toBeLessThan(1e-5);
  });
});

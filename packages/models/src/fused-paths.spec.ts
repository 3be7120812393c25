import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { FUSED_ADD_LAYER_NORM, FUSED_HEAD_CONTEXT, FUSED_HEAD_SCORES, FUSED_LINEAR, FUSED_SOFTMAX, initBackend } from '@ebt/backend';
import { BertForSequenceClassification, loadPretrained, ViTForImageClassification } from './index';
import { Module } from './module';
import { fixtures, reference } from '../test/helpers';

// The kernels that promise the bits of the ops they replace (linear, scaled softmax, residual add + LayerNorm,
// attention by heads): a model's outputs and every parameter's gradient are the same with them as without
// them, so turning them on moved no draw, mask or accuracy. Only the native backend has them (test-native).
const SAME_BITS = [FUSED_LINEAR, FUSED_SOFTMAX, FUSED_ADD_LAYER_NORM, FUSED_HEAD_SCORES, FUSED_HEAD_CONTEXT];
const backend = process.env.EBT_TEST_BACKEND;
const describeFused = backend === 'native' ? describe : describe.skip;

/** `f` run with the same-bits kernels unregistered, so the models take their composite ops. */
function withoutFused<T>(f: () => T): T {
  const saved = SAME_BITS.map((name) => tf.getKernel(name, tf.getBackend())!);
  saved.forEach((k) => tf.unregisterKernel(k.kernelName, k.backendName));
  try {
    return f();
  } finally {
    saved.forEach((k) => tf.registerKernel(k));
  }
}

/** logits and the gradient of sum(logits * w) for every parameter, as plain arrays */
function outputsAndGradients(model: Module, logits: () => tf.Tensor): number[][] {
  return tf.tidy(() => {
    const params = model.namedParameters().map(([, v]) => v);
    const w = tf.randomNormal(logits().shape, 0, 1, 'float32', 7);
    const { value, grads } = tf.variableGrads(() => logits().mul(w).sum() as tf.Scalar, params);
    return [Array.from(value.dataSync()), ...params.map((p) => Array.from(grads[p.name].dataSync()))];
  });
}

function expectSameBits(a: number[][], b: number[][]): void {
  expect(a.length).toBe(b.length);
  const differing = a.findIndex((xs, i) => xs.length !== b[i].length || xs.some((x, j) => !Object.is(x, b[i][j])));
  expect(differing).toBe(-1);
}

describeFused('the same-bits fused kernels through whole models', () => {
  beforeAll(async () => {
    await initBackend({ backend, log: null });
    for (const name of SAME_BITS) expect(tf.getKernel(name, tf.getBackend())).toBeDefined();
  });

  test('ViT with slimming coefficients: logits and all gradients', () => {
    const ref = reference('hf-tiny-vit');
    const vit = loadPretrained(path.join(fixtures, 'hf-tiny-vit'), { log: null }).model as ViTForImageClassification;
    vit.vit.encoder.layer.forEach((layer, l) => {
      layer.attention.attention.slimming.coefficients = tf.randomUniform([layer.attention.attention.numHeads], 0.5, 1.5, 'float32', l);
      layer.intermediate.slimming.coefficients = tf.randomUniform([layer.intermediate.intermediateSize], 0.5, 1.5, 'float32', 10 + l);
    });
    const logits = () => vit.forward(tf.tensor(ref.input.pixel_values) as tf.Tensor4D).logits;
    expectSameBits(
      outputsAndGradients(vit, logits),
      withoutFused(() => outputsAndGradients(vit, logits)),
    );
  });

  test('BERT with a padding mask: logits and all gradients', () => {
    const ref = reference('hf-tiny-bert');
    const bert = loadPretrained(path.join(fixtures, 'hf-tiny-bert'), { log: null }).model as BertForSequenceClassification;
    const logits = () =>
      bert.forward({ inputIds: tf.tensor2d(ref.input.input_ids, undefined, 'int32'), attentionMask: tf.tensor2d(ref.input.attention_mask, undefined, 'int32') })
        .logits;
    expectSameBits(
      outputsAndGradients(bert, logits),
      withoutFused(() => outputsAndGradients(bert, logits)),
    );
  });
});

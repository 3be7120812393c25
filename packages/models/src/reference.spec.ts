import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@ebt/backend';
import {
  BertForQuestionAnswering,
  BertForSequenceClassification,
  loadPretrained,
  RobertaForQuestionAnswering,
  RobertaForSequenceClassification,
  ViTForImageClassification,
} from './index';
import { BACKENDS, fixtures, maxAbsDiff, reference } from '../test/helpers';

describe.each(BACKENDS)('reproduces PyTorch on the %s backend', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend, log: null });
  });

  test('BERT: logits, pooler output and hidden states of hf-tiny-bert', () => {
    const ref = reference('hf-tiny-bert');
    const { model } = loadPretrained(path.join(fixtures, 'hf-tiny-bert'), { log: null });
    expect(model).toBeInstanceOf(BertForSequenceClassification);
    const bert = model as BertForSequenceClassification;
    const out = tf.tidy(() => {
      const r = bert.forward({
        inputIds: tf.tensor2d(ref.input.input_ids, undefined, 'int32'),
        attentionMask: tf.tensor2d(ref.input.attention_mask, undefined, 'int32'),
        tokenTypeIds: tf.tensor2d(ref.input.token_type_ids, undefined, 'int32'),
      });
      return { logits: r.logits.arraySync(), pooler: r.poolerOutput.arraySync(), hidden: r.lastHiddenState.arraySync() };
    });
    const tol = ref.tolerance.abs;
    expect(maxAbsDiff(out.logits, ref.expected.logits)).toBeLessThan(tol);
    expect(maxAbsDiff(out.pooler, ref.expected.pooler_output)).toBeLessThan(tol);
    // hidden states only where attention_mask is 1 (padding positions are undefined in the reference)
    const mask = (ref.input.attention_mask as number[][]).flat();
    const hidden = bert.config.hidden_size;
    expect(maxAbsDiff(out.hidden, ref.expected.last_hidden_state, (i) => mask[Math.floor(i / hidden)] === 1)).toBeLessThan(tol);
    model.dispose();
  });

  test('RoBERTa: logits and hidden states of hf-tiny-roberta (positions counted from padding_idx + 1, a padded row)', () => {
    const ref = reference('hf-tiny-roberta');
    const { model } = loadPretrained(path.join(fixtures, 'hf-tiny-roberta'), { log: null });
    expect(model).toBeInstanceOf(RobertaForSequenceClassification);
    const roberta = model as RobertaForSequenceClassification;
    const out = tf.tidy(() => {
      const r = roberta.forward({
        inputIds: tf.tensor2d(ref.input.input_ids, undefined, 'int32'),
        attentionMask: tf.tensor2d(ref.input.attention_mask, undefined, 'int32'),
      });
      return { logits: r.logits.arraySync(), hidden: r.lastHiddenState.arraySync() };
    });
    expect(maxAbsDiff(out.logits, ref.expected.logits)).toBeLessThan(ref.tolerance.abs);
    const mask = (ref.input.attention_mask as number[][]).flat();
    const hidden = roberta.config.hidden_size;
    expect(maxAbsDiff(out.hidden, ref.expected.last_hidden_state, (i) => mask[Math.floor(i / hidden)] === 1)).toBeLessThan(ref.tolerance.abs);
    model.dispose();
  });

  test("RoBERTa for QA from the same checkpoint: the encoder's hidden states, qa_outputs fresh", () => {
    const ref = reference('hf-tiny-roberta');
    const { model, report } = loadPretrained(path.join(fixtures, 'hf-tiny-roberta'), { task: 'question-answering', log: null });
    expect(model).toBeInstanceOf(RobertaForQuestionAnswering);
    expect(report.missingKeys).toEqual(['qa_outputs.weight', 'qa_outputs.bias']);
    expect(report.unexpectedKeys.sort()).toEqual([
      'classifier.dense.bias',
      'classifier.dense.weight',
      'classifier.out_proj.bias',
      'classifier.out_proj.weight',
    ]);
    const qa = model as RobertaForQuestionAnswering;
    const hidden = tf.tidy(() =>
      qa
        .forward({ inputIds: tf.tensor2d(ref.input.input_ids, undefined, 'int32'), attentionMask: tf.tensor2d(ref.input.attention_mask, undefined, 'int32') })
        .lastHiddenState.arraySync(),
    );
    const mask = (ref.input.attention_mask as number[][]).flat();
    expect(maxAbsDiff(hidden, ref.expected.last_hidden_state, (i) => mask[Math.floor(i / 32)] === 1)).toBeLessThan(ref.tolerance.abs);
    model.dispose();
  });

  test('ViT: logits and the final [CLS] hidden state of hf-tiny-vit', () => {
    const ref = reference('hf-tiny-vit');
    const { model } = loadPretrained(path.join(fixtures, 'hf-tiny-vit'), { log: null });
    expect(model).toBeInstanceOf(ViTForImageClassification);
    const vit = model as ViTForImageClassification;
    const out = tf.tidy(() => {
      const r = vit.forward(tf.tensor(ref.input.pixel_values) as tf.Tensor4D);
      return { logits: r.logits.arraySync(), cls: r.lastHiddenState.slice([0, 0, 0], [-1, 1, -1]).squeeze([1]).arraySync() };
    });
    expect(maxAbsDiff(out.logits, ref.expected.logits)).toBeLessThan(ref.tolerance.abs);
    expect(maxAbsDiff(out.cls, ref.expected.cls_hidden_after_final_layernorm)).toBeLessThan(ref.tolerance.abs);
    model.dispose();
  });

  test('100 forward passes leave the tensor count where it was', () => {
    const ref = reference('hf-tiny-vit');
    const { model } = loadPretrained(path.join(fixtures, 'hf-tiny-vit'), { log: null });
    const x = tf.tensor(ref.input.pixel_values) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) tf.dispose((model as ViTForImageClassification).forward(x));
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });
});

describe.each(BACKENDS)('BertForQuestionAnswering reproduces PyTorch on the %s backend', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend, log: null });
  });

  test('start and end logits of hf-tiny-bert-qa, where attention_mask is 1', () => {
    const ref = reference('hf-tiny-bert-qa');
    const { model } = loadPretrained(path.join(fixtures, 'hf-tiny-bert-qa'), { log: null });
    expect(model).toBeInstanceOf(BertForQuestionAnswering);
    const qa = model as BertForQuestionAnswering;
    expect((qa.bert as { pooler?: unknown }).pooler).toBeUndefined();
    const out = tf.tidy(() => {
      const r = qa.forward({
        inputIds: tf.tensor2d(ref.input.input_ids, undefined, 'int32'),
        attentionMask: tf.tensor2d(ref.input.attention_mask, undefined, 'int32'),
        tokenTypeIds: tf.tensor2d(ref.input.token_type_ids, undefined, 'int32'),
      });
      return { start: r.startLogits.arraySync(), end: r.endLogits.arraySync() };
    });
    const mask = (ref.input.attention_mask as number[][]).flat();
    expect(maxAbsDiff(out.start, ref.expected.start_logits, (i) => mask[i] === 1)).toBeLessThan(ref.tolerance.abs);
    expect(maxAbsDiff(out.end, ref.expected.end_logits, (i) => mask[i] === 1)).toBeLessThan(ref.tolerance.abs);
    model.dispose();
  });
});

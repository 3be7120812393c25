import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@ebt/backend';
import { BERT_DEFAULTS, loadPretrained, parseConfig, PretrainedModel, savePretrained, TextInputs, VIT_DEFAULTS } from '@ebt/models';
import { countFlops, countParameters, maskedCoefficients, pruneModel, PruningError, PruningMasks } from './index';

const fixtures = path.join(__dirname, '..', '..', 'models', 'test', 'fixtures');
const reference = (name: string) => JSON.parse(fs.readFileSync(path.join(fixtures, name, 'reference.json'), 'utf8'));

beforeAll(async () => {
  await initBackend({ backend: process.env.EBT_TEST_BACKEND ?? 'wasm', log: null });
});

function layers(model: PretrainedModel) {
  return model.encoderLayers().map((l) => ({ heads: l.attention, ffn: l.intermediate }));
}

/** The fixture's input as the model reads it (token ids and masks, or pixels). */
function referenceInput(name: string): TextInputs | tf.Tensor4D {
  const { input } = reference(name);
  if (input.pixel_values) return tf.tensor(input.pixel_values) as tf.Tensor4D;
  const ids = (field: string) => (input[field] ? tf.tensor2d(input[field], undefined, 'int32') : undefined);
  return { inputIds: ids('input_ids')!, attentionMask: ids('attention_mask'), tokenTypeIds: ids('token_type_ids') };
}

function forwardLogits(model: PretrainedModel, name: string, training = false): tf.Tensor2D {
  const x = referenceInput(name);
  if (model.task === 'image-classification') return model.forward(x as tf.Tensor4D, training).logits;
  if (model.task === 'text-classification') return model.forward(x as TextInputs, training).logits;
  if (model.task === 'fill-mask') return model.forward(x as TextInputs, training).logits.reshape([-1, model.config.vocab_size as number]) as tf.Tensor2D;
  throw new Error(`no logits for ${model.architecture}`);
}

/** Sets the model's slimming hooks to the given coefficients (null: none). */
function hook(model: PretrainedModel, c: { heads: ArrayLike<number>[]; ffn: ArrayLike<number>[] } | null) {
  layers(model).forEach((l, i) => {
    l.heads.slimming.coefficients = c ? tf.tensor1d(Array.from(c.heads[i])) : null;
    l.ffn.slimming.coefficients = c ? tf.tensor1d(Array.from(c.ffn[i])) : null;
  });
}

function logits(model: PretrainedModel, name: string): number[] {
  return tf.tidy(() => forwardLogits(model, name).arraySync().flat());
}

const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

// 4 heads and 64 neurons per layer in every fixture
const masks: PruningMasks = {
  heads: [Uint8Array.from([1, 0, 1, 1]), Uint8Array.from([0, 0, 1, 0])],
  ffn: [Uint8Array.from({ length: 64 }, (_, j) => (j % 3 === 0 ? 0 : 1)), Uint8Array.from({ length: 64 }, (_, j) => (j < 40 ? 1 : 0))],
};
const coefficients = {
  heads: [Float32Array.from([0.9, 0.1, -0.5, 1.2]), Float32Array.from([0.3, 0.2, 0.8, 0.05])],
  ffn: [Float32Array.from({ length: 64 }, (_, j) => 1 - j / 100), Float32Array.from({ length: 64 }, (_, j) => 0.5 + j / 200)],
};

describe.each(['hf-tiny-bert', 'hf-tiny-roberta', 'hf-tiny-vit', 'hf-tiny-bert-mlm'])('pruneModel on %s', (name) => {
  test('the pruned model computes what the masked model computes (coefficients folded), to 1e-5', () => {
    const { model } = loadPretrained(path.join(fixtures, name), { log: null });
    hook(model, maskedCoefficients(masks, coefficients));
    const masked = logits(model, name);
    hook(model, null);
    const { model: pruned } = pruneModel(model, masks, { coefficients });
    expect(layers(pruned).map((l) => l.heads.numHeads)).toEqual([3, 1]);
    expect(layers(pruned).map((l) => l.ffn.intermediateSize)).toEqual([42, 40]);
    expect(maxDiff(logits(pruned, name), masked)).toBeLessThan(1e-5);
    expect(pruned.config.pruned_heads).toEqual({ '0': [1], '1': [0, 1, 3] });
    expect(pruned.config.intermediate_sizes).toEqual([42, 40]);
  });

  test('keepCoefficients returns the kept coefficients, which reproduce the masked model through the hooks', () => {
    const { model } = loadPretrained(path.join(fixtures, name), { log: null });
    hook(model, maskedCoefficients(masks, coefficients));
    const masked = logits(model, name);
    hook(model, null);
    const { model: pruned, coefficients: kept } = pruneModel(model, masks, { coefficients, keepCoefficients: true });
    expect(Array.from(kept.heads[0])).toEqual([0.9, -0.5, 1.2].map((v) => Math.fround(v)));
    hook(pruned, kept);
    expect(maxDiff(logits(pruned, name), masked)).toBeLessThan(1e-5);
  });

  test('saves in the Hugging Face layout and loads back to the same logits; pruning again composes pruned_heads', async () => {
    const { model } = loadPretrained(path.join(fixtures, name), { log: null });
    const { model: pruned } = pruneModel(model, masks);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-pruned-'));
    await savePretrained(pruned, dir);
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    expect(config.pruned_heads).toEqual({ '0': [1], '1': [0, 1, 3] });
    const denseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-dense-'));
    await savePretrained(model, denseDir);
    const bytes = (d: string) => fs.statSync(path.join(d, 'model.safetensors')).size;
    expect(bytes(dir)).toBeLessThan(bytes(denseDir)); // the files shrink
    const { model: again, report } = loadPretrained(dir, { log: null });
    expect(report.missingKeys).toEqual([]);
    expect(logits(again, name)).toEqual(logits(pruned, name));
    // layer 0 keeps current heads [0, 2] of (0, 2, 3): original head 3 goes too
    const second = pruneModel(again, {
      heads: [Uint8Array.from([1, 1, 0]), Uint8Array.from([1])],
      ffn: [new Uint8Array(42).fill(1), new Uint8Array(40).fill(1)],
    });
    expect(second.model.config.pruned_heads).toEqual({ '0': [1, 3], '1': [0, 1, 3] });
  });

  test('the pruned model trains: every parameter gets a gradient', () => {
    const { model } = loadPretrained(path.join(fixtures, name), { log: null });
    const { model: pruned } = pruneModel(model, masks);
    const vars = pruned.namedParameters().map(([, v]) => v);
    const { grads } = tf.variableGrads(() => forwardLogits(pruned, name, true).square().sum() as tf.Scalar, vars);
    const zero = pruned
      .namedParameters()
      .filter(([, v]) => !grads[v.name] || grads[v.name].abs().sum().dataSync()[0] === 0)
      .map(([n]) => n);
    // token type 1 and unused positions/words get no gradient in BERT and RoBERTa; everything else must
    expect(zero.filter((n) => !/embeddings\.(token_type|position|word)_embeddings/.test(n))).toEqual([]);
  });

  test('parameter counts: the formula equals the model, dense and pruned', () => {
    const { model } = loadPretrained(path.join(fixtures, name), { log: null });
    const size = (m: PretrainedModel) => m.namedParameters().reduce((s, [, v]) => s + v.size, 0);
    expect(countParameters(model.config)).toBe(size(model));
    const { model: pruned } = pruneModel(model, masks);
    expect(countParameters(pruned.config)).toBe(size(pruned));
    expect(countFlops(pruned.config, 12)).toBeLessThan(countFlops(model.config, 12));
  });
});

describe('counts against published numbers', () => {
  test('bert-base-uncased with a 2-label head: 109,483,778 parameters; ViT-B/16-224 with 1000 classes: 86,567,656', () => {
    expect(countParameters(parseConfig({ model_type: 'bert', ...BERT_DEFAULTS, num_labels: 2 }))).toBe(109_483_778);
    const id2label = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [String(i), `c${i}`]));
    expect(countParameters(parseConfig({ model_type: 'vit', ...VIT_DEFAULTS, id2label }))).toBe(86_567_656);
  });

  test('bert-base-uncased as BertForMaskedLM: 109,514,298 parameters (no pooler; the decoder tied to the word embeddings)', () => {
    expect(countParameters(parseConfig({ model_type: 'bert', ...BERT_DEFAULTS, architectures: ['BertForMaskedLM'] }))).toBe(109_514_298);
  });

  test("roberta-base's config.json with a 2-label head: 124,647,170 parameters (no pooler; classifier.dense + out_proj)", () => {
    const robertaBase = { model_type: 'roberta', vocab_size: 50265, max_position_embeddings: 514, type_vocab_size: 1, layer_norm_eps: 1e-5, num_labels: 2 };
    expect(countParameters(parseConfig(robertaBase))).toBe(124_647_170);
  });

  test('FLOPs of one FFN neuron and one head, by hand', () => {
    const base = parseConfig({
      model_type: 'vit',
      hidden_size: 8,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      intermediate_size: 4,
      image_size: 4,
      patch_size: 2,
      num_channels: 1,
      num_labels: 2,
    });
    const T = 5; // 4 patches + [CLS]
    const lessFfn = { ...base, intermediate_sizes: [3] };
    expect(countFlops(base) - countFlops(lessFfn)).toBe(2 * T * 8 * 2); // one neuron: in and out projections
    const lessHead = { ...base, pruned_heads: { '0': [1] } };
    // one head (d = 4): Q, K, V (3 * 2*T*D*d), scores and context (2 * 2*T*T*d), output (2*T*d*D)
    expect(countFlops(base) - countFlops(lessHead)).toBe(3 * 2 * T * 8 * 4 + 2 * 2 * T * T * 4 + 2 * T * 4 * 8);
  });
});

test('a mask that removes every head of a layer is refused', () => {
  const { model } = loadPretrained(path.join(fixtures, 'hf-tiny-vit'), { log: null });
  expect(() => pruneModel(model, { heads: [new Uint8Array(4), new Uint8Array(4).fill(1)], ffn: masks.ffn })).toThrow(PruningError);
  expect(() => pruneModel(model, { heads: [new Uint8Array(4), new Uint8Array(4).fill(1)], ffn: masks.ffn })).toThrow(/removes every head of layer 0/);
});

/** Elements of every tensor in a safetensors file, read from its JSON header alone (independent of our loader). */
function safetensorsElements(file: string): number {
  const bytes = fs.readFileSync(file);
  const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8'));
  return Object.entries(header)
    .filter(([k]) => k !== '__metadata__')
    .reduce((s, [, v]) => s + (v as { shape: number[] }).shape.reduce((a, b) => a * b, 1), 0);
}

test("BertForMaskedLM: the checkpoint's own size (no decoder weight of its own), and a head that reads every token", () => {
  const dir = path.join(fixtures, 'hf-tiny-bert-mlm');
  const { model } = loadPretrained(dir, { log: null });
  expect(countParameters(model.config)).toBe(safetensorsElements(path.join(dir, 'model.safetensors')));
  const D = model.config.hidden_size;
  const V = model.config.vocab_size as number;
  const body = (T: number) => countFlops({ ...model.config, architectures: ['BertForQuestionAnswering'] }, T) - 2 * T * D * 2;
  expect(countFlops(model.config, 10) - body(10)).toBe(2 * 10 * D * (D + V));
});

test('BertForQuestionAnswering: no pooler and a per-token qa_outputs, in parameters and FLOPs', () => {
  const dir = path.join(fixtures, 'hf-tiny-bert-qa');
  const { model } = loadPretrained(dir, { log: null });
  expect(countParameters(model.config)).toBe(safetensorsElements(path.join(dir, 'model.safetensors')));
  // qa_outputs (32 -> 2) runs on each of T tokens: twice the tokens, twice its FLOPs; no pooler term
  const D = model.config.hidden_size;
  const perToken = (T: number) => countFlops(model.config, T) - countFlops(model.config, T - 1);
  const bodyPerToken = (T: number) =>
    countFlops({ ...model.config, architectures: ['BertForSequenceClassification'] }, T) -
    countFlops({ ...model.config, architectures: ['BertForSequenceClassification'] }, T - 1);
  expect(perToken(10) - bodyPerToken(10)).toBe(2 * D * 2);
  expect(countFlops({ ...model.config, architectures: ['BertForSequenceClassification'] }, 10) - countFlops(model.config, 10)).toBe(
    2 * D * D + 2 * D * 2 - 2 * 10 * D * 2,
  );
});

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@ebt/backend';
import {
  BertForSequenceClassification,
  ConfigError,
  loadPretrained,
  parseConfig,
  readSafetensors,
  SafetensorsError,
  savePretrained,
  serializeSafetensors,
  ViTConfig,
  ViTForImageClassification,
} from './index';
import { fixtures, tempDir } from '../test/helpers';

beforeAll(async () => {
  await initBackend({ backend: process.env.EBT_TEST_BACKEND ?? 'wasm', log: null });
});

function copyFixture(name: string): string {
  const dir = tempDir();
  for (const f of ['config.json', 'model.safetensors']) fs.copyFileSync(path.join(fixtures, name, f), path.join(dir, f));
  return dir;
}

describe('loadPretrained / savePretrained', () => {
  test.each(['hf-tiny-bert', 'hf-tiny-vit'])('load, save, load is bit-identical (%s)', async (name) => {
    const original = readSafetensors(path.join(fixtures, name, 'model.safetensors')).tensors;
    const { model } = loadPretrained(path.join(fixtures, name), { log: null });
    const out = tempDir();
    await savePretrained(model, out);
    const saved = readSafetensors(path.join(out, 'model.safetensors')).tensors;
    expect([...saved.keys()].sort()).toEqual([...original.keys()].sort());
    for (const [key, t] of original) {
      expect({ key, shape: saved.get(key)!.shape }).toEqual({ key, shape: t.shape });
      expect(Buffer.from(saved.get(key)!.data.buffer).equals(Buffer.from(t.data.buffer))).toBe(true);
    }
    const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
    const before = JSON.parse(fs.readFileSync(path.join(fixtures, name, 'config.json'), 'utf8'));
    for (const [k, v] of Object.entries(before)) expect({ k, v: config[k] }).toEqual({ k, v });
    // saving leaves the model usable
    expect(model.namedParameters().every(([, v]) => !v.isDisposed)).toBe(true);
    const again = loadPretrained(out, { log: null });
    expect(again.report).toEqual({ unexpectedKeys: [], missingKeys: [], reinitialised: [] });
    expect(fs.readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('keeps unknown config keys and writes them back', async () => {
    const dir = copyFixture('hf-tiny-vit');
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...config, encoder_stride: 8, my_note: 'kept' }));
    const out = tempDir();
    await savePretrained(loadPretrained(dir, { log: null }).model, out);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'))).toMatchObject({ encoder_stride: 8, my_note: 'kept' });
  });

  test('reports and ignores unknown checkpoint keys, and accepts old LayerNorm.gamma/beta names', () => {
    const dir = copyFixture('hf-tiny-bert');
    const { tensors } = readSafetensors(path.join(dir, 'model.safetensors'));
    const renamed = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [k, t] of tensors) renamed.set(k.replace('LayerNorm.weight', 'LayerNorm.gamma').replace('LayerNorm.bias', 'LayerNorm.beta'), t);
    renamed.set('cls.predictions.bias', { shape: [120], data: new Float32Array(120) });
    fs.writeFileSync(path.join(dir, 'model.safetensors'), serializeSafetensors(renamed));
    const lines: string[] = [];
    const { report } = loadPretrained(dir, { log: (l) => lines.push(l) });
    expect(report.unexpectedKeys).toEqual(['cls.predictions.bias']);
    expect(report.missingKeys).toEqual([]);
    expect(lines.join('\n')).toMatch(/ignored 1 checkpoint keys.*cls\.predictions\.bias/);
  });

  test('re-initialises a classifier that does not fit num_labels, with a warning', () => {
    const dir = copyFixture('hf-tiny-vit');
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    config.id2label = { 0: 'cat', 1: 'dog', 2: 'bird' };
    config.label2id = { cat: 0, dog: 1, bird: 2 };
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
    const lines: string[] = [];
    const { model, report } = loadPretrained(dir, { log: (l) => lines.push(l), seed: 1 });
    expect(report.reinitialised.sort()).toEqual(['classifier.bias', 'classifier.weight']);
    expect((model as ViTForImageClassification).classifier.weight.shape).toEqual([32, 3]);
    expect(lines.join('\n')).toMatch(/warning: re-initialised classifier/);
  });

  test('a head ebt does not implement is refused when a folder is loaded as it is, and fine-tuning names its task instead', () => {
    const dir = copyFixture('hf-tiny-bert');
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...config, architectures: ['BertForTokenClassification'] }));
    expect(() => loadPretrained(dir, { log: null })).toThrow(ConfigError);
    expect(() => loadPretrained(dir, { log: null })).toThrow(
      `field 'architectures' is ["BertForTokenClassification"], a model ebt does not implement for model_type 'bert' (it has BertForSequenceClassification, BertForQuestionAnswering, BertForMaskedLM)`,
    );
    const { model } = loadPretrained(dir, { task: 'text-classification', log: null });
    expect(model).toBeInstanceOf(BertForSequenceClassification);
    model.dispose();
  });

  test('a checkpoint that disagrees with config.json is refused, naming the key', () => {
    const dir = copyFixture('hf-tiny-bert');
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...config, intermediate_size: 48 }));
    expect(() => loadPretrained(dir, { log: null })).toThrow(
      /'bert\.encoder\.layer\.0\.intermediate\.dense\.weight' has shape \[64,32\] but config\.json implies \[48,32\]/,
    );
  });

  test('a folder with only pytorch_model.bin is refused with the conversion hint; bad config.json is named', () => {
    const dir = tempDir();
    fs.copyFileSync(path.join(fixtures, 'hf-tiny-bert', 'config.json'), path.join(dir, 'config.json'));
    fs.writeFileSync(path.join(dir, 'pytorch_model.bin'), Uint8Array.from([0x80, 0x04, 0x95]));
    expect(() => loadPretrained(dir, { log: null })).toThrow(SafetensorsError);
    fs.writeFileSync(path.join(dir, 'config.json'), '{"model_type": "gpt2"}');
    expect(() => loadPretrained(dir, { log: null })).toThrow(/model_type "gpt2" is not supported/);
    fs.writeFileSync(path.join(dir, 'config.json'), '{"model_type": "bert", "hidden_size": 30, "num_attention_heads": 4}');
    expect(() => loadPretrained(dir, { log: null })).toThrow(ConfigError);
  });
});

describe('pruned models and small-ViT', () => {
  const smallVit = (extra: Partial<ViTConfig> = {}) =>
    parseConfig({
      model_type: 'vit',
      hidden_size: 48,
      num_hidden_layers: 3,
      num_attention_heads: 4,
      intermediate_size: 96,
      image_size: 28,
      patch_size: 7,
      num_channels: 1,
      num_labels: 10,
      ...extra,
    }) as ViTConfig;

  test('pruned_heads and intermediate_sizes give per-layer shapes, and the model saves and loads', async () => {
    const config = smallVit({ pruned_heads: { '0': [1, 3], '2': [0] }, intermediate_sizes: [96, 40, 7] });
    const model = new ViTForImageClassification(config, { seed: 3 });
    const layers = model.vit.encoder.layer;
    expect(layers.map((l) => l.attention.attention.numHeads)).toEqual([2, 4, 3]);
    expect(layers[0].attention.attention.query.weight.shape).toEqual([48, 24]);
    expect(layers[0].attention.output.dense.weight.shape).toEqual([24, 48]);
    expect(layers.map((l) => l.intermediate.intermediateSize)).toEqual([96, 40, 7]);
    const logits = tf.tidy(() => model.forward(tf.randomUniform([2, 1, 28, 28], 0, 1, 'float32', 9) as tf.Tensor4D).logits.arraySync());
    const dir = tempDir();
    await savePretrained(model, dir);
    const loaded = loadPretrained(dir, { log: null }).model as ViTForImageClassification;
    const again = tf.tidy(() => loaded.forward(tf.randomUniform([2, 1, 28, 28], 0, 1, 'float32', 9) as tf.Tensor4D).logits.arraySync());
    expect(again).toEqual(logits);
  });

  test('small-ViT from a config: seeded, Hugging Face initialisation (std 0.02, zero biases, unit LayerNorm)', () => {
    const a = new ViTForImageClassification(smallVit(), { seed: 11 });
    const b = new ViTForImageClassification(smallVit(), { seed: 11 });
    const params = a.namedParameters();
    for (const [[name, va], [, vb]] of params.map((p, i) => [p, b.namedParameters()[i]] as const)) {
      expect({ name, equal: tf.tidy(() => tf.equal(va, vb).all().dataSync()[0]) }).toEqual({ name, equal: 1 });
    }
    const q = a.vit.encoder.layer[0].attention.attention.query;
    const w = Array.from(q.weight.dataSync());
    const mean = w.reduce((s, v) => s + v, 0) / w.length;
    const std = Math.sqrt(w.reduce((s, v) => s + (v - mean) ** 2, 0) / w.length);
    expect(std).toBeGreaterThan(0.017);
    expect(std).toBeLessThan(0.023);
    expect(Array.from(q.bias!.dataSync()).every((v) => v === 0)).toBe(true);
    expect(Array.from(a.vit.layernorm.weight.dataSync()).every((v) => v === 1)).toBe(true);
    const c = new ViTForImageClassification(smallVit(), { seed: 12 });
    expect(c.vit.encoder.layer[0].attention.attention.query.weight.dataSync()[0]).not.toBe(w[0]);
    expect(a.classifier.weight.shape).toEqual([48, 10]);
  });

  test('a BERT with pruned heads builds the smaller projections', () => {
    const config = parseConfig({
      model_type: 'bert',
      vocab_size: 50,
      hidden_size: 16,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      intermediate_size: 32,
      max_position_embeddings: 20,
      pruned_heads: { '1': [2] },
    });
    const model = new BertForSequenceClassification(config as any, { seed: 1 });
    expect(model.bert.encoder.layer[1].attention.self.value.weight.shape).toEqual([16, 12]);
  });
});

test('building and disposing a model leaves no tensors behind', () => {
  const before = tf.memory().numTensors;
  const model = new ViTForImageClassification(
    parseConfig({
      model_type: 'vit',
      hidden_size: 16,
      num_hidden_layers: 2,
      num_attention_heads: 2,
      intermediate_size: 16,
      image_size: 8,
      patch_size: 4,
      num_channels: 1,
      num_labels: 3,
    }) as ViTConfig,
    { seed: 1 },
  );
  model.dispose();
  expect(tf.memory().numTensors).toBe(before);
});

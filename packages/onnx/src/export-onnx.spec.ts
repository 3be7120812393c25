import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { initBackend } from '@ebt/backend';
import { loadPretrained, ModelTask, PretrainedModel } from '@ebt/models';
import { pruneModel, PruningMasks } from '@ebt/pruning';
import { exportOnnx, toOnnx } from './index';

const fixtures = path.join(__dirname, '..', '..', 'models', 'test', 'fixtures');
const reference = (name: string) => JSON.parse(fs.readFileSync(path.join(fixtures, name, 'reference.json'), 'utf8'));
const load = (name: string, task?: ModelTask) => loadPretrained(path.join(fixtures, name), { log: null, task, seed: 3 }).model;

/** Largest |a - b| where `keep(i)` (flat index) holds. */
function maxAbsDiff(a: ArrayLike<number>, b: unknown, keep: (i: number) => boolean = () => true): number {
  const fb = (b as any[]).flat(Infinity) as number[];
  if (a.length !== fb.length) throw new Error(`sizes differ: ${a.length} vs ${fb.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) if (keep(i)) m = Math.max(m, Math.abs(a[i] - fb[i]));
  return m;
}

type Feeds = Record<string, number[][] | number[][][][]>;

async function runOnnx(model: PretrainedModel, feeds: Feeds): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(await toOnnx(model));
  const inputs: Record<string, ort.Tensor> = {};
  for (const [name, value] of Object.entries(feeds)) {
    const flat = (value as any[]).flat(Infinity) as number[];
    const dims = [];
    for (let v: unknown = value; Array.isArray(v); v = v[0]) dims.push(v.length);
    inputs[name] =
      name === 'pixel_values' ? new ort.Tensor('float32', Float32Array.from(flat), dims) : new ort.Tensor('int64', BigInt64Array.from(flat, BigInt), dims);
  }
  const out = await session.run(inputs);
  await session.release();
  return out;
}

/** ebt's own forward pass on the same inputs: what the export must reproduce. */
function ebtOutputs(model: PretrainedModel, feeds: Feeds): Record<string, number[][]> {
  return tf.tidy((): Record<string, number[][]> => {
    if (model.task === 'image-classification')
      return { logits: model.forward(tf.tensor(feeds.pixel_values as number[][][][]) as tf.Tensor4D).logits.arraySync() };
    const ids = (field: string) => (feeds[field] ? tf.tensor2d(feeds[field] as number[][], undefined, 'int32') : undefined);
    const inputs = { inputIds: ids('input_ids')!, attentionMask: ids('attention_mask'), tokenTypeIds: ids('token_type_ids') };
    if (model.task === 'question-answering') {
      const r = model.forward(inputs);
      return { start_logits: r.startLogits.arraySync(), end_logits: r.endLogits.arraySync() };
    }
    return { logits: model.forward(inputs).logits.arraySync() as number[][] };
  });
}

// 4 heads and 64 neurons per layer in the fixtures: layer 0 keeps 2 heads and 37 neurons, layer 1 one head
// and 20 (odd widths and 1-head layers are what pruning makes)
const masks: PruningMasks = {
  heads: [Float32Array.of(0, 1, 0, 1), Float32Array.of(0, 0, 1, 0)],
  ffn: [Float32Array.from({ length: 64 }, (_, i) => (i % 7 === 3 ? 0 : i < 43 ? 1 : 0)), Float32Array.from({ length: 64 }, (_, i) => (i % 3 === 1 ? 1 : 0))],
};

/** Weights removed by `masks`: per layer, q/k/v columns and output rows of each head, and two rows/columns per neuron. */
function prunedParameters(): number {
  const hidden = 32;
  const headDim = 8;
  const heads = 8 - 3; // 4 + 4 heads before, 2 + 1 after
  const neurons = 128 - masks.ffn.reduce((s, m) => s + Array.from(m).reduce((a, b) => a + b, 0), 0);
  const perHead = 3 * (hidden * headDim + headDim) + headDim * hidden;
  return heads * perHead + neurons * (2 * hidden + 1);
}

beforeAll(async () => {
  await initBackend({ backend: process.env.EBT_TEST_BACKEND ?? 'wasm', log: null });
});

describe('ONNX export run in onnxruntime-node', () => {
  test('BertForSequenceClassification: the PyTorch reference logits, with Optimum names and int64 inputs', async () => {
    const ref = reference('hf-tiny-bert');
    const out = await runOnnx(load('hf-tiny-bert'), ref.input);
    expect(Object.keys(out)).toEqual(['logits']);
    expect(out.logits.dims).toEqual([ref.input.input_ids.length, 2]);
    expect(maxAbsDiff(out.logits.data as Float32Array, ref.expected.logits)).toBeLessThan(ref.tolerance.abs);
  });

  test('BertForQuestionAnswering: the reference start and end logits where attention_mask is 1', async () => {
    const ref = reference('hf-tiny-bert-qa');
    const out = await runOnnx(load('hf-tiny-bert-qa'), ref.input);
    expect(Object.keys(out).sort()).toEqual(['end_logits', 'start_logits']);
    // the reference leaves padded positions at 0
    const mask = (ref.input.attention_mask as number[][]).flat();
    const attended = (i: number) => mask[i] === 1;
    expect(maxAbsDiff(out.start_logits.data as Float32Array, ref.expected.start_logits, attended)).toBeLessThan(ref.tolerance.abs);
    expect(maxAbsDiff(out.end_logits.data as Float32Array, ref.expected.end_logits, attended)).toBeLessThan(ref.tolerance.abs);
  });

  test('RobertaForSequenceClassification: the PyTorch reference logits, from input_ids and attention_mask alone', async () => {
    const ref = reference('hf-tiny-roberta');
    const out = await runOnnx(load('hf-tiny-roberta'), ref.input);
    expect(Object.keys(out)).toEqual(['logits']);
    expect(maxAbsDiff(out.logits.data as Float32Array, ref.expected.logits)).toBeLessThan(ref.tolerance.abs);
  });

  test('ViTForImageClassification: the reference logits', async () => {
    const ref = reference('hf-tiny-vit');
    const out = await runOnnx(load('hf-tiny-vit'), { pixel_values: ref.input.pixel_values });
    expect(maxAbsDiff(out.logits.data as Float32Array, ref.expected.logits)).toBeLessThan(ref.tolerance.abs);
  });

  test.each([
    ['hf-tiny-bert', 'as saved'],
    ['hf-tiny-bert-qa', 'as saved'],
    ['hf-tiny-roberta', 'as saved'],
    ['hf-tiny-roberta', 'question-answering'],
    ['hf-tiny-vit', 'as saved'],
  ] as const)('pruned %s (%s; 2/1 heads, 37/21 neurons) gives ebt pruned logits to 1e-4', async (name, head) => {
    const dense = load(name, head === 'as saved' ? undefined : head);
    const { model } = pruneModel(dense, masks);
    const ref = reference(name);
    const feeds: Feeds = name === 'hf-tiny-vit' ? { pixel_values: ref.input.pixel_values } : ref.input;
    const expected = ebtOutputs(model, feeds);
    const out = await runOnnx(model, feeds);
    expect(Object.keys(out).sort()).toEqual(Object.keys(expected).sort());
    for (const key of Object.keys(expected)) expect(maxAbsDiff(out[key].data as Float32Array, expected[key])).toBeLessThan(1e-4);
    // the graph is smaller by the pruned parameters (4 bytes each, plus the protobuf framing)
    expect((await toOnnx(model)).byteLength).toBeLessThan((await toOnnx(dense)).byteLength - 4 * prunedParameters());
    dense.dispose();
    model.dispose();
  });

  test('dynamic axes: another batch size and sequence length than the fixture', async () => {
    const model = load('hf-tiny-bert-qa');
    const ids = [
      [2, 17, 33, 5, 9, 41, 3],
      [2, 8, 3, 0, 0, 0, 0],
      [2, 99, 12, 64, 3, 0, 0],
    ];
    const feeds = {
      input_ids: ids,
      attention_mask: ids.map((r) => r.map((v) => (v ? 1 : 0))),
      token_type_ids: ids.map((r) => r.map((_, j) => (j > 3 ? 1 : 0))),
    };
    const out = await runOnnx(model, feeds);
    const expected = ebtOutputs(model, feeds);
    expect(out.start_logits.dims).toEqual([3, 7]);
    expect(maxAbsDiff(out.start_logits.data as Float32Array, expected.start_logits)).toBeLessThan(1e-4);
    expect(maxAbsDiff(out.end_logits.data as Float32Array, expected.end_logits)).toBeLessThan(1e-4);
    model.dispose();
  });

  test('exportOnnx writes the file whole, with the inputs and outputs Optimum names', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-onnx-'));
    const file = path.join(dir, 'model.onnx');
    const model = load('hf-tiny-vit');
    const bytes = await exportOnnx(model, file);
    expect(fs.statSync(file).size).toBe(bytes);
    expect(fs.readdirSync(dir)).toEqual(['model.onnx']);
    const session = await ort.InferenceSession.create(file);
    expect(session.inputNames).toEqual(['pixel_values']);
    expect(session.outputNames).toEqual(['logits']);
    await session.release();
    model.dispose();
    fs.rmSync(dir, { recursive: true });
  });
});

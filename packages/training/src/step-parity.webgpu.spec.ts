/**
 * One training step of the shipped tiny BERT and tiny ViT on webgpu against the same step on cpu: the loss,
 * every gradient (model and slimming coefficients) and every parameter after the AdamW update. Run by the
 * test-webgpu target on the adapter EBT_WEBGPU_ADAPTER names (CI: Mesa's llvmpipe through OpenGL ES).
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, readAll } from '@ebt/backend';
import { loadPretrained, PretrainedModel, seedDropout } from '@ebt/models';
import { Slimming } from '@ebt/slimming';
import { Adam, crossEntropy } from './index';

const assets = path.join(__dirname, '..', '..', 'finetune', 'assets');
const TOLERANCE = 1e-4;

interface StepValues {
  loss: number;
  grads: Map<string, Float32Array>;
  after: Map<string, Float32Array>;
}

/** Inputs made on the host from a fixed recipe, so both backends see the same numbers. */
function inputs(model: PretrainedModel): { x: tf.Tensor | Record<string, tf.Tensor>; labels: tf.Tensor1D } {
  const labels = tf.tensor1d([0, 1, 1, 0, 1, 0], 'int32');
  if (model.task === 'image-classification') {
    const n = 6 * 3 * 32 * 32;
    return {
      x: tf.tensor4d(
        Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 1.5),
        [6, 3, 32, 32],
      ),
      labels,
    };
  }
  const ids = Int32Array.from({ length: 6 * 16 }, (_, i) => (i % 16 === 0 ? 2 : 5 + ((i * 31) % 110)));
  const mask = Int32Array.from({ length: 6 * 16 }, (_, i) => (i % 16 < 16 - (Math.floor(i / 16) % 4) * 3 ? 1 : 0));
  return { x: { inputIds: tf.tensor2d(ids, [6, 16], 'int32'), attentionMask: tf.tensor2d(mask, [6, 16], 'int32') }, labels };
}

function logitsOf(model: PretrainedModel, x: tf.Tensor | Record<string, tf.Tensor>): tf.Tensor2D {
  if (model.task === 'image-classification') return model.forward(x as tf.Tensor4D, true).logits;
  if (model.task === 'question-answering' || model.task === 'fill-mask') throw new Error(`no classification logits for a ${model.task} model`);
  const { inputIds, attentionMask } = x as Record<string, tf.Tensor2D>;
  return model.forward({ inputIds, attentionMask }, true).logits;
}

async function oneStep(backend: string, fixture: string): Promise<StepValues> {
  await initBackend({ backend, log: null });
  const { model } = loadPretrained(path.join(assets, fixture), { log: null });
  const slimming = Slimming.attach(model, { lambdaHeads: 1e-3, lambdaFfn: 1e-3 });
  const params = [
    ...model.namedParameters().map(([name, variable]) => ({ name, variable, decay: !/bias|LayerNorm|layernorm/.test(name) })),
    ...slimming.heads.map((variable, l) => ({ name: `slimming.heads.${l}`, variable, decay: false })),
    ...slimming.ffn.map((variable, l) => ({ name: `slimming.ffn.${l}`, variable, decay: false })),
  ];
  const optimizer = new Adam(params, { kind: 'adamw', weightDecay: 0.01 });
  const { x, labels } = inputs(model);
  seedDropout(11);
  const { value, grads } = tf.variableGrads(
    () => crossEntropy(logitsOf(model, x), labels).add(slimming.penalty()) as tf.Scalar,
    params.map((p) => p.variable),
  );
  const named = Object.fromEntries(params.map((p) => [p.name, grads[p.variable.name]]));
  const [[loss], ...gradValues] = await readAll([value, ...params.map((p) => named[p.name])]);
  optimizer.step(named, 1e-3);
  const after = await readAll(params.map((p) => p.variable));
  tf.dispose([value, labels, ...Object.values(named), ...(x instanceof tf.Tensor ? [x] : Object.values(x))]);
  optimizer.dispose();
  slimming.detach();
  model.dispose();
  return { loss, grads: new Map(params.map((p, i) => [p.name, gradValues[i]])), after: new Map(params.map((p, i) => [p.name, after[i]])) };
}

/** The largest |a - b| / (1 + |b|) over two arrays. */
function worst(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  return m;
}

describe.each(['tiny-bert', 'tiny-vit'])('one AdamW step of %s with slimming, webgpu against cpu', (fixture) => {
  let cpu: StepValues;
  let gpu: StepValues;
  beforeAll(async () => {
    cpu = await oneStep('cpu', fixture); // cpu first: tfjs moves tensors to the webgpu backend, never back
    gpu = await oneStep('webgpu', fixture);
  }, 600_000);

  test('the loss agrees', () => {
    expect(Number.isFinite(cpu.loss)).toBe(true);
    expect(Math.abs(gpu.loss - cpu.loss)).toBeLessThan(TOLERANCE);
  });

  test('every gradient agrees, and none is zero throughout', () => {
    expect(gpu.grads.size).toBe(cpu.grads.size);
    const off = [...cpu.grads].filter(([name, g]) => !(worst(gpu.grads.get(name)!, g) < TOLERANCE)).map(([name]) => name);
    expect(off).toEqual([]);
    // the comparison means something only if the gradients do: the head coefficients all get one
    expect([...cpu.grads].filter(([name]) => name.startsWith('slimming.heads')).every(([, g]) => g.some((v) => v !== 0))).toBe(true);
  });

  test('every parameter agrees after the update, but for the key biases', () => {
    // softmax does not see a shift of all keys, so a key bias's gradient is zero but for rounding, and Adam
    // turns rounding noise into a full step of either sign: those are compared by their gradient alone
    const noise = [...cpu.grads].filter(([, g]) => g.every((v) => Math.abs(v) < 1e-6)).map(([name]) => name);
    expect(noise.length).toBeGreaterThan(0);
    expect(noise.every((name) => /attention\.(self|attention)\.key\.bias$/.test(name))).toBe(true);
    const off = [...cpu.after].filter(([name, p]) => !noise.includes(name) && !(worst(gpu.after.get(name)!, p) < TOLERANCE)).map(([name]) => name);
    expect(off).toEqual([]);
  });
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@ebt/backend';
import { ImageDataset, Random } from '@ebt/data';
import { parseConfig, ViTConfig, ViTForImageClassification } from '@ebt/models';
import { Slimming, Trajectory } from '@ebt/slimming';
import { Callback, CheckpointError, imageSource, loadCheckpoint, readMetrics, resumableCheckpoint, train, TrainingError, TrainOptions } from './index';

beforeAll(async () => {
  await initBackend({ backend: process.env.EBT_TEST_BACKEND ?? 'wasm', log: null });
});

/** 96 8x8 images of 3 classes: a bright square whose position is the class. */
function toyData(n: number, seed: number): ImageDataset {
  const r = new Random(seed);
  const images = new Float32Array(n * 64);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    labels[i] = c;
    for (let p = 0; p < 64; p++) images[i * 64 + p] = 0.1 * r.next();
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) images[i * 64 + (c === 1 ? 4 : 0) * 8 + y * 8 + x + (c === 2 ? 4 : 0)] += 1;
  }
  return { images, labels, shape: [1, 8, 8], numClasses: 3, name: 'toy' };
}

const config = () =>
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
  }) as ViTConfig;

function setup(outDir: string, extra: Partial<TrainOptions> = {}) {
  const model = new ViTForImageClassification(config(), { seed: 1 });
  const slimming = Slimming.attach(model, { lambdaHeads: 1e-3, lambdaFfn: 1e-3 });
  const options: TrainOptions = {
    model,
    forward: (x, training) => model.forward(x as tf.Tensor4D, training).logits,
    slimming,
    train: imageSource(toyData(96, 1)),
    test: imageSource(toyData(30, 2)),
    epochs: 3,
    batchSize: 16,
    optimizer: { kind: 'adamw', weightDecay: 0.01 },
    schedule: { lr: 3e-3, warmupSteps: 2, decay: 'cosine', minLr: 1e-5 },
    clipNorm: 1,
    seed: 7,
    outDir,
    recordEvery: 4,
    progress: false,
    ...extra,
  };
  return { model, slimming, options };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-train-'));
/** metrics.csv without the seconds column, the one thing a resumed run may change */
const metricsOf = (dir: string) =>
  fs
    .readFileSync(path.join(dir, 'metrics.csv'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(',').filter((_, i) => i !== 6));
const noTemps = (dir: string) => fs.readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.tmp'));

describe('train', () => {
  test('a run leaves metrics.csv, the trajectory with every coefficient at every epoch end, and checkpoints', async () => {
    const out = tmp();
    const { options } = setup(out);
    const result = await train(options);
    expect(result.steps).toBe(18);
    const metrics = fs.readFileSync(path.join(out, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(metrics[0]).toBe('step,epoch,split,loss,accuracy,lr,seconds,phase,examples');
    const rows = readMetrics(path.join(out, 'metrics.csv'));
    expect(rows.filter((r) => r.split === 'test').map((r) => [r.step, r.epoch, r.examples])).toEqual([
      [6, 0, 30],
      [12, 1, 30],
      [18, 2, 30],
    ]);
    expect({ ...rows[rows.length - 1], seconds: 0 }).toEqual({ ...result.finalTest, seconds: 0 });
    expect(result.finalTest!.score).toBeGreaterThan(0.5); // the toy task is learnable
    const t = Trajectory.read(path.join(out, 'trajectory.arrow'));
    const steps = t.snapshots().map((s) => s.step);
    expect(steps).toEqual([0, 4, 6, 8, 12, 16, 18]); // every 4 steps and at each epoch end (6, 12, 18)
    for (const s of t.snapshots()) {
      expect(s.snapshot.heads.map((h) => h.length)).toEqual([2, 2]);
      expect(s.snapshot.ffn.map((h) => h.length)).toEqual([16, 16]);
    }
    // the coefficients moved away from 1
    expect(t.snapshots()[6].snapshot.heads[0][0]).not.toBe(1);
    expect(fs.existsSync(path.join(out, 'checkpoints', 'last.safetensors'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'checkpoints', 'best.safetensors'))).toBe(true);
    expect(noTemps(out)).toEqual([]);
  });

  test('a fixed seed gives the same run twice on one backend', async () => {
    const a = tmp();
    const b = tmp();
    await train(setup(a).options);
    await train(setup(b).options);
    expect(Trajectory.read(path.join(a, 'trajectory.arrow')).rows()).toEqual(Trajectory.read(path.join(b, 'trajectory.arrow')).rows());
    expect(metricsOf(a)).toEqual(metricsOf(b));
  });

  test('resuming after a crash gives the same trajectory and metrics as an unbroken run', async () => {
    const unbroken = tmp();
    await train(setup(unbroken).options);

    const broken = tmp();
    const crash: Callback = {
      onStep: ({ step }) => {
        if (step === 10) throw new Error('simulated crash in epoch 2');
      },
    };
    await expect(train(setup(broken, { callbacks: [crash] }).options)).rejects.toThrow('simulated crash');
    await train(setup(broken, { resume: true }).options); // a fresh process would build the model anew
    expect(Trajectory.read(path.join(broken, 'trajectory.arrow')).rows()).toEqual(Trajectory.read(path.join(unbroken, 'trajectory.arrow')).rows());
    expect(metricsOf(broken)).toEqual(metricsOf(unbroken));
  });

  /** An unbroken run, and the same run stopped by SIGINT after step 8 (mid-epoch 2), which saves its checkpoint. */
  async function unbrokenAndInterrupted(): Promise<{ unbroken: string; stopped: string }> {
    const unbroken = tmp();
    await train(setup(unbroken).options);
    const stopped = tmp();
    const interrupt: Callback = {
      onStep: ({ step }) => {
        if (step === 8) process.emit('SIGINT');
      },
    };
    await expect(train(setup(stopped, { callbacks: [interrupt] }).options)).rejects.toThrow(/Interrupted; the run was saved/);
    return { unbroken, stopped };
  }

  test('SIGINT writes a checkpoint mid-epoch, and --resume continues exactly', async () => {
    const { unbroken, stopped } = await unbrokenAndInterrupted();
    await train(setup(stopped, { resume: true }).options);
    expect(Trajectory.read(path.join(stopped, 'trajectory.arrow')).rows()).toEqual(Trajectory.read(path.join(unbroken, 'trajectory.arrow')).rows());
    // epoch 2's train row covers all 96 examples, not only those after the resume
    const rows = metricsOf(stopped);
    expect(rows.filter((r) => r[2] === 'train').map((r) => r[7])).toEqual(['96', '96', '96']);
    expect(rows).toEqual(metricsOf(unbroken));
  });

  test('a mid-epoch checkpoint written before objectives (correct and labels counts) resumes to the same metrics', async () => {
    const { unbroken, stopped } = await unbrokenAndInterrupted();
    // rewrite the checkpoint's state as the older trainer saved it; the sha256 covers only the tensor data
    const file = path.join(stopped, 'checkpoints', 'last.safetensors');
    const bytes = fs.readFileSync(file);
    const length = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + length).toString('utf8'));
    const state = JSON.parse(header.__metadata__.ebt_state);
    const { loss, examples, tally } = state.epochTotals;
    expect(tally).toHaveLength(2);
    state.epochTotals = { loss, correct: tally[0], examples, labels: tally[1] };
    header.__metadata__.ebt_state = JSON.stringify(state);
    const json = Buffer.from(JSON.stringify(header));
    const size = Buffer.alloc(8);
    size.writeBigUInt64LE(BigInt(json.length));
    fs.writeFileSync(file, Buffer.concat([size, json, bytes.subarray(8 + length)]));
    await train(setup(stopped, { resume: true }).options);
    expect(metricsOf(stopped)).toEqual(metricsOf(unbroken));
  });

  test('--resume before the first checkpoint starts from step 0', async () => {
    const unbroken = tmp();
    await train(setup(unbroken).options);
    const fresh = tmp();
    await train(setup(fresh, { resume: true }).options);
    expect(metricsOf(fresh)).toEqual(metricsOf(unbroken));
  });

  test('a checkpoint with one flipped byte is refused by its sha256, and the previous one is used', async () => {
    const out = tmp();
    await train(setup(out).options);
    const dir = path.join(out, 'checkpoints');
    const [last, previous] = [path.join(dir, 'last.safetensors'), path.join(dir, 'previous.safetensors')];
    const flip = (file: string) => {
      const bytes = fs.readFileSync(file);
      bytes[bytes.length - 100] ^= 0x01; // inside the tensor data, past the header
      fs.writeFileSync(file, bytes);
    };
    const { model, slimming } = setup(tmp());
    const variables = new Map(model.namedParameters().map(([n, v]) => [n, v] as [string, tf.Variable]));
    expect(loadCheckpoint<{ step: number }>(previous, variables).step).toBe(12);
    flip(last);
    expect(() => loadCheckpoint(last, variables)).toThrow(`'${last}' is damaged: its tensor data does not match the sha256 in its header.`);
    const warnings: string[] = [];
    expect(resumableCheckpoint(dir, (l) => warnings.push(l))).toBe(previous);
    expect(warnings).toEqual([`ebt: '${last}' is damaged: its tensor data does not match the sha256 in its header; resuming from '${previous}' instead.`]);
    // the resumed run redoes epoch 3 from the previous checkpoint and ends where an unbroken run ends
    await train(setup(out, { resume: true }).options);
    const unbroken = tmp();
    await train(setup(unbroken).options);
    expect(metricsOf(out)).toEqual(metricsOf(unbroken));
    // the damaged last checkpoint was replaced, not rotated: previous is still the good one of step 12, so a
    // damaged new last one falls back to it again (it used to become previous, and then nothing could resume)
    expect(loadCheckpoint<{ step: number }>(previous, variables).step).toBe(12);
    flip(last);
    expect(resumableCheckpoint(dir, () => undefined)).toBe(previous);
    // both damaged: refused, naming both
    flip(previous);
    expect(() => resumableCheckpoint(dir)).toThrow(CheckpointError);
    expect(() => resumableCheckpoint(dir)).toThrow(/^Cannot resume: .*last\.safetensors' is damaged.*, and .*previous\.safetensors' is damaged/);
    slimming.detach();
    model.dispose();
  });

  test('a NaN loss stops the run naming the step, keeping the last good checkpoint and no partial file', async () => {
    const out = tmp();
    const { model, options } = setup(out);
    let calls = 0;
    const forward: TrainOptions['forward'] = (x, training) => {
      const logits = model.forward(x as tf.Tensor4D, training).logits;
      return training && ++calls === 9 ? (logits.mul(NaN) as tf.Tensor2D) : logits;
    };
    const error = await train({ ...options, forward }).catch((e) => e);
    expect(error).toBeInstanceOf(TrainingError);
    expect(error.message).toMatch(/The loss is NaN at step 9 \(epoch 2\).*last good checkpoint is '.*last\.safetensors'/);
    expect(fs.existsSync(path.join(out, 'checkpoints', 'last.safetensors'))).toBe(true);
    expect(noTemps(out)).toEqual([]);
  });

  test('an epoch of training leaks no tensors', async () => {
    const { model, slimming, options } = setup(tmp(), { epochs: 1 });
    await train({ ...options, epochs: 1 });
    const before = tf.memory().numTensors;
    await train({ ...options, epochs: 2, outDir: tmp() });
    expect(tf.memory().numTensors).toBe(before);
    slimming.detach();
    model.dispose();
  });
});

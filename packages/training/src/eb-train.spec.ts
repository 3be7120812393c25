import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@ebt/backend';
import { Random } from '@ebt/data';
import { MaskDistanceCriterion, NuclearStationarityCriterion } from '@ebt/eb-criteria';
import { parseConfig, PretrainedModel, readConfig, savePretrained, ViTConfig, ViTForImageClassification } from '@ebt/models';
import { Slimming, Trajectory } from '@ebt/slimming';
import { ebTrain, EbTrainOptions, imageSource } from './index';

beforeAll(async () => {
  await initBackend({ backend: process.env.EBT_TEST_BACKEND ?? 'cpu', log: null });
});

function toy(n: number, seed: number) {
  const r = new Random(seed);
  const images = Float32Array.from({ length: n * 64 }, () => r.next());
  const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
  for (let i = 0; i < n; i++) for (let p = 0; p < 16; p++) images[i * 64 + (i % 3) * 16 + p] += 1;
  return { images, labels, shape: [1, 8, 8] as [number, number, number], numClasses: 3, name: 'toy' };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-ebtrain-'));

function setup(outDir: string, extra: Partial<EbTrainOptions> = {}): EbTrainOptions {
  const config = parseConfig({ model_type: 'vit', hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 12, image_size: 8, patch_size: 4, num_channels: 1, num_labels: 3 }) as ViTConfig;
  const model = new ViTForImageClassification(config, { seed: 3 });
  savePretrained(model, path.join(outDir, 'init'));
  return {
    model,
    slimming: Slimming.attach(model, { lambdaHeads: 1e-3, lambdaFfn: 1e-3 }),
    forwardOf: (m: PretrainedModel) => (x, training) => (m as ViTForImageClassification).forward(x as tf.Tensor4D, training).logits,
    // mask-distance with epsilon 1 draws as soon as its queue of 2 is full: at the first point after step 0
    criteria: [new MaskDistanceCriterion({ queue: 2, epsilon: 1 }), new NuclearStationarityCriterion({ smooth: 2, window: 3, every: 1, tests: ['mk'] })],
    criterion: 'mask-distance',
    train: imageSource(toy(48, 1)),
    test: imageSource(toy(24, 2)),
    epochs: 3,
    batchSize: 8,
    optimizer: { kind: 'adamw', weightDecay: 0.01 },
    schedule: { lr: 3e-3, decay: 'linear' },
    seed: 5,
    outDir,
    recordEvery: 4,
    progress: false,
    initDir: path.join(outDir, 'init'),
    ...extra,
  };
}

describe('ebTrain', () => {
  test('draws the ticket, saves it, prunes, and trains the pruned model for the rest of the budget in the same files', async () => {
    const out = tmp();
    const { result, ticket } = await ebTrain(setup(out));
    expect(ticket).toMatchObject({ criterion: 'mask-distance', step: 4, epoch: 0, heads: [3, 3] });
    expect(result.steps).toBe(18); // 3 epochs of 6 batches, the budget unchanged
    expect(result.state.phase).toBe(2);
    const config = readConfig(path.join(out, 'ticket'));
    expect(config.pruned_heads).toBeDefined();
    const snaps = Trajectory.read(path.join(out, 'trajectory.arrow')).snapshots();
    expect(snaps.map((s) => s.step)).toEqual([0, 4, 6, 8, 12, 16, 18]);
    expect(snaps[1].snapshot.heads[0]).toHaveLength(4); // dense up to the draw
    expect(snaps[2].snapshot.heads[0]).toHaveLength(3); // pruned after it
    const metrics = fs.readFileSync(path.join(out, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(metrics.filter((l) => l.includes(',test,'))).toHaveLength(3);
    const detections = JSON.parse(fs.readFileSync(path.join(out, 'detections.json'), 'utf8'));
    expect(detections.criteria.find((c: any) => c.criterion === 'mask-distance').drawnAt).toEqual({ step: 4, epoch: 0 });
  });

  test('continueWith dense only records the ticket', async () => {
    const out = tmp();
    const { result, ticket } = await ebTrain(setup(out, { continueWith: 'dense' }));
    expect(ticket!.step).toBe(4);
    expect(result.state.phase).toBe(1);
    const snaps = Trajectory.read(path.join(out, 'trajectory.arrow')).snapshots();
    expect(snaps[snaps.length - 1].snapshot.heads[0]).toHaveLength(4);
  });

  test('rewind init trains the masked initial weights from scratch, without slimming, in ticket-train/', async () => {
    const out = tmp();
    const { ticketTraining } = await ebTrain(setup(out, { rewind: 'init' }));
    expect(ticketTraining!.steps).toBe(18);
    expect(fs.existsSync(path.join(out, 'ticket-train', 'metrics.csv'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'ticket-train', 'trajectory.arrow'))).toBe(false);
  });

  test('resuming in the pruned phase gives the same trajectory as an unbroken run', async () => {
    const unbroken = tmp();
    await ebTrain(setup(unbroken));
    const broken = tmp();
    let n = 0;
    const crash = setup(broken);
    const forwardOf = crash.forwardOf;
    crash.forwardOf = (m) => {
      const f = forwardOf(m);
      return (x, training) => {
        if (training && ++n === 10) throw new Error('simulated crash in the pruned phase');
        return f(x, training);
      };
    };
    await expect(ebTrain(crash)).rejects.toThrow('simulated crash');
    const again = setup(broken, { resume: true });
    await ebTrain(again);
    expect(Trajectory.read(path.join(broken, 'trajectory.arrow')).rows()).toEqual(Trajectory.read(path.join(unbroken, 'trajectory.arrow')).rows());
  });
});

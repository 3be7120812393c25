/** A toy EB-train setup for the tests: 8x8 images of 3 classes, a 2-layer ViT, both criteria. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Random } from '@ebt/data';
import { MaskDistanceCriterion, NuclearStationarityCriterion } from '@ebt/eb-criteria';
import { parseConfig, PretrainedModel, savePretrained, ViTConfig, ViTForImageClassification } from '@ebt/models';
import { Slimming } from '@ebt/slimming';
import { imageSource } from '@ebt/training';
import { EbTrainOptions, watchOf } from '../src/index';

export function toy(n: number, seed: number) {
  const r = new Random(seed);
  const images = Float32Array.from({ length: n * 64 }, () => r.next());
  const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
  for (let i = 0; i < n; i++) for (let p = 0; p < 16; p++) images[i * 64 + (i % 3) * 16 + p] += 1;
  return { images, labels, shape: [1, 8, 8] as [number, number, number], numClasses: 3, name: 'toy' };
}

export const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-ebtrain-'));

export async function setup(outDir: string, extra: Partial<EbTrainOptions> = {}): Promise<EbTrainOptions> {
  const config = parseConfig({
    model_type: 'vit',
    hidden_size: 16,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    intermediate_size: 12,
    image_size: 8,
    patch_size: 4,
    num_channels: 1,
    num_labels: 3,
  }) as ViTConfig;
  const model = new ViTForImageClassification(config, { seed: 3 });
  await savePretrained(model, path.join(outDir, 'init'));
  return {
    model,
    slimming: Slimming.attach(model, { lambdaHeads: 1e-3, lambdaFfn: 1e-3 }),
    forwardOf: (m: PretrainedModel) => (x, training) => (m as ViTForImageClassification).forward(x as tf.Tensor4D, training).logits,
    // mask-distance with epsilon 1 draws as soon as its queue of 5 is full: the criteria see every step from
    // step 0, so at step 4
    watches: [new MaskDistanceCriterion({ queue: 5, epsilon: 1 }), new NuclearStationarityCriterion({ smooth: 2, window: 3, every: 1, tests: ['mk'] })].map(
      (c) => watchOf(c),
    ),
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

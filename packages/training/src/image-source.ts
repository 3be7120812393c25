import * as tf from '@tensorflow/tfjs';
import { gatherBatch, ImageDataset, randomCropFlip } from '@ebt/data';
import type { DataSource } from './types';

/** An in-memory image set as a DataSource; `augment` applies a pad-`cropPadding` random crop and flip. */
export function imageSource(d: ImageDataset, options: { cropPadding?: number; flip?: boolean } = {}): DataSource {
  return {
    size: d.labels.length,
    batch(indices, { augment, random }) {
      const { images, labels } = gatherBatch(d, indices);
      if (augment && options.cropPadding) randomCropFlip(images, indices.length, d.shape, options.cropPadding, () => random.next());
      return { x: tf.tensor4d(images, [indices.length, ...d.shape]), labels: tf.tensor1d(labels, 'int32') };
    },
  };
}

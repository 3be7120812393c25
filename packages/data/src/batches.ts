import { ImageDataset, datasetSize } from './dataset';
import { deriveSeed, Random } from './random';

/**
 * The order in which an epoch visits the examples: a permutation seeded by (seed, epoch), so that epoch e
 * has the same order in every run with that seed - which is what lets --resume continue mid-epoch.
 */
export function epochOrder(size: number, seed: number, epoch: number, shuffle = true): Int32Array {
  if (!shuffle) return Int32Array.from({ length: size }, (_, i) => i);
  return new Random(deriveSeed(seed, epoch)).permutation(size);
}

/** Batch b of an epoch's order (the last batch may be smaller; dropLast drops it). */
export function batchIndices(order: Int32Array, batchSize: number, batch: number): Int32Array {
  return order.subarray(batch * batchSize, Math.min(order.length, (batch + 1) * batchSize));
}

export function batchesPerEpoch(d: ImageDataset, batchSize: number, dropLast = false): number {
  const n = datasetSize(d);
  return dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

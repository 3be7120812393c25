/**
 * CIFAR-10, binary version (https://www.cs.toronto.edu/~kriz/cifar.html): each file is a run of
 * 3073-byte records, one label byte (0-9) then 1024 red, 1024 green and 1024 blue bytes (32x32, row-major).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ImageDataset } from './dataset';
import { DataError } from './errors';

const RECORD = 3073;
export const CIFAR10_TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];
export const CIFAR10_TEST_FILE = 'test_batch.bin';
/** per-channel mean and std of the CIFAR-10 training set, the usual normalisation */
export const CIFAR10_MEAN = [0.4914, 0.4822, 0.4465];
export const CIFAR10_STD = [0.247, 0.2435, 0.2616];

/** Reads binary batch files into one data set, pixels scaled to [0, 1] then normalised per channel. */
export function readCifar10Files(files: string[], name: string): ImageDataset {
  const buffers = files.map((file) => {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (e) {
      throw new DataError(`Cannot read CIFAR-10 file '${file}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
    }
    if (bytes.length === 0 || bytes.length % RECORD !== 0) {
      throw new DataError(
        `'${file}' is not a CIFAR-10 binary batch: its ${bytes.length} bytes are not a whole number of 3073-byte records (the last record starts at byte ${Math.floor(bytes.length / RECORD) * RECORD}).`,
      );
    }
    for (let r = 0; r < bytes.length; r += RECORD) {
      if (bytes[r] > 9) throw new DataError(`'${file}': the label at byte ${r} is ${bytes[r]}, not 0-9.`);
    }
    return bytes;
  });
  const n = buffers.reduce((s, b) => s + b.length / RECORD, 0);
  const images = new Float32Array(n * 3072);
  const labels = new Int32Array(n);
  let k = 0;
  for (const bytes of buffers) {
    for (let r = 0; r < bytes.length; r += RECORD, k++) {
      labels[k] = bytes[r];
      putCifarImage(images, k, (c, i) => bytes[r + 1 + c * 1024 + i]);
    }
  }
  return { images, labels, shape: [3, 32, 32], numClasses: 10, name };
}

/** Image k of a CIFAR-10 set from its bytes (channel c, pixel i row-major): scaled to [0, 1], then normalised per channel. */
export function putCifarImage(images: Float32Array, k: number, byteAt: (c: number, i: number) => number): void {
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < 1024; i++) images[k * 3072 + c * 1024 + i] = (byteAt(c, i) / 255 - CIFAR10_MEAN[c]) / CIFAR10_STD[c];
  }
}

/** DIR holds data_batch_1..5.bin and test_batch.bin (the unpacked cifar-10-binary.tar.gz). */
export function loadCifar10(dir: string): { train: ImageDataset; test: ImageDataset } {
  const inner = fs.existsSync(path.join(dir, 'cifar-10-batches-bin')) ? path.join(dir, 'cifar-10-batches-bin') : dir;
  const missing = [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE].filter((f) => !fs.existsSync(path.join(inner, f)));
  if (missing.length) throw new DataError(`CIFAR-10 folder '${dir}' lacks ${missing.join(', ')}; unpack cifar-10-binary.tar.gz there.`);
  return {
    train: readCifar10Files(
      CIFAR10_TRAIN_FILES.map((f) => path.join(inner, f)),
      'cifar10-train',
    ),
    test: readCifar10Files([path.join(inner, CIFAR10_TEST_FILE)], 'cifar10-test'),
  };
}

/**
 * The usual CIFAR augmentation, in place on one NCHW batch: a random crop of the image padded by `pad`
 * zeros on each side, then a horizontal flip with probability 1/2.
 */
export function randomCropFlip(images: Float32Array, count: number, shape: [number, number, number], pad: number, rand: () => number): void {
  const [c, h, w] = shape;
  const size = c * h * w;
  const src = new Float32Array(size);
  for (let n = 0; n < count; n++) {
    const img = images.subarray(n * size, (n + 1) * size);
    src.set(img);
    const dy = Math.floor(rand() * (2 * pad + 1)) - pad;
    const dx = Math.floor(rand() * (2 * pad + 1)) - pad;
    const flip = rand() < 0.5;
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < h; y++) {
        const sy = y + dy;
        for (let x = 0; x < w; x++) {
          const sx = (flip ? w - 1 - x : x) + dx;
          img[ch * h * w + y * w + x] = sy >= 0 && sy < h && sx >= 0 && sx < w ? src[ch * h * w + sy * w + sx] : 0;
        }
      }
    }
  }
}

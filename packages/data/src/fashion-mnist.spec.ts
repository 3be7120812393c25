import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { DataError, FASHION_MNIST_DEBIAN_DIR, fashionMnistSource, loadFashionMnist, readFashionMnistParquet, readIdx } from './index';
import { fashionMnistParquet, greyPng } from '../test/fashion-mnist-parquet';
import type { ImageDataset } from './index';

/** sha256 of image k's 784 bytes, from the [0, 1] values back to bytes */
const imageHash = (images: Float32Array, k: number) =>
  createHash('sha256')
    .update(Uint8Array.from(images.subarray(k * 784, (k + 1) * 784), (v) => Math.round(v * 255)))
    .digest('hex');

// Debian's dataset-fashion-mnist (.ci/run installs it); the references were read from the same files by Python
// (gzip + struct + hashlib), not by this reader
const installed = fs.existsSync(FASHION_MNIST_DEBIAN_DIR);
// CI sets EBT_REQUIRE_FASHION_MNIST: there a missing package fails the suite instead of skipping it
if (!installed && process.env.EBT_REQUIRE_FASHION_MNIST) throw new Error(`EBT_REQUIRE_FASHION_MNIST is set but ${FASHION_MNIST_DEBIAN_DIR} does not exist.`);
(installed ? describe : describe.skip)("Fashion-MNIST from Debian's dataset-fashion-mnist", () => {
  let train: ImageDataset;
  let testSet: ImageDataset;
  beforeAll(() => ({ train, test: testSet } = loadFashionMnist()));

  test('60,000 training and 10,000 test images of 28 x 28, 6,000 and 1,000 of each class', () => {
    expect([train.labels.length, testSet.labels.length]).toEqual([60000, 10000]);
    expect([train.images.length, testSet.images.length]).toEqual([60000 * 784, 10000 * 784]);
    expect(train.shape).toEqual([1, 28, 28]);
    const counts = (l: Int32Array) => Array.from({ length: 10 }, (_, c) => l.filter((v) => v === c).length);
    expect(counts(train.labels)).toEqual(new Array(10).fill(6000));
    expect(counts(testSet.labels)).toEqual(new Array(10).fill(1000));
    expect(Math.min(...train.images.subarray(0, 784 * 100))).toBe(0);
    expect(Math.max(...train.images.subarray(0, 784 * 100))).toBe(1);
  });

  test('known images by hash and label (the first training image is an ankle boot)', () => {
    const known: Array<[Float32Array, Int32Array, number, number, string]> = [
      [train.images, train.labels, 0, 9, '5bd44e331a6d6998daf675700cd0c13dcd7af8ab954b7585124124da61459e7b'],
      [train.images, train.labels, 1, 0, '9cf80d28fd40cb6b47fbe6cc085cbcbaf769565e1d9181a533d2540d5b3bb095'],
      [train.images, train.labels, 59999, 5, '489c477715bd5275b2646b28941db83e4ff26ece5302728fcb7632e1be5110ac'],
      [testSet.images, testSet.labels, 0, 9, 'ffc7351ed0f8bae542820866086177fa4e0b366b97bf9d998dffdb8dbe138787'],
      [testSet.images, testSet.labels, 9999, 5, '0e65cd3713adf40ebd419516c1a2256c9e24ad75e86a862368adafd141f4c1bb'],
    ];
    for (const [images, labels, k, label, hash] of known) expect([k, labels[k], imageHash(images, k)]).toEqual([k, label, hash]);
  });
});

describe('IDX files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-idx-'));
  const idx = (dims: number[], data: number[]) => {
    const header = Buffer.alloc(4 + 4 * dims.length);
    header[2] = 0x08;
    header[3] = dims.length;
    dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
    return Buffer.concat([header, Buffer.from(data)]);
  };

  test('a folder of the four files, gzipped or not, is read; bad files are named', () => {
    const px = Array.from({ length: 2 * 784 }, (_, i) => i % 256);
    fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte.gz'), zlib.gzipSync(idx([2, 28, 28], px)));
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idx([2], [3, 7]));
    fs.writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), idx([1, 28, 28], px.slice(0, 784)));
    fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), idx([1], [9]));
    const small = loadFashionMnist(dir);
    expect(Array.from(small.train.labels)).toEqual([3, 7]);
    expect(small.train.images[784 + 1]).toBeCloseTo(((784 + 1) % 256) / 255, 7);
    expect(small.test.name).toBe('fashion-mnist-test');
    expect(readIdx(path.join(dir, 't10k-labels-idx1-ubyte')).dims).toEqual([1]);

    fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), idx([1], [12]));
    expect(() => loadFashionMnist(dir)).toThrow(DataError);
    expect(() => loadFashionMnist(dir)).toThrow(/t10k-labels-idx1-ubyte': label 0 is 12, not 0-9/);
    fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), idx([2], [1, 2]));
    expect(() => loadFashionMnist(dir)).toThrow(/2 labels for the 1 images/);
    fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), idx([3], [1, 2]));
    expect(() => loadFashionMnist(dir)).toThrow(/the header's 3 = 3 elements, but 2 bytes follow it/);
    fs.rmSync(path.join(dir, 't10k-labels-idx1-ubyte'));
    expect(() => loadFashionMnist(dir)).toThrow(/lacks t10k-labels-idx1-ubyte\(\.gz\)/);
    expect(() => loadFashionMnist(path.join(dir, 'nowhere'))).toThrow(/does not exist/);
  });

  test('the hub parquet (grey PNGs) gives the same values as the IDX files', async () => {
    const px = [0, 1].map((k) => Uint8Array.from({ length: 784 }, (_, i) => (i * 7 + k * 31) % 256));
    const file = path.join(dir, 'train-00000-of-00001.parquet');
    fs.writeFileSync(file, fashionMnistParquet(px.map(greyPng), [3, 7]));
    fs.writeFileSync(path.join(dir, 'idx-images'), idx([2, 28, 28], [...px[0], ...px[1]]));
    const fromParquet = await readFashionMnistParquet([file], 'fashion-mnist-train');
    expect(Array.from(fromParquet.labels)).toEqual([3, 7]);
    expect(Array.from(fromParquet.images)).toEqual(Array.from(readIdx(path.join(dir, 'idx-images')).data, (v) => Math.fround(v / 255)));
    fs.writeFileSync(file, fashionMnistParquet([greyPng(px[0])], [10]));
    await expect(readFashionMnistParquet([file], 'x')).rejects.toThrow(/row 0: label 10 is not 0-9/);
  });

  test('--data names: fashion-mnist is the Debian folder when installed, else the hub; fashion-mnist:DIR a folder of its own', () => {
    expect(fashionMnistSource('fashion-mnist', true)).toEqual({ dir: FASHION_MNIST_DEBIAN_DIR });
    expect(fashionMnistSource('fashion-mnist', false)).toEqual({ hub: true });
    expect(fashionMnistSource('fashion-mnist:/data/fm')).toEqual({ dir: '/data/fm' });
    expect(fashionMnistSource('mnist')).toBeNull();
  });
});

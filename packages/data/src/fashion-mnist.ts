/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf 2017; https://github.com/zalandoresearch/fashion-mnist): 60,000 training
 * and 10,000 test images of clothing, 28x28 grey, 10 classes - MNIST's format and size, a harder task. Read from
 * the four IDX files (gzipped or not), as Debian's `dataset-fashion-mnist` installs them.
 *
 * Also from the hub's parquet (`readFashionMnistParquet`). IDX (LeCun et al.'s format): a big-endian header - two zero bytes, the element type (0x08: unsigned byte), the
 * number of dimensions - then one 32-bit size per dimension, then the elements row-major.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { ImageDataset } from './dataset';
import { DataError } from './errors';
import { readImageParquet } from './image-parquet';

/** Where Debian's `dataset-fashion-mnist` puts the files: `--data fashion-mnist` reads them from here. */
export const FASHION_MNIST_DEBIAN_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** The class names, by label (the dataset's README). */
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** An IDX file of unsigned bytes: its dimensions and elements. */
export function readIdx(file: string): { dims: number[]; data: Uint8Array } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
    if (file.endsWith('.gz')) bytes = zlib.gunzipSync(bytes);
  } catch (e) {
    throw new DataError(`Cannot read IDX file '${file}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw new DataError(`'${file}' is not an IDX file (it does not start with two zero bytes).`);
  if (bytes[2] !== 0x08) throw new DataError(`'${file}': element type 0x${bytes[2].toString(16)}, not unsigned bytes (0x08).`);
  const rank = bytes[3];
  if (bytes.length < 4 + 4 * rank) throw new DataError(`'${file}': its header names ${rank} dimensions but the file ends inside it.`);
  const dims = Array.from({ length: rank }, (_, i) => bytes.readUInt32BE(4 + 4 * i));
  const count = dims.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * rank;
  if (bytes.length - start !== count) {
    throw new DataError(`'${file}': the header's ${dims.join(' x ')} = ${count} elements, but ${bytes.length - start} bytes follow it.`);
  }
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + start, count) };
}

/** The file of `name` in `dir`, gzipped or not. */
function idxFile(dir: string, name: string): string {
  for (const f of [`${name}.gz`, name]) if (fs.existsSync(path.join(dir, f))) return path.join(dir, f);
  throw new DataError(`Fashion-MNIST folder '${dir}' lacks ${name}(.gz); it needs ${Object.values(FASHION_MNIST_FILES).join(', ')}.`);
}

function readSplit(dir: string, images: string, labels: string, name: string): ImageDataset {
  const [imageFile, labelFile] = [idxFile(dir, images), idxFile(dir, labels)];
  const px = readIdx(imageFile);
  const lab = readIdx(labelFile);
  if (px.dims.length !== 3 || px.dims[1] !== 28 || px.dims[2] !== 28) throw new DataError(`'${imageFile}': images of ${px.dims.join(' x ')}, not N x 28 x 28.`);
  if (lab.dims.length !== 1 || lab.dims[0] !== px.dims[0]) {
    throw new DataError(`'${labelFile}': ${lab.dims.join(' x ')} labels for the ${px.dims[0]} images of '${imageFile}'.`);
  }
  const labelsOut = new Int32Array(lab.data.length);
  lab.data.forEach((v, i) => {
    if (v > 9) throw new DataError(`'${labelFile}': label ${i} is ${v}, not 0-9.`);
    labelsOut[i] = v;
  });
  const out = new Float32Array(px.data.length);
  for (let i = 0; i < px.data.length; i++) out[i] = px.data[i] / 255;
  return { images: out, labels: labelsOut, shape: [1, 28, 28], numClasses: 10, name };
}

/** The training and test sets of the four IDX files in `dir`, grey values scaled to [0, 1] (as the embedded MNIST). */
export function loadFashionMnist(dir: string = FASHION_MNIST_DEBIAN_DIR): { train: ImageDataset; test: ImageDataset } {
  if (!fs.existsSync(dir)) {
    throw new DataError(
      dir === FASHION_MNIST_DEBIAN_DIR
        ? `Fashion-MNIST is not installed at ${dir}: install Debian's dataset-fashion-mnist, or give the four IDX files' folder as --data fashion-mnist:DIR.`
        : `Fashion-MNIST folder '${dir}' does not exist.`,
    );
  }
  const f = FASHION_MNIST_FILES;
  return { train: readSplit(dir, f.trainImages, f.trainLabels, 'fashion-mnist-train'), test: readSplit(dir, f.testImages, f.testLabels, 'fashion-mnist-test') };
}

/**
 * Where `--data` finds Fashion-MNIST: `fashion-mnist:DIR` a folder of IDX files; `fashion-mnist` Debian's folder
 * when it is installed, else the hub's parquet (zalando-datasets/fashion_mnist, into the HF cache); null for
 * another spec.
 */
export function fashionMnistSource(spec: string, installed = fs.existsSync(FASHION_MNIST_DEBIAN_DIR)): { dir: string } | { hub: true } | null {
  if (spec === 'fashion-mnist') return installed ? { dir: FASHION_MNIST_DEBIAN_DIR } : { hub: true };
  if (spec.startsWith('fashion-mnist:')) return { dir: spec.slice('fashion-mnist:'.length) };
  return null;
}

/**
 * Fashion-MNIST as the hub's `zalando-datasets/fashion_mnist` stores it: parquet rows of `image` {bytes: a 28x28
 * grey PNG, path} and `label` (0-9); the same values as the IDX files give.
 */
export async function readFashionMnistParquet(files: string[], name: string): Promise<ImageDataset> {
  // a grey PNG decodes with R = G = B
  const { images, labels } = await readImageParquet(files, { column: 'image', size: 28, values: 784, what: 'Fashion-MNIST' }, (out, k, rgba) => {
    for (let i = 0; i < 784; i++) out[k * 784 + i] = rgba[4 * i] / 255;
  });
  return { images, labels, shape: [1, 28, 28], numClasses: 10, name };
}

/** Both splits of the hub's Fashion-MNIST (the files `resolveFashionMnist` of @ebt/hub returns). */
export async function loadFashionMnistParquet(files: { train: string[]; test: string[] }): Promise<{ train: ImageDataset; test: ImageDataset }> {
  return { train: await readFashionMnistParquet(files.train, 'fashion-mnist-train'), test: await readFashionMnistParquet(files.test, 'fashion-mnist-test') };
}

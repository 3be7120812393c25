import { putCifarImage } from './cifar10';
import { ImageDataset } from './dataset';
import { readImageParquet } from './image-parquet';

/**
 * CIFAR-10 as the hub's `uoft-cs/cifar10` stores it: parquet rows of `img` {bytes: a 32x32 PNG, path} and
 * `label` (0-9). The same pixels and normalisation as the binary batches (`readCifar10Files`).
 */
export async function readCifar10Parquet(files: string[], name: string): Promise<ImageDataset> {
  const { images, labels } = await readImageParquet(files, { column: 'img', size: 32, values: 3072, what: 'CIFAR-10' }, (out, k, rgba) =>
    putCifarImage(out, k, (c, i) => rgba[4 * i + c]),
  );
  return { images, labels, shape: [3, 32, 32], numClasses: 10, name };
}

/** Both splits of the hub's CIFAR-10 (the files `resolveCifar10` of @ebt/hub returns). */
export async function loadCifar10Parquet(files: { train: string[]; test: string[] }): Promise<{ train: ImageDataset; test: ImageDataset }> {
  return { train: await readCifar10Parquet(files.train, 'cifar10-train'), test: await readCifar10Parquet(files.test, 'cifar10-test') };
}

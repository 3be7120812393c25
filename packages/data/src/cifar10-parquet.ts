import { PNG } from 'pngjs';
import { putCifarImage } from './cifar10';
import { ImageDataset } from './dataset';
import { DataError } from './errors';
import { readParquetRows } from './parquet-rows';

/**
 * CIFAR-10 as the hub's `uoft-cs/cifar10` stores it: parquet rows of `img` {bytes: a 32x32 PNG, path} and
 * `label` (0-9). The same pixels and normalisation as the binary batches (`readCifar10Files`).
 */
export async function readCifar10Parquet(files: string[], name: string): Promise<ImageDataset> {
  const rows: Array<{ file: string; index: number; row: Record<string, unknown> }> = [];
  for (const file of files) (await readParquetRows(file, { utf8: false })).forEach((row, index) => rows.push({ file, index, row }));
  const images = new Float32Array(rows.length * 3072);
  const labels = new Int32Array(rows.length);
  rows.forEach(({ file, index, row }, k) => {
    const where = `'${file}', row ${index}`;
    const img = row.img as { bytes?: unknown } | undefined;
    if (!img || !(img.bytes instanceof Uint8Array))
      throw new DataError(`${where}: no 'img' column with PNG bytes (it has ${Object.keys(row).join(', ')}); is it CIFAR-10?`);
    const label = Number(row.label);
    if (!Number.isInteger(label) || label < 0 || label > 9) throw new DataError(`${where}: label ${String(row.label)} is not 0-9.`);
    let png: PNG;
    try {
      png = PNG.sync.read(Buffer.from(img.bytes.buffer, img.bytes.byteOffset, img.bytes.byteLength));
    } catch (e) {
      throw new DataError(`${where}: the image is not a readable PNG (${(e as Error).message}).`);
    }
    if (png.width !== 32 || png.height !== 32) throw new DataError(`${where}: the image is ${png.width}x${png.height}, not CIFAR-10's 32x32.`);
    labels[k] = label;
    // pngjs gives RGBA whatever the PNG's colour type
    putCifarImage(images, k, (c, i) => png.data[4 * i + c]);
  });
  return { images, labels, shape: [3, 32, 32], numClasses: 10, name };
}

/** Both splits of the hub's CIFAR-10 (the files `resolveCifar10` of @ebt/hub returns). */
export async function loadCifar10Parquet(files: { train: string[]; test: string[] }): Promise<{ train: ImageDataset; test: ImageDataset }> {
  return { train: await readCifar10Parquet(files.train, 'cifar10-train'), test: await readCifar10Parquet(files.test, 'cifar10-test') };
}

import { PNG } from 'pngjs';
import { DataError } from './errors';
import { readParquetRows } from './parquet-rows';

/** How the hub stores an image data set in parquet: a struct column {bytes: a PNG, path} of one size, and `label` (0-9). */
export interface ImageParquetLayout {
  /** the struct column's name: `img` (uoft-cs/cifar10), `image` (zalando-datasets/fashion_mnist) */
  column: string;
  size: number;
  /** the values one image takes in the data set (3 x 32 x 32, 28 x 28) */
  values: number;
  /** the data set's name in messages */
  what: string;
}

/**
 * The images and labels of the files' rows: each row's PNG decoded (pngjs gives RGBA whatever the PNG's colour
 * type), its label checked, and `put` writing image k's values into `images` from the RGBA bytes.
 */
export async function readImageParquet(
  files: string[],
  layout: ImageParquetLayout,
  put: (images: Float32Array, k: number, rgba: Uint8Array) => void,
): Promise<{ images: Float32Array; labels: Int32Array }> {
  const rows: Array<{ file: string; index: number; row: Record<string, unknown> }> = [];
  for (const file of files) (await readParquetRows(file, { utf8: false })).forEach((row, index) => rows.push({ file, index, row }));
  const images = new Float32Array(rows.length * layout.values);
  const labels = new Int32Array(rows.length);
  rows.forEach(({ file, index, row }, k) => {
    const where = `'${file}', row ${index}`;
    const image = row[layout.column] as { bytes?: unknown } | undefined;
    if (!image || !(image.bytes instanceof Uint8Array))
      throw new DataError(`${where}: no '${layout.column}' column with PNG bytes (it has ${Object.keys(row).join(', ')}); is it ${layout.what}?`);
    const label = Number(row.label);
    if (!Number.isInteger(label) || label < 0 || label > 9) throw new DataError(`${where}: label ${String(row.label)} is not 0-9.`);
    let png: PNG;
    try {
      png = PNG.sync.read(Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength));
    } catch (e) {
      throw new DataError(`${where}: the image is not a readable PNG (${(e as Error).message}).`);
    }
    const { size } = layout;
    if (png.width !== size || png.height !== size)
      throw new DataError(`${where}: the image is ${png.width}x${png.height}, not ${layout.what}'s ${size}x${size}.`);
    labels[k] = label;
    put(images, k, png.data);
  });
  return { images, labels };
}

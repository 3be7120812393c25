import { parquetWriteBuffer } from 'hyparquet-writer';
import { PNG } from 'pngjs';

/** One 32x32 RGB image as a PNG, from channel-planar bytes (c * 1024 + i), as the CIFAR-10 binary stores them. */
export function cifarPng(planar: Uint8Array): Uint8Array {
  const png = new PNG({ width: 32, height: 32, colorType: 2 });
  for (let i = 0; i < 1024; i++) {
    for (let c = 0; c < 3; c++) png.data[4 * i + c] = planar[c * 1024 + i];
    png.data[4 * i + 3] = 255;
  }
  return new Uint8Array(PNG.sync.write(png, { colorType: 2 }));
}

/** A CIFAR-10 split as the hub's uoft-cs/cifar10 stores it: `img` {bytes (PNG), path} and an INT64 `label`. */
export function cifar10Parquet(images: Uint8Array[], labels: number[]): Uint8Array {
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: 'img', data: images.map((bytes) => ({ bytes, path: null })) },
        { name: 'label', data: labels.map(BigInt) },
      ],
      schema: [
        { name: 'schema', num_children: 2 },
        { name: 'img', repetition_type: 'OPTIONAL', num_children: 2 },
        { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
        { name: 'path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
        { name: 'label', type: 'INT64', repetition_type: 'OPTIONAL' },
      ],
    }),
  );
}

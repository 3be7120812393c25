import { PNG } from 'pngjs';
import { parquetWriteBuffer } from 'hyparquet-writer';

/** A 28x28 grey PNG of 784 bytes, row-major. */
export function greyPng(pixels: Uint8Array): Uint8Array {
  const png = new PNG({ width: 28, height: 28, colorType: 0 });
  for (let i = 0; i < 784; i++) {
    png.data.fill(pixels[i], 4 * i, 4 * i + 3);
    png.data[4 * i + 3] = 255;
  }
  return new Uint8Array(PNG.sync.write(png, { colorType: 0 }));
}

/** A Fashion-MNIST split as the hub's zalando-datasets/fashion_mnist stores it: `image` {bytes (PNG), path} and an INT64 `label`. */
export function fashionMnistParquet(images: Uint8Array[], labels: number[]): Uint8Array {
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: 'image', data: images.map((bytes) => ({ bytes, path: null })) },
        { name: 'label', data: labels.map(BigInt) },
      ],
      schema: [
        { name: 'schema', num_children: 2 },
        { name: 'image', repetition_type: 'OPTIONAL', num_children: 2 },
        { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
        { name: 'path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
        { name: 'label', type: 'INT64', repetition_type: 'OPTIONAL' },
      ],
    }),
  );
}

import { PNG } from 'pngjs';
import { imageParquet } from './image-parquet';

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
export const fashionMnistParquet = (images: Uint8Array[], labels: number[]) => imageParquet('image', images, labels);

import { PNG } from 'pngjs';
import { imageParquet } from './image-parquet';

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
export const cifar10Parquet = (images: Uint8Array[], labels: number[]) => imageParquet('img', images, labels);

/** An image classification set held in memory: N images as NCHW float32, and their labels. */
export interface ImageDataset {
  images: Float32Array; // [N, C, H, W]
  labels: Int32Array; // [N]
  shape: [channels: number, height: number, width: number];
  numClasses: number;
  name: string;
}

export function datasetSize(d: ImageDataset): number {
  return d.labels.length;
}

/** The images and labels at `indices`, copied into one batch. */
export function gatherBatch(d: ImageDataset, indices: ArrayLike<number>): { images: Float32Array; labels: Int32Array } {
  const [c, h, w] = d.shape;
  const size = c * h * w;
  const images = new Float32Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i];
    images.set(d.images.subarray(k * size, (k + 1) * size), i * size);
    labels[i] = d.labels[k];
  }
  return { images, labels };
}

/** The first n examples (all of them when n is undefined or larger), for quick runs. */
export function takeFirst(d: ImageDataset, n: number | undefined): ImageDataset {
  if (!n || n >= d.labels.length) return d;
  const size = d.shape.reduce((a, b) => a * b, 1);
  return { ...d, images: d.images.slice(0, n * size), labels: d.labels.slice(0, n) };
}

/**
 * Kernels that tfjs-backend-wasm lacks and ebt needs, written in TypeScript on the wasm heap.
 * UnsortedSegmentSum is the gradient of Gather, i.e. of every embedding lookup (BERT's word, position and
 * token-type embeddings); without it BERT cannot train on wasm.
 */
import * as tf from '@tensorflow/tfjs';

interface WasmBackendLike {
  readSync(dataId: object): ArrayLike<number>;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array;
}

let registered = false;

export function registerWasmKernels(): void {
  if (registered || tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  registered = true;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const b = backend as unknown as WasmBackendLike;
      const values = b.readSync(x.dataId);
      const ids = b.readSync(segmentIds.dataId);
      const outer = segmentIds.shape.reduce((a, d) => a * d, 1);
      const innerShape = x.shape.slice(segmentIds.shape.length);
      const inner = innerShape.reduce((a, d) => a * d, 1);
      const out = b.makeOutput([numSegments, ...innerShape], x.dtype);
      const result = b.typedArrayFromHeap(out);
      result.fill(0);
      for (let i = 0; i < outer; i++) {
        const s = ids[i];
        if (s < 0 || s >= numSegments) continue; // as TensorFlow: out-of-range ids are dropped
        const src = i * inner;
        const dst = s * inner;
        for (let j = 0; j < inner; j++) result[dst + j] += values[src + j];
      }
      return out;
    },
  });
}

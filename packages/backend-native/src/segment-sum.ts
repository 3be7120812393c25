/**
 * UnsortedSegmentSum - the gradient of Gather, so of every embedding lookup - in one pass over x. tfjs-backend-cpu
 * builds it from one equal, multiply and sum per segment: O(numSegments x size(x)), for a BERT of an 8,192-token
 * vocabulary 8,192 full passes over the [batch x tokens, hidden] gradient every step (BERT-base's 30,522 worse),
 * which left the native backend, inheriting the cpu kernel, minutes per step. Here each row of x is added into its
 * segment in row order - the order the cpu kernel's sum adds them in (its other rows add +0) - so the result is the
 * same; ids outside [0, numSegments) are dropped, as TensorFlow does.
 */
import * as tf from '@tensorflow/tfjs';
import { cpuKernel, KernelArgs, values } from './kernel-util';

export function unsortedSegmentSum(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, segmentIds } = inputs;
  if (x.dtype !== 'float32') return cpuKernel(tf.UnsortedSegmentSum)(args) as tf.TensorInfo;
  const numSegments = attrs!.numSegments as number;
  const ids = backend.data.get(segmentIds.dataId).values as ArrayLike<number>;
  const xs = values(backend, x);
  const inner = tf.util.sizeFromShape(x.shape.slice(segmentIds.shape.length));
  const out = new Float32Array(numSegments * inner);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (!(s >= 0 && s < numSegments)) continue;
    const from = i * inner;
    const to = s * inner;
    for (let j = 0; j < inner; j++) out[to + j] += xs[from + j];
  }
  return backend.makeTensorInfo([numSegments, ...x.shape.slice(segmentIds.shape.length)], 'float32', out);
}

/**
 * Where one training step's time goes, in three parts: inside the matrix-product kernels (PRODUCT_KERNELS),
 * inside every other kernel, and outside any kernel (tfjs's engine: the gradient tape, scopes, the tensors
 * it saves for the backward pass; the model's own code; garbage collection). Each kernel call is timed
 * around the call, so the parts are compute time on a backend whose kernels compute in the call (native,
 * cpu, wasm) and only dispatch time on a GPU backend.
 */
import * as tf from '@tensorflow/tfjs';
import { PRODUCT_KERNELS } from '@ebt/backend-native';
import { withWrappedKernels } from './product-bound';

export interface StepBreakdown {
  /** the timed step, wall clock */
  ms: number;
  /** inside the calls of the product kernels */
  productsMs: number;
  /** inside the calls of every other kernel */
  otherKernelsMs: number;
  /** ms - productsMs - otherKernelsMs */
  outsideKernelsMs: number;
  /** kernel calls the step made (a kernel called from inside another is part of its caller's time and not counted) */
  kernelCalls: number;
}

/** One call of `step` with every kernel of the current backend timed (run it warm: after a step or two). */
export async function stepBreakdown(step: () => Promise<void>): Promise<StepBreakdown> {
  let productsNs = 0n;
  let otherNs = 0n;
  let kernelCalls = 0;
  let depth = 0;
  const time = (config: tf.KernelConfig): tf.KernelFunc => {
    const isProduct = config.kernelName in PRODUCT_KERNELS;
    return (args) => {
      if (depth > 0) return config.kernelFunc(args);
      depth++;
      const t0 = process.hrtime.bigint();
      try {
        return config.kernelFunc(args);
      } finally {
        const t = process.hrtime.bigint() - t0;
        depth--;
        kernelCalls++;
        if (isProduct) productsNs += t;
        else otherNs += t;
      }
    };
  };
  const names = tf.getKernelsForBackend(tf.getBackend()).map((k) => k.kernelName);
  const ms = await withWrappedKernels(names, time, async () => {
    const t0 = process.hrtime.bigint();
    await step();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  });
  const productsMs = Number(productsNs) / 1e6;
  const otherKernelsMs = Number(otherNs) / 1e6;
  return { ms, productsMs, otherKernelsMs, outsideKernelsMs: ms - productsMs - otherKernelsMs, kernelCalls };
}

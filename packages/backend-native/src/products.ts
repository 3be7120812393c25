import * as tf from '@tensorflow/tfjs';
import { FUSED_LINEAR } from './fused';
import { FUSED_HEAD_CONTEXT, FUSED_HEAD_SCORES } from './head-matmul';
import { productDims } from './matmul';

/** The matrix product a kernel call runs: batch x op(A) [m, k] times op(B) [k, n]. */
export interface ProductShape {
  batch: number;
  m: number;
  k: number;
  n: number;
  transposeA: boolean;
  transposeB: boolean;
}

type Inputs = Record<string, tf.TensorInfo>;
type Describe = (inputs: Inputs, attrs: tf.NamedAttrMap) => ProductShape;

/** tfjs's BatchMatMul and _FusedMatMul: a [..., m, k] (or [..., k, m] transposed) times b */
function matMul({ a, b }: Inputs, attrs: tf.NamedAttrMap): ProductShape {
  const { transposeA = false, transposeB = false } = attrs as { transposeA?: boolean; transposeB?: boolean };
  const { batchA, batchB, m, k, n } = productDims(a.shape, b.shape, transposeA, transposeB);
  return { batch: Math.max(batchA, batchB), m, k, n, transposeA, transposeB };
}

/**
 * Every kernel that runs matrix products, with the product one call runs: what `ebt bench train-step` times
 * alone to find a step's product bound. A kernel that multiplies matrices belongs here.
 */
export const PRODUCT_KERNELS: Record<string, Describe> = {
  [tf.BatchMatMul]: matMul,
  [tf._FusedMatMul]: matMul,
  [FUSED_LINEAR]: ({ x, weight }) => ({ batch: 1, m: x.shape[0], k: x.shape[1], n: weight.shape[1], transposeA: false, transposeB: false }),
  [FUSED_HEAD_SCORES]: ({ q, k }, attrs) => {
    const heads = (attrs as { heads: number }).heads;
    return { batch: q.shape[0] * heads, m: q.shape[1], k: q.shape[2] / heads, n: k.shape[1], transposeA: false, transposeB: true };
  },
  [FUSED_HEAD_CONTEXT]: ({ p, v }, attrs) => {
    const transposeP = (attrs as { transposeP: boolean }).transposeP;
    const [batch, heads, rows, cols] = p.shape;
    const [m, k] = transposeP ? [cols, rows] : [rows, cols];
    return { batch: batch * heads, m, k, n: v.shape[2] / heads, transposeA: transposeP, transposeB: false };
  },
};

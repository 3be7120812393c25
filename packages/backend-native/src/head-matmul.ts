import * as tf from '@tensorflow/tfjs';
import { addon } from './addon';
import { allocate, KernelArgs, requireFloat32, values } from './kernel-util';

/**
 * Attention's two products per head, on the interleaved [B, T, H * d] layout of the query/key/value projections
 * and of the context the output projection reads: the addon's sgemm finds each head by strides, so the
 * reshape-transpose to [B, H, T, d] and back (and their gradients) are not needed. The products are the ones
 * matMul computes on the transposed copies; the two kernels are each other's gradients.
 */
export const FUSED_HEAD_SCORES = 'EbtHeadScores';
export const FUSED_HEAD_CONTEXT = 'EbtHeadContext';

function fail(kernel: string, message: string): never {
  throw new Error(`${kernel}: ${message}`);
}

/** scores [B, H, T, S] = Q_h K_h^T, from q [B, T, H d] and k [B, S, H d] (attrs: { heads: H }) */
export function headScores({ inputs: { q, k }, backend, attrs }: KernelArgs): tf.TensorInfo {
  requireFloat32(FUSED_HEAD_SCORES, q, k);
  const heads = (attrs as { heads: number }).heads;
  if (q.shape.length !== 3 || k.shape.length !== 3) fail(FUSED_HEAD_SCORES, `takes q and k of rank 3, got ${q.shape} and ${k.shape}`);
  const [batch, t, width] = q.shape;
  const s = k.shape[1];
  if (!(heads > 0) || width % heads !== 0 || k.shape[0] !== batch || k.shape[2] !== width) {
    fail(FUSED_HEAD_SCORES, `q ${q.shape} and k ${k.shape} are not [B, T, H d] and [B, S, H d] with H = ${heads}`);
  }
  const d = width / heads;
  const out = allocate(backend, batch * heads * t * s);
  const layout = Int32Array.of(t * width, d, width, s * width, d, width, heads * t * s, t * s, s);
  addon().headMatMul(values(backend, q), values(backend, k), out, batch, heads, t, s, d, false, true, layout);
  return backend.makeTensorInfo([batch, heads, t, s], 'float32', out);
}

/**
 * context [B, T, H d] = P_h V_h, from p [B, H, T, S] and v [B, S, H d]; with attrs.transposeP, P_h^T V_h from
 * p [B, H, S, T].
 */
export function headContext({ inputs: { p, v }, backend, attrs }: KernelArgs): tf.TensorInfo {
  requireFloat32(FUSED_HEAD_CONTEXT, p, v);
  const transposeP = (attrs as { transposeP: boolean }).transposeP;
  if (p.shape.length !== 4 || v.shape.length !== 3) fail(FUSED_HEAD_CONTEXT, `takes p of rank 4 and v of rank 3, got ${p.shape} and ${v.shape}`);
  const [batch, heads, rows, cols] = p.shape;
  const [t, s] = transposeP ? [cols, rows] : [rows, cols];
  const width = v.shape[2];
  if (heads === 0 || width % heads !== 0 || v.shape[0] !== batch || v.shape[1] !== s) {
    fail(FUSED_HEAD_CONTEXT, `p ${p.shape} and v ${v.shape} are not [B, H, ${transposeP ? 'S, T' : 'T, S'}] and [B, S, H d]`);
  }
  const d = width / heads;
  const out = allocate(backend, batch * t * width);
  const layout = Int32Array.of(heads * rows * cols, rows * cols, cols, s * width, d, width, t * width, d, width);
  addon().headMatMul(values(backend, p), values(backend, v), out, batch, heads, t, d, s, transposeP, false, layout);
  return backend.makeTensorInfo([batch, t, width], 'float32', out);
}

const scores = (q: tf.Tensor, k: tf.Tensor, heads: number) => tf.engine().runKernel(FUSED_HEAD_SCORES, { q, k }, { heads }) as tf.Tensor;
const context = (p: tf.Tensor, v: tf.Tensor, transposeP: boolean) => tf.engine().runKernel(FUSED_HEAD_CONTEXT, { p, v }, { transposeP }) as tf.Tensor;

export function registerHeadGradients(): void {
  // S = Q K^T: dQ = dS K, dK = dS^T Q
  tf.registerGradient({
    kernelName: FUSED_HEAD_SCORES,
    inputsToSave: ['q', 'k'],
    gradFunc: (dy, [q, k]) => ({ q: () => context(dy as tf.Tensor, k, false), k: () => context(dy as tf.Tensor, q, true) }),
  });
  // C = P V: dP = dC V^T, dV = P^T dC; C = P^T V: dP = V dC^T, dV = P dC
  tf.registerGradient({
    kernelName: FUSED_HEAD_CONTEXT,
    inputsToSave: ['p', 'v'],
    gradFunc: (dy, [p, v], attrs) => {
      const transposeP = (attrs as { transposeP: boolean }).transposeP;
      const heads = p.shape[1] ?? 0;
      return {
        p: () => (transposeP ? scores(v, dy as tf.Tensor, heads) : scores(dy as tf.Tensor, v, heads)),
        v: () => context(p, dy as tf.Tensor, !transposeP),
      };
    },
  });
}

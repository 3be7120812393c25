import * as tf from '@tensorflow/tfjs';
import { Linear } from './linear';
import { dropout as dropoutProbs } from './dropout';
import { FUSED_HEAD_CONTEXT, FUSED_HEAD_SCORES, FUSED_SOFTMAX, hasKernel } from './fused-kernels';
import { Initializer, Module } from './module';

/** Where network slimming plugs in: a coefficient per head, or per FFN neuron; null means none (all ones). */
export interface SlimmingHook {
  coefficients: tf.Tensor1D | null;
}

/**
 * Multi-head self-attention (BertSelfAttention / ViTSelfAttention). Returns each head's context
 * softmax(QK^T / sqrt(d)) V, scaled by the head's slimming coefficient, heads concatenated: [B, T, H*d].
 * A pruned layer simply has fewer heads.
 */
export class SelfAttention extends Module {
  query: Linear;
  key: Linear;
  value: Linear;
  readonly slimming: SlimmingHook = { coefficients: null };

  constructor(
    hiddenSize: number,
    readonly numHeads: number,
    readonly headDim: number,
    init: Initializer,
    qkvBias = true,
  ) {
    super();
    const inner = numHeads * headDim;
    this.query = new Linear(hiddenSize, inner, init, qkvBias);
    this.key = new Linear(hiddenSize, inner, init, qkvBias);
    this.value = new Linear(hiddenSize, inner, init, qkvBias);
  }

  /** x [B, T, D]; maskBias [B, 1, 1, T] added to the scores (0 keep, large negative drop) */
  forward(x: tf.Tensor3D, maskBias: tf.Tensor | null, dropout = 0): tf.Tensor3D {
    if (this.numHeads > 0 && x.dtype === 'float32' && hasKernel(FUSED_HEAD_SCORES)) return this.forwardInterleaved(x, maskBias, dropout);
    return tf.tidy(() => {
      const [b, t] = x.shape;
      const heads = (y: tf.Tensor) => y.reshape([b, t, this.numHeads, this.headDim]).transpose([0, 2, 1, 3]);
      const q = heads(this.query.forward(x)); // [B, H, T, d]
      const k = heads(this.key.forward(x));
      const v = heads(this.value.forward(x));
      let probs = scaledSoftmax(tf.matMul(q, k, false, true), 1 / Math.sqrt(this.headDim), maskBias); // [B, H, T, T]
      probs = dropoutProbs(probs, dropout, dropout > 0);
      let context = tf.matMul(probs, v); // [B, H, T, d]
      const c = this.slimming.coefficients;
      if (c) context = context.mul(c.reshape([1, this.numHeads, 1, 1]));
      return context.transpose([0, 2, 1, 3]).reshape([b, t, this.numHeads * this.headDim]) as tf.Tensor3D;
    });
  }

  /** The same on a backend whose kernels find each head in the [B, T, H d] projections by strides (no transposes). */
  private forwardInterleaved(x: tf.Tensor3D, maskBias: tf.Tensor | null, dropout: number): tf.Tensor3D {
    return tf.tidy(() => {
      const [b, t] = x.shape;
      const [q, k, v] = [this.query, this.key, this.value].map((proj) => proj.forward(x));
      const scores = tf.engine().runKernel(FUSED_HEAD_SCORES, { q, k }, { heads: this.numHeads }) as tf.Tensor; // [B, H, T, T]
      const probs = dropoutProbs(scaledSoftmax(scores, 1 / Math.sqrt(this.headDim), maskBias), dropout, dropout > 0);
      const context = tf.engine().runKernel(FUSED_HEAD_CONTEXT, { p: probs, v }, { transposeP: false }) as tf.Tensor3D; // [B, T, H d]
      const c = this.slimming.coefficients;
      if (!c) return context;
      return context
        .reshape([b, t, this.numHeads, this.headDim])
        .mul(c.reshape([1, 1, this.numHeads, 1]))
        .reshape([b, t, this.numHeads * this.headDim]) as tf.Tensor3D;
    });
  }
}

/** softmax(scores * scale + maskBias) over the last axis; scale and softmax in one kernel where the backend has it. */
function scaledSoftmax(scores: tf.Tensor, scale: number, maskBias: tf.Tensor | null): tf.Tensor {
  const fused = scores.dtype === 'float32' && hasKernel(FUSED_SOFTMAX);
  if (maskBias) return fused ? fusedSoftmax(scores.mul(scale).add(maskBias), 1) : tf.softmax(scores.mul(scale).add(maskBias), -1);
  return fused ? fusedSoftmax(scores, scale) : tf.softmax(scores.mul(scale), -1);
}

function fusedSoftmax(logits: tf.Tensor, scale: number): tf.Tensor {
  return tf.engine().runKernel(FUSED_SOFTMAX, { logits }, { scale }) as tf.Tensor;
}

/** Additive attention bias from a 0/1 mask [B, T]: 0 where attended, -1e9 where masked. */
export function attentionBias(attentionMask: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, t] = attentionMask.shape;
    return tf.sub(1, attentionMask.toFloat()).mul(-1e9).reshape([b, 1, 1, t]) as tf.Tensor4D;
  });
}

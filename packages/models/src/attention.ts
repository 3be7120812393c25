import * as tf from '@tensorflow/tfjs';
import { Linear } from './linear';
import { dropout as dropoutProbs } from './dropout';
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
    return tf.tidy(() => {
      const [b, t] = x.shape;
      const heads = (y: tf.Tensor) => y.reshape([b, t, this.numHeads, this.headDim]).transpose([0, 2, 1, 3]);
      const q = heads(this.query.forward(x)); // [B, H, T, d]
      const k = heads(this.key.forward(x));
      const v = heads(this.value.forward(x));
      let scores = tf.matMul(q, k, false, true).mul(1 / Math.sqrt(this.headDim)); // [B, H, T, T]
      if (maskBias) scores = scores.add(maskBias);
      let probs = tf.softmax(scores, -1);
      probs = dropoutProbs(probs, dropout, dropout > 0);
      let context = tf.matMul(probs, v); // [B, H, T, d]
      const c = this.slimming.coefficients;
      if (c) context = context.mul(c.reshape([1, this.numHeads, 1, 1]));
      return context.transpose([0, 2, 1, 3]).reshape([b, t, this.numHeads * this.headDim]) as tf.Tensor3D;
    });
  }
}

/** Additive attention bias from a 0/1 mask [B, T]: 0 where attended, -1e9 where masked. */
export function attentionBias(attentionMask: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, t] = attentionMask.shape;
    return tf.sub(1, attentionMask.toFloat()).mul(-1e9).reshape([b, 1, 1, t]) as tf.Tensor4D;
  });
}

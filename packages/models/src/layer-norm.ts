import * as tf from '@tensorflow/tfjs';
import { Module, variable } from './module';

/** LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * weight + bias (biased variance, as torch). */
export class LayerNorm extends Module {
  weight: tf.Variable;
  bias: tf.Variable;

  constructor(
    size: number,
    readonly eps: number,
  ) {
    super();
    this.weight = variable(tf.ones([size]), 'ln_weight');
    this.bias = variable(tf.zeros([size]), 'ln_bias');
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true);
      return x.sub(mean).mul(tf.rsqrt(variance.add(this.eps))).mul(this.weight).add(this.bias);
    });
  }
}

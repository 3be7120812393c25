import * as tf from '@tensorflow/tfjs';
import { FUSED_ADD_LAYER_NORM, FUSED_LAYER_NORM, hasKernel } from './fused-kernels';
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

  /**
   * A residual add and this LayerNorm: { sum: a + r, normed: LayerNorm(a + r) }, in one kernel where the backend
   * has it (which also adds the sum's gradient into the LayerNorm's in the backward pass). With r null, a alone.
   */
  forwardAdd(a: tf.Tensor, r: tf.Tensor | null): { sum: tf.Tensor; normed: tf.Tensor } {
    if (!r) return { sum: a, normed: this.forward(a) };
    if (a.dtype === 'float32' && tf.util.arraysEqual(a.shape, r.shape) && hasKernel(FUSED_ADD_LAYER_NORM)) {
      const [sum, normed] = tf.engine().runKernel(FUSED_ADD_LAYER_NORM, { a, r, gamma: this.weight, beta: this.bias }, { eps: this.eps }) as tf.Tensor[];
      return { sum, normed };
    }
    const sum = tf.add(a, r);
    return { sum, normed: this.forward(sum) };
  }

  forward(x: tf.Tensor): tf.Tensor {
    if (x.dtype === 'float32' && hasKernel(FUSED_LAYER_NORM)) {
      return tf.engine().runKernel(FUSED_LAYER_NORM, { x, gamma: this.weight, beta: this.bias }, { eps: this.eps }) as tf.Tensor;
    }
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true);
      return x
        .sub(mean)
        .mul(tf.rsqrt(variance.add(this.eps)))
        .mul(this.weight)
        .add(this.bias);
    });
  }
}

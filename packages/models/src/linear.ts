import * as tf from '@tensorflow/tfjs';
import { Initializer, Module, variable } from './module';

/**
 * y = x W^T + b with W of shape [out, in] in the checkpoint. We keep `weight` as [in, out] so that the
 * forward pass is a plain matMul (tfjs-wasm multiplies untransposed matrices about 10x faster); load and
 * save transpose it.
 */
export class Linear extends Module {
  weight: tf.Variable; // [in, out]
  bias: tf.Variable | undefined; // [out]

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    init: Initializer,
    withBias = true,
  ) {
    super();
    this.weight = variable(
      tf.tidy(() => init.normal([outFeatures, inFeatures]).transpose()),
      'linear',
    );
    this.bias = withBias ? variable(tf.zeros([outFeatures]), 'bias') : undefined;
    if (!withBias) delete this.bias;
  }

  override fromCheckpoint(property: string, t: tf.Tensor): tf.Tensor {
    return property === 'weight' ? t.transpose() : t;
  }

  override toCheckpoint(property: string, t: tf.Tensor): tf.Tensor {
    return property === 'weight' ? t.transpose() : t;
  }

  /** [..., in] -> [..., out] */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const shape = x.shape;
      const flat = x.reshape([-1, this.inFeatures]);
      let y = tf.matMul(flat, this.weight);
      if (this.bias) y = tf.add(y, this.bias);
      return y.reshape([...shape.slice(0, -1), this.outFeatures]);
    });
  }
}

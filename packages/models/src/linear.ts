import * as tf from '@tensorflow/tfjs';
import { FUSED_LINEAR, hasKernel } from './fused-kernels';
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
      let y: tf.Tensor;
      if (this.bias && flat.dtype === 'float32' && hasKernel(FUSED_LINEAR)) {
        // the bias added inside the product, one pass fewer over the output (the same bits as below)
        y = tf.engine().runKernel(FUSED_LINEAR, { x: flat, weight: this.weight, bias: this.bias }) as tf.Tensor;
      } else {
        y = tf.matMul(flat, this.weight);
        if (this.bias) y = tf.add(y, this.bias);
      }
      return y.reshape([...shape.slice(0, -1), this.outFeatures]);
    });
  }
}

import * as tf from '@tensorflow/tfjs';
import { Activation } from './activations';
import { SlimmingHook } from './attention';
import { Linear } from './linear';
import { Initializer, Module } from './module';

/** The FFN's first half (BertIntermediate / ViTIntermediate): act(x W1 + b1), times the neuron coefficients. */
export class Intermediate extends Module {
  dense: Linear;
  readonly slimming: SlimmingHook = { coefficients: null };

  constructor(
    hiddenSize: number,
    readonly intermediateSize: number,
    private readonly act: Activation,
    init: Initializer,
  ) {
    super();
    this.dense = new Linear(hiddenSize, intermediateSize, init);
  }

  /** [B, T, D] -> [B, T, I] */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const h = this.act(this.dense.forward(x));
      const c = this.slimming.coefficients;
      return c ? h.mul(c) : h;
    });
  }
}

/**
 * Network slimming for transformers (Liu et al. 2017; EarlyBERT, Chen et al. 2021): one learnable
 * coefficient per attention head and per FFN neuron, initialised to 1, pushed towards zero by
 * lambda_heads * sum|c_heads| + lambda_ffn * sum|c_ffn| added to the task loss.
 */
import * as tf from '@tensorflow/tfjs';
import { readAll } from '@ebt/backend';
import { UsageError } from '@ebt/errors';
import { Intermediate, PretrainedModel, SelfAttention } from '@ebt/models';

export interface SlimmableLayer {
  heads: SelfAttention;
  ffn: Intermediate;
}

/** The hook points of every encoder layer of a model, as the model lists them. */
export function slimmableLayers(model: PretrainedModel): SlimmableLayer[] {
  return model.encoderLayers().map((l) => ({ heads: l.attention, ffn: l.intermediate }));
}

/** EarlyBERT's L1 weight, for heads and FFN neurons alike. */
export const LAMBDA_DEFAULT = 1e-4;

export interface SlimmingOptions {
  /** L1 weight on the head coefficients (default 1e-4) */
  lambdaHeads?: number;
  /** L1 weight on the FFN coefficients (default 1e-4) */
  lambdaFfn?: number;
}

/** Coefficients as plain numbers: one row per layer. */
export interface CoefficientSnapshot {
  heads: Float32Array[];
  ffn: Float32Array[];
}

export class Slimming {
  readonly lambdaHeads: number;
  readonly lambdaFfn: number;

  private constructor(
    readonly layers: SlimmableLayer[],
    readonly heads: tf.Variable[],
    readonly ffn: tf.Variable[],
    options: SlimmingOptions,
  ) {
    this.lambdaHeads = options.lambdaHeads ?? LAMBDA_DEFAULT;
    this.lambdaFfn = options.lambdaFfn ?? LAMBDA_DEFAULT;
    for (const [name, flag, v] of [
      ['lambdaHeads', '--lambda-heads', this.lambdaHeads],
      ['lambdaFfn', '--lambda-ffn', this.lambdaFfn],
    ] as const) {
      if (!(v >= 0) || !Number.isFinite(v)) throw new UsageError(`${name} (${flag}) must be a non-negative number (got ${v}).`);
    }
  }

  /** Puts a coefficient variable (all ones) on every head and FFN neuron of the model. */
  static attach(model: PretrainedModel, options: SlimmingOptions = {}): Slimming {
    const layers = slimmableLayers(model);
    const heads = layers.map((l, i) => tf.tidy(() => tf.variable(tf.ones([l.heads.numHeads]), true, `slimming_heads_${i}_${uid++}`)));
    const ffn = layers.map((l, i) => tf.tidy(() => tf.variable(tf.ones([l.ffn.intermediateSize]), true, `slimming_ffn_${i}_${uid++}`)));
    layers.forEach((l, i) => {
      l.heads.slimming.coefficients = heads[i] as unknown as tf.Tensor1D;
      l.ffn.slimming.coefficients = ffn[i] as unknown as tf.Tensor1D;
    });
    return new Slimming(layers, heads, ffn, options);
  }

  variables(): tf.Variable[] {
    return [...this.heads, ...this.ffn];
  }

  /** lambda_heads * sum|c_heads| + lambda_ffn * sum|c_ffn| */
  penalty(): tf.Scalar {
    return tf.tidy(() => {
      const l1 = (vs: tf.Variable[]) => tf.addN(vs.map((v) => tf.abs(v).sum()));
      return l1(this.heads).mul(this.lambdaHeads).add(l1(this.ffn).mul(this.lambdaFfn)) as tf.Scalar;
    });
  }

  /** The coefficients now, read in one transfer. */
  async snapshot(): Promise<CoefficientSnapshot> {
    return this.snapshotOf(await readAll(this.variables()));
  }

  /** A snapshot from the values of `variables()`, read by the caller with other tensors of the same step. */
  snapshotOf(values: Float32Array[]): CoefficientSnapshot {
    if (values.length !== this.heads.length + this.ffn.length)
      throw new RangeError(`snapshotOf: ${values.length} arrays for ${this.heads.length + this.ffn.length} coefficient vectors`);
    return { heads: values.slice(0, this.heads.length), ffn: values.slice(this.heads.length) };
  }

  /** Removes the hooks (the model computes as without slimming again) and frees the variables. */
  detach(): void {
    this.layers.forEach((l) => {
      l.heads.slimming.coefficients = null;
      l.ffn.slimming.coefficients = null;
    });
    tf.dispose(this.variables());
  }
}

let uid = 0;

import * as tf from '@tensorflow/tfjs';
import { readAll } from '@ebt/backend';
import { onnx } from 'onnx-proto';
import { LayerNorm, Linear, Module, SelfAttention } from '@ebt/models';
import { GraphBuilder } from './graph-builder';

interface Values {
  data: Float32Array;
  dims: number[];
}

/** A parameter's checkpoint name and its values in ebt's layout and in the checkpoint's. */
interface Parameter {
  name: string;
  ebt: Values;
  checkpoint: Values;
}

/** The builder plus the checkpoint name and values of every parameter, so that initializers carry Hugging Face's names. */
export class Exporter {
  readonly g = new GraphBuilder();

  private constructor(private readonly params: Map<tf.Variable, Parameter>) {}

  /**
   * Reads every parameter of `model` from the device once before the graph is built: in ebt's layout, and
   * again in the checkpoint's only where the two differ (toCheckpoint returns the variable itself where they agree).
   */
  static async of(model: Module): Promise<Exporter> {
    const named = model.namedParameters();
    const laidOut = named.map(([, v, owner, key]) => tf.tidy(() => owner.toCheckpoint(key, v)));
    const differ = laidOut.filter((t, i) => t !== named[i][1]);
    try {
      const values = await readAll([...named.map(([, v]) => v), ...differ]);
      const params = new Map<tf.Variable, Parameter>();
      named.forEach(([name, v], i) => {
        const ebt = { data: values[i], dims: v.shape.slice() };
        const k = differ.indexOf(laidOut[i]);
        params.set(v, { name, ebt, checkpoint: k < 0 ? ebt : { data: values[named.length + k], dims: laidOut[i].shape.slice() } });
      });
      return new Exporter(params);
    } finally {
      tf.dispose(differ);
    }
  }

  /** The parameter as an initializer, in the layout the checkpoint has it (Linear weights stay [in, out]). */
  param(v: tf.Variable, layout: 'ebt' | 'checkpoint' = 'ebt'): string {
    const p = this.params.get(v);
    if (p === undefined) throw new Error('a parameter that is not part of the exported model');
    return this.g.float(p.name, p[layout].data, p[layout].dims);
  }

  /** x [..., in] -> x W + b; MatMul broadcasts over the leading axes as torch's Linear does. */
  linear(x: string, layer: Linear): string {
    const y = this.g.node('MatMul', [x, this.param(layer.weight)]);
    return layer.bias ? this.g.node('Add', [y, this.param(layer.bias)]) : y;
  }

  layerNorm(x: string, ln: LayerNorm): string {
    return this.g.node('LayerNormalization', [x, this.param(ln.weight), this.param(ln.bias)], { axis: -1, epsilon: { float: ln.eps } });
  }

  activation(x: string, name: string): string {
    const g = this.g;
    if (name === 'relu') return g.node('Relu', [x]);
    if (name === 'gelu') {
      // 0.5 x (1 + erf(x / sqrt 2)): torch's exact GELU, as Optimum's exports write it below opset 20
      const erf = g.node('Erf', [g.node('Mul', [x, g.scalar(Math.SQRT1_2)])]);
      return g.node('Mul', [g.node('Mul', [x, g.scalar(0.5)]), g.node('Add', [erf, g.scalar(1)])]);
    }
    // gelu_new / gelu_pytorch_tanh: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    const cube = g.node('Mul', [g.node('Mul', [x, x]), x]);
    const inner = g.node('Mul', [g.node('Add', [x, g.node('Mul', [cube, g.scalar(0.044715)])]), g.scalar(Math.sqrt(2 / Math.PI))]);
    return g.node('Mul', [g.node('Mul', [x, g.scalar(0.5)]), g.node('Add', [g.node('Tanh', [inner]), g.scalar(1)])]);
  }

  /**
   * softmax(Q K^T / sqrt(d) + bias) V per head, heads concatenated: [B, T, D] -> [B, T, H*d]. The head
   * count is the layer's own, so a pruned layer exports with its remaining heads.
   */
  selfAttention(x: string, attn: SelfAttention, maskBias: string | null): string {
    const g = this.g;
    const h = attn.numHeads;
    const d = attn.headDim;
    const split = g.int64([0, 0, h, d]); // Reshape's 0 copies B and T from the input
    const heads = (y: string, perm: number[]) => g.node('Transpose', [g.node('Reshape', [y, split])], { perm });
    const q = heads(this.linear(x, attn.query), [0, 2, 1, 3]); // [B, H, T, d]
    const kT = heads(this.linear(x, attn.key), [0, 2, 3, 1]); // [B, H, d, T]
    const v = heads(this.linear(x, attn.value), [0, 2, 1, 3]);
    let scores = g.node('Mul', [g.node('MatMul', [q, kT]), g.scalar(1 / Math.sqrt(d))]);
    if (maskBias) scores = g.node('Add', [scores, maskBias]);
    const probs = g.node('Softmax', [scores], { axis: -1 });
    const context = g.node('Transpose', [g.node('MatMul', [probs, v])], { perm: [0, 2, 1, 3] });
    return g.node('Reshape', [context, g.int64([0, 0, h * d])]);
  }

  /** x[:, index, :] -> [B, D] */
  token(x: string, index: number): string {
    return this.g.node('Gather', [x, this.g.int64([index], [])], { axis: 1 });
  }
}

export const FLOAT = onnx.TensorProto.DataType.FLOAT;
export const INT64 = onnx.TensorProto.DataType.INT64;

import * as tf from '@tensorflow/tfjs';
import { ConfigError } from './errors';
import { FUSED_GELU, hasKernel } from './fused-kernels';

/** GELU as torch.nn.functional.gelu (exact, through erf): 0.5 x (1 + erf(x / sqrt 2)). */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (x.dtype === 'float32' && hasKernel(FUSED_GELU)) return tf.engine().runKernel(FUSED_GELU, { x }) as tf.Tensor;
  return tf.tidy(() => x.mul(0.5).mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)));
}

/** GELU's tanh approximation (Hugging Face 'gelu_new' / 'gelu_pytorch_tanh'). */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const inner = x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    return x.mul(0.5).mul(tf.tanh(inner).add(1));
  });
}

export type Activation = (x: tf.Tensor) => tf.Tensor;

export function activation(name: string): Activation {
  switch (name) {
    case 'gelu':
      return gelu;
    case 'gelu_new':
    case 'gelu_pytorch_tanh':
      return geluTanh;
    case 'relu':
      return (x) => tf.relu(x);
    default:
      throw new ConfigError(`hidden_act '${name}' is not supported; use gelu, gelu_new, gelu_pytorch_tanh or relu.`);
  }
}

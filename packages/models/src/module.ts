import * as tf from '@tensorflow/tfjs';

/**
 * A module is a plain object whose properties are its parameters (tf.Variable) and sub-modules; arrays of
 * modules are numbered. The dotted path to a variable is its checkpoint key, as in PyTorch.
 */
export abstract class Module {
  /** [checkpoint key, variable, owning module, property] for every parameter below this module. */
  namedParameters(prefix = ''): Array<[string, tf.Variable, Module, string]> {
    const out: Array<[string, tf.Variable, Module, string]> = [];
    for (const [key, value] of Object.entries(this)) {
      const name = prefix ? `${prefix}.${key}` : key;
      if (value instanceof tf.Variable) out.push([name, value, this, key]);
      else if (value instanceof Module) out.push(...value.namedParameters(name));
      else if (Array.isArray(value)) {
        value.forEach((m, i) => {
          if (m instanceof Module) out.push(...m.namedParameters(`${name}.${i}`));
        });
      }
    }
    return out;
  }

  /** Converts a checkpoint tensor to the layout this module keeps the parameter in (Linear transposes). */
  fromCheckpoint(_property: string, t: tf.Tensor): tf.Tensor {
    return t;
  }

  /** The inverse of fromCheckpoint. */
  toCheckpoint(_property: string, t: tf.Tensor): tf.Tensor {
    return t;
  }

  dispose(): void {
    for (const [, v] of this.namedParameters()) v.dispose();
  }
}

/** Random initialisation with a seed per call, so that a seeded model is the same every time. */
export class Initializer {
  private counter = 0;
  constructor(
    private readonly seed: number | undefined,
    readonly std: number,
  ) {}

  private nextSeed(): number | undefined {
    // never 0: tfjs treats a falsy seed as "no seed" and draws from Math.random
    return this.seed === undefined ? undefined : this.seed * 100_003 + ++this.counter;
  }

  /** N(0, std^2) cut to [-2, 2], as torch.nn.init.trunc_normal_(std=std) with its default bounds. */
  truncNormal(shape: number[]): tf.Tensor {
    return tf.tidy(() => tf.clipByValue(tf.randomNormal(shape, 0, this.std, 'float32', this.nextSeed()), -2, 2));
  }

  normal(shape: number[]): tf.Tensor {
    return tf.randomNormal(shape, 0, this.std, 'float32', this.nextSeed());
  }
}

let variableCounter = 0;
/** A trainable variable holding `initial`'s values; `initial` itself is disposed (tf.variable shares its data). */
export function variable(initial: tf.Tensor, name = 'p'): tf.Variable {
  const v = tf.variable(initial, true, `${name}_${variableCounter++}`);
  initial.dispose();
  return v;
}

import * as tf from '@tensorflow/tfjs';

let base: number | undefined;
let counter = 0;

/**
 * Makes dropout masks reproducible: after seedDropout(s), the k-th dropout call draws from seed (s, k).
 * The training loop seeds it from (run seed, step) before every step, so a fixed --seed repeats a run and
 * --resume continues it exactly, dropout and all. Unseeded, tfjs draws from Math.random.
 */
export function seedDropout(seed: number | undefined): void {
  base = seed === undefined ? undefined : seed >>> 0;
  counter = 0;
}

export function dropout(x: tf.Tensor, rate: number, training: boolean): tf.Tensor {
  if (!training || rate <= 0) return x;
  // never 0: tfjs treats a falsy seed as "no seed"
  const seed = base === undefined ? undefined : (base % 1_000_003) * 7919 + ++counter;
  return tf.dropout(x, rate, undefined, seed);
}

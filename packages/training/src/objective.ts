import * as tf from '@tensorflow/tfjs';
import { crossEntropy, meanSquaredError } from './gradients';

/**
 * What a task trains for: its loss, and the score that metrics.csv's `accuracy` column and the best
 * checkpoint follow. A batch's `tally` is a small tensor of statistics (read once per step, with the loss);
 * `merge` folds a batch's into an epoch's or a split's (kept in checkpoints, so a resumed epoch keeps its
 * score); `score` turns the merged tally into the number.
 */
export interface Objective {
  /** what the score is, for progress lines */
  readonly metric: 'accuracy' | 'pearson';
  loss(logits: tf.Tensor2D, labels: tf.Tensor1D, labelSmoothing: number): tf.Scalar;
  tally(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D;
  /** the tally of both parts; `[]` is the tally of nothing */
  merge(sum: readonly number[], batch: ArrayLike<number>): number[];
  score(tally: readonly number[]): number;
}

/** Softmax classification: cross-entropy, and accuracy from the summed [correct, labels]. */
export const CLASSIFICATION: Objective = {
  metric: 'accuracy',
  loss: crossEntropy,
  tally: (logits, labels) =>
    tf.tidy(() => tf.stack([tf.equal(tf.argMax(logits, 1), labels.toInt()).sum().toFloat(), tf.scalar(labels.shape[0])]) as tf.Tensor1D),
  merge: (sum, batch) => Array.from(batch, (v, i) => (sum[i] ?? 0) + v),
  score: ([correct, count]) => correct / Math.max(1, count),
};

/**
 * A one-output regression head (transformers' num_labels = 1, STS-B): mean squared error, and Pearson's r.
 * A batch's tally is [n, mean p, mean y, Σ(p - p̄)², Σ(y - ȳ)², Σ(p - p̄)(y - ȳ)], centred within the batch,
 * and batches merge by Chan et al.'s pairwise update (as Welford's): the raw-sums form n·Σpy - Σp·Σy
 * cancels to nothing, or below zero, when a young head's outputs barely vary.
 */
export const REGRESSION: Objective = {
  metric: 'pearson',
  loss: (logits, labels) => meanSquaredError(logits, labels),
  tally: (logits, labels) =>
    tf.tidy(() => {
      const p = logits.reshape([-1]);
      const y = labels.toFloat();
      const [mp, my] = [p.mean(), y.mean()];
      const [dp, dy] = [p.sub(mp), y.sub(my)];
      return tf.stack([tf.scalar(labels.shape[0]), mp, my, dp.square().sum(), dy.square().sum(), dp.mul(dy).sum()]) as tf.Tensor1D;
    }),
  merge: (a, b) => {
    if (a.length === 0) return Array.from(b);
    const [na, mpa, mya, spa, sya, ca] = a;
    const [nb, mpb, myb, spb, syb, cb] = Array.from(b);
    const n = na + nb;
    const [dp, dy] = [mpb - mpa, myb - mya];
    const w = (na * nb) / n;
    return [n, mpa + (dp * nb) / n, mya + (dy * nb) / n, spa + spb + dp * dp * w, sya + syb + dy * dy * w, ca + cb + dp * dy * w];
  },
  score: (t) => {
    if (t.length === 0) return NaN;
    const [, , , sp, sy, c] = t;
    return sp > 0 && sy > 0 ? Math.max(-1, Math.min(1, c / Math.sqrt(sp * sy))) : NaN;
  },
};

import * as tf from '@tensorflow/tfjs';

/**
 * Scales the gradients so that their global L2 norm is at most `maxNorm`, as torch.nn.utils.clip_grad_norm_
 * does: on the device, by min(1, maxNorm / (norm + 1e-6)) in float32, with nothing read back (a GPU step
 * must not wait for the norm). A non-finite norm leaves the gradients as they are; the loss read with the
 * step says what went wrong. Returns new gradients and the norm (a scalar the caller disposes); disposes the
 * gradients it was given.
 */
export function clipByGlobalNorm(grads: Record<string, tf.Tensor>, maxNorm: number): { grads: Record<string, tf.Tensor>; norm: tf.Scalar } {
  const names = Object.keys(grads);
  const norm = tf.tidy(() => tf.addN(names.map((n) => grads[n].square().sum())).sqrt() as tf.Scalar);
  const scale = tf.tidy(() => {
    const clip = norm.greater(maxNorm).logicalAnd(norm.isFinite());
    return tf.where(clip, tf.scalar(maxNorm).div(norm.add(1e-6)), tf.scalar(1));
  });
  const out: Record<string, tf.Tensor> = {};
  for (const n of names) {
    out[n] = grads[n].mul(scale);
    grads[n].dispose();
  }
  scale.dispose();
  return { grads: out, norm };
}

/** Mean softmax cross-entropy with label smoothing (as torch.nn.CrossEntropyLoss(label_smoothing=s)). */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, labelSmoothing = 0): tf.Scalar {
  return tf.tidy(() => {
    const k = logits.shape[1];
    const logp = tf.logSoftmax(logits);
    let target = tf.oneHot(labels.toInt(), k).toFloat();
    if (labelSmoothing > 0) target = target.mul(1 - labelSmoothing).add(labelSmoothing / k);
    return target.mul(logp).sum(1).neg().mean() as tf.Scalar;
  });
}

/** Mean squared error of a one-output head [B, 1] against real-valued labels [B] (transformers' regression loss: MSELoss on the squeezed logits). */
export function meanSquaredError(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.losses.meanSquaredError(labels.toFloat(), logits.reshape([-1])) as tf.Scalar);
}

import * as tf from '@tensorflow/tfjs';

/** Scales the gradients so that their global L2 norm is at most `maxNorm` (torch.nn.utils.clip_grad_norm_). */
export function clipByGlobalNorm(grads: Record<string, tf.Tensor>, maxNorm: number): { grads: Record<string, tf.Tensor>; norm: number } {
  const names = Object.keys(grads);
  const norm = tf.tidy(
    () =>
      tf
        .addN(names.map((n) => grads[n].square().sum()))
        .sqrt()
        .dataSync()[0],
  );
  if (!(maxNorm > 0) || norm <= maxNorm || !Number.isFinite(norm)) return { grads, norm };
  const scale = maxNorm / (norm + 1e-6);
  const out: Record<string, tf.Tensor> = {};
  for (const n of names) {
    out[n] = grads[n].mul(scale);
    grads[n].dispose();
  }
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

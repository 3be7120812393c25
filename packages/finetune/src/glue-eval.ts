import * as tf from '@tensorflow/tfjs';
import { GlueMetric, glueScore, Random } from '@ebt/data';
import type { TextClassifier } from '@ebt/models';
import { DataSource } from '@ebt/training';

/**
 * What the model says for each example of `source`, in batches, without gradients: the class (argmax of the
 * logits), or a regression head's one output.
 */
export async function predict(
  model: TextClassifier,
  source: DataSource,
  batchSize: number,
): Promise<{ predictions: Int32Array | Float32Array; labels: Int32Array | Float32Array }> {
  const regression = model.config.problem_type === 'regression';
  const predictions = regression ? new Float32Array(source.size) : new Int32Array(source.size);
  let labels: Int32Array | Float32Array | undefined;
  const random = new Random(0);
  for (let start = 0; start < source.size; start += batchSize) {
    const idx = Int32Array.from({ length: Math.min(batchSize, source.size - start) }, (_, i) => start + i);
    const batch = source.batch(idx, { augment: false, random });
    const out = tf.tidy(() => {
      const logits = model.forward(batch.x as never, false).logits;
      return regression ? logits.reshape([-1]) : logits.argMax(1);
    });
    // read together (one wait for the device), each in its own dtype
    const [p, y] = (await Promise.all([out.data(), batch.labels.data()]).finally(() => out.dispose())) as [
      Int32Array | Float32Array,
      Int32Array | Float32Array,
    ];
    predictions.set(p, start);
    labels ??= y instanceof Float32Array ? new Float32Array(source.size) : new Int32Array(source.size);
    labels.set(y, start);
    tf.dispose([batch.labels, ...(batch.x instanceof tf.Tensor ? [batch.x] : Object.values(batch.x))]);
  }
  return { predictions, labels: labels ?? new Int32Array(0) };
}

/** The official GLUE metrics of a task on each of its evaluation splits. */
export async function glueEvaluation(
  task: string,
  model: TextClassifier,
  splits: Record<string, DataSource>,
  batchSize: number,
): Promise<Record<string, Partial<Record<GlueMetric, number>>>> {
  const scores: Record<string, Partial<Record<GlueMetric, number>>> = {};
  for (const [split, source] of Object.entries(splits)) {
    const { predictions, labels } = await predict(model, source, batchSize);
    scores[split] = glueScore(task, predictions, labels);
  }
  return scores;
}

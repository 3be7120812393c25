import * as tf from '@tensorflow/tfjs';
import { GlueMetric, glueScore, Random } from '@ebt/data';
import { BertForSequenceClassification } from '@ebt/models';
import { DataSource } from '@ebt/training';

/** The class each example of `source` is given (argmax of the logits), in batches, without gradients. */
export function predictClasses(model: BertForSequenceClassification, source: DataSource, batchSize: number): { predictions: Int32Array; labels: Int32Array } {
  const predictions = new Int32Array(source.size);
  const labels = new Int32Array(source.size);
  const random = new Random(0);
  for (let start = 0; start < source.size; start += batchSize) {
    const idx = Int32Array.from({ length: Math.min(batchSize, source.size - start) }, (_, i) => start + i);
    const batch = source.batch(idx, { augment: false, random });
    const argmax = tf.tidy(() => model.forward(batch.x as never, false).logits.argMax(1));
    predictions.set(argmax.dataSync() as Int32Array, start);
    labels.set(batch.labels.dataSync() as Int32Array, start);
    tf.dispose([argmax, batch.labels, ...(batch.x instanceof tf.Tensor ? [batch.x] : Object.values(batch.x))]);
  }
  return { predictions, labels };
}

/** The official GLUE metrics of a task on each of its evaluation splits. */
export function glueEvaluation(
  task: string,
  model: BertForSequenceClassification,
  splits: Record<string, DataSource>,
  batchSize: number,
): Record<string, Partial<Record<GlueMetric, number>>> {
  return Object.fromEntries(
    Object.entries(splits).map(([split, source]) => {
      const { predictions, labels } = predictClasses(model, source, batchSize);
      return [split, glueScore(task, predictions, labels)];
    }),
  );
}

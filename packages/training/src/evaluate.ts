import * as tf from '@tensorflow/tfjs';
import { readAll } from '@ebt/backend';
import { Random } from '@ebt/data';
import { CLASSIFICATION } from './objective';
import type { Batch, TrainOptions } from './types';

export function tensorsOf(x: Batch['x']): tf.Tensor[] {
  return x instanceof tf.Tensor ? [x] : Object.values(x);
}

/** Mean loss and the objective's score (accuracy by default) over a data source, in batches, without gradients. */
export async function evaluate(o: Pick<TrainOptions, 'forward' | 'test' | 'objective'>, batchSize: number): Promise<{ loss: number; score: number }> {
  const objective = o.objective ?? CLASSIFICATION;
  let lossSum = 0;
  let tally: number[] = [];
  const all = Int32Array.from({ length: o.test.size }, (_, i) => i);
  const random = new Random(0);
  for (let start = 0; start < o.test.size; start += batchSize) {
    const idx = all.subarray(start, Math.min(o.test.size, start + batchSize));
    const batch = o.test.batch(idx, { augment: false, random });
    const [l, t] = tf.tidy(() => {
      const logits = o.forward(batch.x, false);
      return [objective.loss(logits, batch.labels, 0).mul(idx.length), objective.tally(logits, batch.labels)];
    });
    tf.dispose([batch.labels, ...tensorsOf(batch.x)]);
    const [[loss], batchTally] = await readAll([l, t]).finally(() => tf.dispose([l, t]));
    lossSum += loss;
    tally = objective.merge(tally, batchTally);
  }
  return { loss: lossSum / o.test.size, score: objective.score(tally) };
}

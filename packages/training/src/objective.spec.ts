import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@ebt/backend';
import glue from '@ebt/data/test/fixtures/glue-metrics.json';
import { CLASSIFICATION, REGRESSION } from './index';
import ref from '../test/fixtures/torch-reference.json';

beforeAll(async () => {
  await initBackend({ backend: process.env.EBT_TEST_BACKEND ?? 'wasm', log: null });
});

const caseOf = (task: string) => glue.cases.find((c) => c.task === task)!;

/** sums the objective's tallies over batches of `size`, as the training loop and evaluate() do */
function scoreInBatches(objective: typeof CLASSIFICATION, logits: number[][], labels: number[], size: number): number {
  let sum: number[] = [];
  for (let s = 0; s < labels.length; s += size)
    sum = objective.merge(sum, objective.tally(tf.tensor2d(logits.slice(s, s + size)), tf.tensor1d(labels.slice(s, s + size))).dataSync());
  return objective.score(sum);
}

describe('objectives', () => {
  test("regression: Pearson's r summed over uneven batches equals scipy's on the whole split", () => {
    const c = caseOf('stsb');
    const r = scoreInBatches(
      REGRESSION,
      c.predictions.map((p) => [p]),
      c.labels,
      10,
    );
    expect(r).toBeCloseTo(c.expected.pearson!, 5);
  });

  test("classification: accuracy summed over batches equals scikit-learn's", () => {
    const c = caseOf('mnli');
    const logits = c.predictions.map((p) => [0, 1, 2].map((k) => (k === p ? 1 : 0)));
    expect(scoreInBatches(CLASSIFICATION, logits, c.labels, 16)).toBeCloseTo(c.expected.accuracy!, 12);
  });

  test("regression loss and its gradient equal PyTorch's MSELoss on the squeezed logits", () => {
    const logits = tf.tensor2d(ref.mse.logits);
    const labels = tf.tensor1d(ref.mse.labels);
    expect(REGRESSION.loss(logits, labels, 0).dataSync()[0]).toBeCloseTo(ref.mse.loss, 5);
    const grad = tf.grad((x: tf.Tensor) => REGRESSION.loss(x as tf.Tensor2D, labels, 0))(logits);
    expect(Array.from(grad.dataSync())).toEqual(ref.mse.grad.flat().map((g) => expect.closeTo(g, 6)));
  });

  test('a constant prediction has no correlation: NaN, as scipy', () => {
    expect(scoreInBatches(REGRESSION, [[1], [1], [1]], [0, 1, 2], 2)).toBeNaN();
  });

  test('outputs that barely vary around a large value keep their correlation (merged centred sums, not raw sums)', () => {
    const c = caseOf('stsb');
    // p = 1000 + 1e-3 * prediction: the same r as scipy's; in raw float32 sums n·Σp² - (Σp)² is lost to rounding
    const r = scoreInBatches(
      REGRESSION,
      c.predictions.map((p) => [1000 + 1e-3 * p]),
      c.labels,
      8,
    );
    expect(r).toBeCloseTo(c.expected.pearson!, 2);
  });
});

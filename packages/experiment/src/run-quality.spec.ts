import type { MetricsRow } from '@ebt/training';
import { chanceScore, learningVerdict } from './index';

const row = (split: 'train' | 'test', epoch: number, loss: number, score: number): MetricsRow => ({
  step: 10 * (epoch + 1),
  epoch,
  split,
  loss,
  score,
  lr: 1e-3,
  seconds: epoch,
  phase: 1,
  examples: 100,
});

describe('a run that did not learn', () => {
  test("issue 29's --lr 50 on the smoke preset: the loss rose to 1e5 and the score ended at 11.8% of 10 classes", () => {
    const rows = [row('train', 0, 2.3, 0.1), row('test', 0, 9.1, 0.1), row('train', 1, 4e4, 0.1), row('train', 2, 1e5, 0.11), row('test', 2, 1.2e5, 0.118)];
    expect(learningVerdict(rows, chanceScore('accuracy', 10))).toEqual({
      learned: false,
      reasons: ['the training loss rose from 2.3 (epoch 1) to 1.00e+5 (epoch 3)', 'the final test score 11.8 is within 5 points of chance (10)'],
    });
  });

  test('a run whose loss fell and whose score is well above chance learned; 5 points above chance is the edge', () => {
    const good = [row('train', 0, 2.0, 0.4), row('train', 1, 0.5, 0.85), row('test', 1, 0.4, 0.88)];
    expect(learningVerdict(good, 0.1)).toEqual({ learned: true, reasons: [] });
    expect(learningVerdict([row('train', 0, 1, 0.5), row('test', 0, 1, 0.149)], 0.1).learned).toBe(false);
    expect(learningVerdict([row('train', 0, 1, 0.5), row('test', 0, 1, 0.151)], 0.1).learned).toBe(true);
    // Pearson's r near 0, a NaN loss, and a task without a chance level
    expect(learningVerdict([row('test', 0, 1, 0.02)], chanceScore('pearson', 1)).reasons).toEqual(['the final test score 2 is within 5 points of chance (0)']);
    expect(learningVerdict([row('train', 0, NaN, 0.5)], null).reasons).toEqual(['the train loss of epoch 1 is NaN']);
    expect(learningVerdict([row('test', 0, 1, 0.01)], null).learned).toBe(true);
  });
});

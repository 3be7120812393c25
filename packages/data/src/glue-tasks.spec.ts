import * as fs from 'node:fs';
import * as path from 'node:path';
import { averageRanks, GLUE_TASKS, glueScore, matthewsCorrelation, pearson } from './index';

/** scikit-learn's and scipy's values on seeded predictions, one case per task (tools/fixtures/glue_metrics.py). */
const reference = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'test', 'fixtures', 'glue-metrics.json'), 'utf8')) as {
  cases: Array<{ task: string; predictions: number[]; labels: number[]; expected: Record<string, number> }>;
};

describe('GLUE metrics', () => {
  test('cover the nine tasks', () => {
    expect(Object.keys(GLUE_TASKS).sort()).toEqual(['cola', 'mnli', 'mrpc', 'qnli', 'qqp', 'rte', 'sst2', 'stsb', 'wnli']);
    expect(reference.cases.map((c) => c.task).sort()).toEqual(Object.keys(GLUE_TASKS).sort());
  });

  test.each(reference.cases.map((c) => [c.task, c] as const))("%s: the official metrics equal scikit-learn's and scipy's", (_, c) => {
    const ours = glueScore(c.task, c.predictions, c.labels);
    expect(Object.keys(ours)).toEqual(Object.keys(c.expected));
    for (const [metric, value] of Object.entries(c.expected)) expect(ours[metric as keyof typeof ours]).toBeCloseTo(value, 12);
  });

  test('degenerate inputs behave as in scikit-learn and scipy', () => {
    expect(matthewsCorrelation([1, 1, 1], [0, 1, 0])).toBe(0); // a constant prediction
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNaN(); // scipy: NaN with a ConstantInputWarning
    expect(Array.from(averageRanks([10, 20, 10, 30]))).toEqual([1.5, 3, 1.5, 4]);
    expect(() => glueScore('squad', [1], [1])).toThrow(/unknown GLUE task 'squad'/);
    expect(() => glueScore('sst2', [1, 0], [1])).toThrow('2 predictions but 1 labels.');
  });
});

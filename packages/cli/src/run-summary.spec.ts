/** The line a training command ends with says the score the run was scored by: accuracy, or Pearson's r. */
import type { TrainResult } from '@ebt/training';
import { printRunSummary } from './commands/flags';

function printed(result: Partial<TrainResult>, json = false): string {
  const out: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  try {
    printRunSummary({ json }, '/runs/x', { steps: 9, epochs: 3, seconds: 4, bestScore: 0.9, stoppedEarly: false, ...result } as TrainResult);
  } finally {
    write.mockRestore();
  }
  return out.join('');
}

test('a classification run prints its accuracy as a percentage; a regression run its Pearson r', () => {
  const test = { step: 9, epoch: 2, split: 'test' as const, loss: 0.3, score: 0.9215, lr: 0, seconds: 4, phase: 1, examples: 10 };
  expect(printed({ metric: 'accuracy', finalTest: test })).toContain('test accuracy 92.15% after 9 steps');
  expect(printed({ metric: 'pearson', finalTest: test })).toContain("test Pearson's r 0.9215 after 9 steps");
  expect(JSON.parse(printed({ metric: 'pearson', finalTest: test }, true))).toMatchObject({ metric: 'pearson', testAccuracy: 0.9215 });
});

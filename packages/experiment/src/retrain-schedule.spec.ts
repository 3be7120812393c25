import { learningRate } from '@ebt/training';
import { retrainSchedule } from './retrain-schedule';

describe('retrainSchedule', () => {
  // the Fashion-MNIST preset: 938 batches an epoch, a one-epoch warm-up of a 10-epoch run, cosine to 1e-5
  const dense = { lr: 1e-3, warmupSteps: 938, decay: 'cosine' as const, minLr: 1e-5 };

  test('a one-epoch retrain warms up for a tenth of its steps, as the dense run did, and ends annealed', () => {
    const s = retrainSchedule(dense, { batchesPerEpoch: 938, runEpochs: 10, epochs: 1 });
    expect(s).toEqual({ ...dense, warmupSteps: 94 });
    const lr = (step: number) => learningRate(step, { ...s, totalSteps: 938 });
    expect(lr(94)).toBeCloseTo(1e-3, 12);
    // the last step's rate is the cosine's floor plus a hair, not the peak the old schedule scored every ticket at
    expect(lr(937)).toBeLessThan(1.1e-5);
  });

  test("a retrain as long as the run keeps the run's schedule", () => {
    expect(retrainSchedule(dense, { batchesPerEpoch: 938, runEpochs: 10, epochs: 10 })).toEqual(dense);
    expect(retrainSchedule({ lr: 2e-5, decay: 'linear' as const }, { batchesPerEpoch: 50, runEpochs: 3, epochs: 3 })).toEqual({
      lr: 2e-5,
      decay: 'linear',
      warmupSteps: 0,
    });
  });

  test("a warm-up longer than the dense run is the run's last step; the retrain's ends before its own last step", () => {
    // the smoke preset: a one-epoch warm-up of a one-epoch run of 189 steps
    const s = retrainSchedule({ lr: 1e-3, warmupSteps: 189, decay: 'cosine' as const }, { batchesPerEpoch: 189, runEpochs: 1, epochs: 1 });
    expect(s.warmupSteps).toBe(188);
    expect(retrainSchedule({ lr: 1e-3, warmupSteps: 189 }, { batchesPerEpoch: 1, runEpochs: 1, epochs: 1 }).warmupSteps).toBe(0);
  });
});

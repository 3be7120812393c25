/**
 * A retrain's learning-rate schedule. A ticket is retrained with the dense run's optimiser and schedule, but over
 * its own length: the warm-up takes the same share of the retrain as it took of the dense run, then the decay runs
 * to the retrain's end. Keeping the dense run's warm-up in steps made a one-epoch retrain all warm-up (937 of 938
 * steps on Fashion-MNIST): every ticket was scored at the peak learning rate, never annealed.
 */
import type { ScheduleOptions } from '@ebt/training';

type Schedule = Omit<ScheduleOptions, 'totalSteps'>;

export function retrainSchedule<S extends Schedule>(schedule: S, o: { batchesPerEpoch: number; runEpochs: number; epochs: number }): S {
  const runSteps = o.batchesPerEpoch * o.runEpochs;
  const steps = o.batchesPerEpoch * o.epochs;
  // the warm-up as the dense run had it: a warm-up longer than the run ended at the run's last step
  const share = Math.min(schedule.warmupSteps ?? 0, runSteps - 1) / runSteps;
  const warmupSteps = Math.max(0, Math.min(Math.round(share * steps), steps - 1));
  return { ...schedule, warmupSteps };
}

/** The training loop's inputs, outputs and saved state. */
import type * as tf from '@tensorflow/tfjs';
import type { Random } from '@ebt/data';
import type { Module } from '@ebt/models';
import type { CoefficientSnapshot, Slimming, Trajectory } from '@ebt/slimming';
import type { Objective } from './objective';
import type { OptimizerOptions } from './optimizer';
import type { ScheduleOptions } from './schedule';

/** One batch: model input and labels. */
export interface Batch {
  x: tf.Tensor | Record<string, tf.Tensor>;
  labels: tf.Tensor1D;
}

/** Where the examples come from: `batch` builds the tensors for a list of example indices. */
export interface DataSource {
  size: number;
  batch(indices: Int32Array, options: { augment: boolean; random: Random }): Batch;
}

export interface MetricsRow {
  step: number;
  epoch: number;
  split: 'train' | 'test';
  loss: number;
  /** the objective's score: accuracy, or Pearson's r for a regression head (metrics.csv's `accuracy` column) */
  score: number;
  lr: number;
  seconds: number;
  /** 1: the dense model; 2: the pruned ticket (an epoch with a draw has a train row for each) */
  phase: number;
  /** the examples the row covers (a train row of an epoch split by the draw covers only its part) */
  examples: number;
}

/** The running sums of an epoch's train row; saved in checkpoints, so a row covers its whole epoch across a resume. */
export interface EpochTotals {
  loss: number;
  examples: number;
  /** the objective's tally, summed */
  tally: number[];
}

export interface StepInfo {
  step: number;
  epoch: number;
  loss: number;
  lr: number;
  /** the slimming coefficients after this step (read with the loss, in the step's one read from the device) */
  coefficients?: () => CoefficientSnapshot;
}

/** What a hook returns: 'stop' ends training early; a hook may be async (saving a ticket reads the device). */
export type HookResult = void | 'stop' | Promise<void | 'stop'>;

/**
 * Hooks into the loop; `onStep` may return 'stop' to end training early (a ticket drawn, say). A callback
 * with a `stateKey` keeps state across --resume: `saveState` goes into every checkpoint, and `onStart` gets
 * it back as `saved`.
 */
export interface Callback {
  readonly stateKey?: string;
  /** before the first step of each train() call; after --resume the trajectory holds the points recorded so far */
  onStart?(info: { trajectory: Trajectory; totalSteps: number; saved?: unknown }): void;
  onStep?(info: StepInfo): HookResult;
  saveState?(): unknown;
  onRecord?(info: { step: number; epoch: number; snapshot: CoefficientSnapshot; trajectory: Trajectory }): HookResult;
  onEpochEnd?(info: { epoch: number; step: number; test: MetricsRow }): HookResult;
}

export interface TrainOptions {
  model: Module;
  /** logits [B, classes] (or [B, 1] for a regression head) for a batch's x */
  forward: (x: Batch['x'], training: boolean) => tf.Tensor2D;
  slimming?: Slimming;
  train: DataSource;
  test: DataSource;
  epochs: number;
  batchSize: number;
  evalBatchSize?: number;
  optimizer: OptimizerOptions;
  schedule: Omit<ScheduleOptions, 'totalSteps'>;
  /** global-norm clipping; 0 or undefined for none */
  clipNorm?: number;
  /** the loss and score (default: classification by cross-entropy and accuracy) */
  objective?: Objective;
  labelSmoothing?: number;
  seed: number;
  augment?: boolean;
  /** the run folder: metrics.csv, trajectory.arrow, checkpoints/ */
  outDir: string;
  recordEvery?: number;
  resume?: boolean;
  /** the checkpoint to resume from (default: resumableCheckpoint of outDir/checkpoints); with none, a resumed run starts at step 0 */
  resumeFrom?: string | null;
  callbacks?: Callback[];
  progress?: boolean;
  /** start where an earlier phase stopped (its state and trajectory) instead of at step 0; the optimizer starts fresh */
  continueFrom?: { state: LoopState; trajectory: Trajectory };
  /** model parameters that get no weight decay (default: those of fewer than 2 dimensions - biases and LayerNorm's) */
  noDecay?: (name: string, variable: tf.Variable) => boolean;
}

export interface TrainResult {
  steps: number;
  epochs: number;
  seconds: number;
  finalTest: MetricsRow | undefined;
  bestScore: number;
  stoppedEarly: boolean;
  /** what finalTest.score and bestScore hold: accuracy, or Pearson's r of a regression head */
  metric: Objective['metric'];
  /** where the loop stopped: a phase that follows continues from here */
  state: LoopState;
  trajectory: Trajectory;
}

/** Where a run stands; saved in every checkpoint, and handed from one phase of EB-train to the next. */
export interface LoopState {
  /** 1: slimming the dense model; 2: training the pruned ticket (EB-train) */
  phase?: number;
  epoch: number;
  /** the next batch of `epoch` to run */
  batch: number;
  step: number;
  optimizerT: number;
  random: number;
  /** the best test score so far (checkpoints before 0.2 call it bestAccuracy) */
  bestScore: number;
  seconds: number;
  metrics: MetricsRow[];
  lastRecordedStep: number;
  /** the sums of the current epoch's train row so far */
  epochTotals?: EpochTotals;
  /** the callbacks' own state, by stateKey */
  callbacks?: Record<string, unknown>;
}

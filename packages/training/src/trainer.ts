/**
 * The training loop: AdamW/Adam, warm-up + decay, global-norm clipping, slimming's L1 penalty, evaluation
 * each epoch, metrics.csv, the coefficient trajectory, atomic checkpoints (last and best), exact resume,
 * SIGINT and NaN handling, and callbacks where the early-bird criteria hook in.
 */
import { Interrupted as InterruptedBase, RunError } from '@ebt/errors';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { batchIndices, deriveSeed, epochOrder, Random } from '@ebt/data';
import { Module, seedDropout, writeFileAtomic } from '@ebt/models';
import { CoefficientSnapshot, Slimming, Trajectory } from '@ebt/slimming';
import { CHECKPOINT_FILES, CheckpointError, loadCheckpoint, resumableCheckpoint, saveCheckpoint } from './checkpoint';
import { clipByGlobalNorm, crossEntropy } from './gradients';
import { Adam, OptimizerOptions, TrainableParameter } from './optimizer';
import { Progress } from './progress';
import { learningRate, ScheduleOptions } from './schedule';

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
  accuracy: number;
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
  correct: number;
  examples: number;
  labels: number;
}

const noTotals = (): EpochTotals => ({ loss: 0, correct: 0, examples: 0, labels: 0 });

export interface StepInfo {
  step: number;
  epoch: number;
  loss: number;
  lr: number;
  /** the slimming coefficients after this step (read from the variables when called) */
  coefficients?: () => CoefficientSnapshot;
}

/**
 * Hooks into the loop; `onStep` may return 'stop' to end training early (a ticket drawn, say). A callback
 * with a `stateKey` keeps state across --resume: `saveState` goes into every checkpoint, and `onStart` gets
 * it back as `saved`.
 */
export interface Callback {
  readonly stateKey?: string;
  /** before the first step of each train() call; after --resume the trajectory holds the points recorded so far */
  onStart?(info: { trajectory: Trajectory; totalSteps: number; saved?: unknown }): void;
  onStep?(info: StepInfo): void | 'stop';
  saveState?(): unknown;
  onRecord?(info: { step: number; epoch: number; snapshot: CoefficientSnapshot; trajectory: Trajectory }): void | 'stop';
  onEpochEnd?(info: { epoch: number; step: number; test: MetricsRow }): void | 'stop';
}

export interface TrainOptions {
  model: Module;
  /** logits [B, classes] for a batch's x */
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
  /** names of model parameters that get no weight decay (default: biases and LayerNorm parameters) */
  noDecay?: (name: string) => boolean;
}

export interface TrainResult {
  steps: number;
  epochs: number;
  seconds: number;
  finalTest: MetricsRow | undefined;
  bestAccuracy: number;
  stoppedEarly: boolean;
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
  bestAccuracy: number;
  seconds: number;
  metrics: MetricsRow[];
  lastRecordedStep: number;
  /** the sums of the current epoch's train row so far */
  epochTotals?: EpochTotals;
  /** the callbacks' own state, by stateKey */
  callbacks?: Record<string, unknown>;
}

/** Training that cannot go on (a non-finite loss): exit 1. */
/** Steps between two recorded points of the coefficient trajectory (and every epoch end). */
export const RECORD_EVERY = 10;

export class TrainingError extends RunError {}

/** Thrown after SIGINT once the checkpoint is written; the CLI exits 130. */
export class Interrupted extends InterruptedBase {
  constructor(readonly checkpoint: string) {
    super(`Interrupted; the run was saved to '${checkpoint}' and continues with --resume.`);
  }
}

const defaultNoDecay = (name: string) => /\.bias$/.test(name) || /layernorm|LayerNorm/.test(name);

export const METRICS_HEADER = 'step,epoch,split,loss,accuracy,lr,seconds,phase,examples';

export async function train(o: TrainOptions): Promise<TrainResult> {
  const recordEvery = o.recordEvery ?? RECORD_EVERY;
  const evalBatch = o.evalBatchSize ?? o.batchSize;
  const batchesPerEpoch = Math.ceil(o.train.size / o.batchSize);
  const totalSteps = batchesPerEpoch * o.epochs;
  const noDecay = o.noDecay ?? defaultNoDecay;
  const params: TrainableParameter[] = o.model.namedParameters().map(([name, variable]) => ({ name, variable, decay: !noDecay(name) }));
  o.slimming?.heads.forEach((v, l) => params.push({ name: `slimming.heads.${l}`, variable: v, decay: false }));
  o.slimming?.ffn.forEach((v, l) => params.push({ name: `slimming.ffn.${l}`, variable: v, decay: false }));
  const optimizer = new Adam(params, o.optimizer);
  const ckptDir = path.join(o.outDir, 'checkpoints');
  const lastFile = path.join(ckptDir, CHECKPOINT_FILES.last);
  const bestFile = path.join(ckptDir, CHECKPOINT_FILES.best);
  const trajectoryFile = path.join(o.outDir, 'trajectory.arrow');
  fs.mkdirSync(ckptDir, { recursive: true });

  const variables = new Map<string, tf.Variable>(params.map((p) => [p.name, p.variable]));
  for (const [k, v] of optimizer.stateTensors()) variables.set(k, v);

  let state: LoopState = {
    phase: 1,
    epoch: 0,
    batch: 0,
    step: 0,
    optimizerT: 0,
    random: o.seed >>> 0,
    bestAccuracy: -1,
    seconds: 0,
    metrics: [],
    lastRecordedStep: -1,
  };
  let trajectory = new Trajectory();
  const resumeFrom = o.resume ? (o.resumeFrom !== undefined ? o.resumeFrom : resumableCheckpoint(ckptDir)) : null;
  if (o.continueFrom && !o.resume) {
    state = { ...o.continueFrom.state, metrics: [...o.continueFrom.state.metrics], optimizerT: 0 };
    trajectory = o.continueFrom.trajectory;
  } else if (resumeFrom) {
    state = loadCheckpoint<LoopState>(resumeFrom, variables);
    optimizer.t = state.optimizerT;
    if (o.slimming) {
      if (!fs.existsSync(trajectoryFile)) throw new CheckpointError(`Cannot resume: '${trajectoryFile}' is missing.`);
      trajectory = Trajectory.read(trajectoryFile);
      trajectory.truncateAfter(state.lastRecordedStep);
    }
  } else if (o.slimming) {
    trajectory.record(0, 0, o.slimming.snapshot());
    state.lastRecordedStep = 0;
  }

  const random = new Random(state.random);
  const progress = new Progress(o.progress ?? true);
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  const started = Date.now() - state.seconds * 1000;
  const seconds = () => (Date.now() - started) / 1000;

  let totals = noTotals();
  const persist = (file: string) => {
    state.epochTotals = { ...totals };
    state.optimizerT = optimizer.t;
    state.random = random.state;
    state.seconds = seconds();
    for (const c of o.callbacks ?? []) if (c.stateKey && c.saveState) (state.callbacks ??= {})[c.stateKey] = c.saveState();
    saveCheckpoint(file, variables, state);
  };
  const writeOutputs = () => {
    writeMetrics(path.join(o.outDir, 'metrics.csv'), state.metrics);
    if (o.slimming) trajectory.write(trajectoryFile);
  };
  const record = () => {
    if (!o.slimming || state.lastRecordedStep === state.step) return undefined;
    const snapshot = o.slimming.snapshot();
    trajectory.record(state.step, state.epoch, snapshot);
    state.lastRecordedStep = state.step;
    return runCallbacks(o.callbacks, (c) => c.onRecord?.({ step: state.step, epoch: state.epoch, snapshot, trajectory }));
  };

  for (const c of o.callbacks ?? []) c.onStart?.({ trajectory, totalSteps, saved: c.stateKey ? state.callbacks?.[c.stateKey] : undefined });
  const slimming = o.slimming;
  const coefficients = slimming ? () => slimming.snapshot() : undefined;
  let stoppedEarly = false;
  try {
    while (state.epoch < o.epochs && !stoppedEarly) {
      const order = epochOrder(o.train.size, o.seed, state.epoch);
      totals = state.batch > 0 && state.epochTotals ? { ...state.epochTotals } : noTotals();
      const epochStart = Date.now();
      const firstBatch = state.batch;
      const seenBefore = totals.examples;
      for (; state.batch < batchesPerEpoch;) {
        const lr = learningRate(state.step, { ...o.schedule, totalSteps });
        const idx = batchIndices(order, o.batchSize, state.batch);
        const batch = o.train.batch(idx, { augment: o.augment ?? false, random });
        seedDropout(deriveSeed(o.seed, state.step));
        let correctTensor: tf.Tensor | undefined;
        const { value, grads } = tf.variableGrads(
          () => {
            const logits = o.forward(batch.x, true);
            let loss = crossEntropy(logits, batch.labels, o.labelSmoothing ?? 0);
            if (o.slimming) loss = loss.add(o.slimming.penalty());
            // the batch's correct count rides along so that one read per step suffices
            correctTensor = tf.keep(tf.equal(tf.argMax(logits, 1), batch.labels.toInt()).sum());
            return loss as tf.Scalar;
          },
          params.map((p) => p.variable),
        );
        const [lossValue, correctValue] = [value.dataSync()[0], correctTensor!.dataSync()[0]];
        const labelCount = batch.labels.shape[0]; // may exceed the batch (QA: a start and an end per example)
        tf.dispose([value, correctTensor!, batch.labels, ...tensorsOf(batch.x)]);
        if (!Number.isFinite(lossValue)) {
          tf.dispose(Object.values(grads));
          throw new TrainingError(
            `The loss is ${lossValue} at step ${state.step + 1} (epoch ${state.epoch + 1}); training stopped. ` +
              (fs.existsSync(lastFile) ? `The last good checkpoint is '${lastFile}'.` : 'No checkpoint was written yet.') +
              ' Try a lower --lr or gradient clipping.',
          );
        }
        const named: Record<string, tf.Tensor> = {};
        params.forEach((p) => (named[p.name] = grads[p.variable.name]));
        const clipped = o.clipNorm ? clipByGlobalNorm(named, o.clipNorm).grads : named;
        optimizer.step(clipped, lr);
        tf.dispose(Object.values(clipped));
        state.step += 1;
        state.batch += 1;
        totals.loss += lossValue * idx.length;
        totals.correct += correctValue;
        totals.labels += labelCount;
        totals.examples += idx.length;
        const perSecond = (totals.examples - seenBefore) / Math.max(1e-3, (Date.now() - epochStart) / 1000);
        const remaining = (batchesPerEpoch - state.batch + (o.epochs - state.epoch - 1) * batchesPerEpoch) * o.batchSize;
        progress.update(
          state.epoch,
          o.epochs,
          state.batch,
          batchesPerEpoch,
          totals.loss / totals.examples,
          totals.correct / totals.labels,
          perSecond,
          remaining / perSecond,
        );
        if (runCallbacks(o.callbacks, (c) => c.onStep?.({ step: state.step, epoch: state.epoch, loss: lossValue, lr, coefficients })) === 'stop')
          stoppedEarly = true;
        if (state.step % recordEvery === 0 && record() === 'stop') stoppedEarly = true;
        // let the event loop run, or a SIGINT would only be seen once training is over
        await new Promise((resolve) => setImmediate(resolve));
        if (interrupted) {
          writeOutputs();
          persist(lastFile);
          throw new Interrupted(lastFile);
        }
        if (stoppedEarly) break;
      }
      const phase = state.phase ?? 1;
      const lr = learningRate(Math.max(0, state.step - 1), { ...o.schedule, totalSteps });
      const trainRow = (): MetricsRow => ({
        step: state.step,
        epoch: state.epoch,
        split: 'train',
        loss: totals.loss / totals.examples,
        accuracy: totals.correct / totals.labels,
        lr,
        seconds: seconds(),
        phase,
        examples: totals.examples,
      });
      if (stoppedEarly && state.batch < batchesPerEpoch) {
        // stopped mid-epoch (a ticket drawn): this phase's part of the epoch gets its own row, the next phase
        // continues from here with the rest; record the point and save where we are
        if (totals.examples > 0) state.metrics.push(trainRow());
        totals = noTotals();
        record();
        writeOutputs();
        persist(lastFile);
        break;
      }
      if (record() === 'stop') stoppedEarly = true;
      const epochTotals = { ...totals };
      if (totals.examples > 0) state.metrics.push(trainRow());
      const test = evaluate(o, evalBatch);
      const testRow: MetricsRow = {
        step: state.step,
        epoch: state.epoch,
        split: 'test',
        loss: test.loss,
        accuracy: test.accuracy,
        lr,
        seconds: seconds(),
        phase,
        examples: o.test.size,
      };
      state.metrics.push(testRow);
      totals = noTotals();
      progress.line(
        `epoch ${state.epoch + 1}/${o.epochs}: train loss ${(epochTotals.loss / Math.max(1, epochTotals.examples)).toFixed(4)} acc ${((100 * epochTotals.correct) / Math.max(1, epochTotals.labels)).toFixed(2)}%` +
          `${firstBatch ? (o.continueFrom && !o.resume ? ` (pruned model from batch ${firstBatch})` : ` (resumed at batch ${firstBatch})`) : ''}, test loss ${test.loss.toFixed(4)} acc ${(100 * test.accuracy).toFixed(2)}%, ${seconds().toFixed(0)} s`,
      );
      const improved = test.accuracy > state.bestAccuracy;
      if (improved) state.bestAccuracy = test.accuracy;
      const stopAfterEpoch = runCallbacks(o.callbacks, (c) => c.onEpochEnd?.({ epoch: state.epoch, step: state.step, test: testRow }));
      state.epoch += 1;
      state.batch = 0;
      writeOutputs();
      persist(lastFile);
      if (improved) fs.copyFileSync(lastFile, bestFile);
      if (stopAfterEpoch === 'stop') stoppedEarly = true;
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
    optimizer.dispose();
  }
  const tests = state.metrics.filter((m) => m.split === 'test');
  state.seconds = seconds();
  return {
    steps: state.step,
    epochs: state.epoch,
    seconds: seconds(),
    finalTest: tests[tests.length - 1],
    bestAccuracy: state.bestAccuracy,
    stoppedEarly,
    state,
    trajectory,
  };
}

function tensorsOf(x: Batch['x']): tf.Tensor[] {
  return x instanceof tf.Tensor ? [x] : Object.values(x);
}

function runCallbacks(callbacks: Callback[] | undefined, f: (c: Callback) => void | 'stop'): 'stop' | undefined {
  let stop: 'stop' | undefined;
  for (const c of callbacks ?? []) if (f(c) === 'stop') stop = 'stop';
  return stop;
}

/** Mean loss and accuracy over a data source, in batches, without gradients. */
export function evaluate(o: Pick<TrainOptions, 'forward' | 'test'>, batchSize: number): { loss: number; accuracy: number } {
  let lossSum = 0;
  let correct = 0;
  let labels = 0;
  const all = Int32Array.from({ length: o.test.size }, (_, i) => i);
  const random = new Random(0);
  for (let start = 0; start < o.test.size; start += batchSize) {
    const idx = all.subarray(start, Math.min(o.test.size, start + batchSize));
    const batch = o.test.batch(idx, { augment: false, random });
    const [l, c] = tf.tidy(() => {
      const logits = o.forward(batch.x, false);
      return [crossEntropy(logits, batch.labels).mul(idx.length), tf.equal(tf.argMax(logits, 1), batch.labels.toInt()).sum()];
    });
    lossSum += l.dataSync()[0];
    correct += c.dataSync()[0];
    labels += batch.labels.shape[0];
    tf.dispose([l, c, batch.labels, ...tensorsOf(batch.x)]);
  }
  return { loss: lossSum / o.test.size, accuracy: correct / Math.max(1, labels) };
}

export function writeMetrics(file: string, rows: MetricsRow[]): void {
  const lines = [METRICS_HEADER, ...rows.map((r) => [r.step, r.epoch, r.split, r.loss, r.accuracy, r.lr, r.seconds.toFixed(3), r.phase, r.examples].join(','))];
  writeFileAtomic(file, lines.join('\n') + '\n');
}

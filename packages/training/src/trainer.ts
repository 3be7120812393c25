/**
 * The training loop: AdamW/Adam, warm-up + decay, global-norm clipping, slimming's L1 penalty, evaluation
 * each epoch, metrics.csv, the coefficient trajectory, atomic checkpoints (last and best), exact resume,
 * SIGINT and NaN handling, and callbacks where the early-bird criteria hook in.
 */
import { writeFileAtomic } from '@ebt/files';
import { readAll } from '@ebt/backend';
import { Interrupted as InterruptedBase, RunError } from '@ebt/errors';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { batchIndices, deriveSeed, epochOrder, Random } from '@ebt/data';
import { Module, seedDropout } from '@ebt/models';
import { CoefficientSnapshot, Slimming, Trajectory } from '@ebt/slimming';
import { CHECKPOINT_FILES, CheckpointError, loadCheckpoint, resumableCheckpoint, saveCheckpoint } from './checkpoint';
import { clipByGlobalNorm } from './gradients';
import { CLASSIFICATION, Objective } from './objective';
import { Adam, OptimizerOptions, TrainableParameter } from './optimizer';
import { formatScore, Progress } from './progress';
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
  /** the objective's score: accuracy, or Pearson's r for a regression head */
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
  examples: number;
  /** the objective's tally, summed */
  tally: number[];
}

const noTotals = (): EpochTotals => ({ loss: 0, examples: 0, tally: [] });

/** A checkpoint's epoch sums; those written before objectives (correct and labels counts) are a classification tally. */
function savedTotals(saved: EpochTotals | (Omit<EpochTotals, 'tally'> & { correct: number; labels: number })): EpochTotals {
  return 'tally' in saved ? { ...saved, tally: [...saved.tally] } : { loss: saved.loss, examples: saved.examples, tally: [saved.correct, saved.labels] };
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
  bestAccuracy: number;
  stoppedEarly: boolean;
  /** what finalTest.accuracy and bestAccuracy hold: accuracy, or Pearson's r of a regression head */
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

/**
 * Weight decay by shape, as nanoGPT: matrices and embeddings (2-D and up) decay, vectors (biases, LayerNorm's
 * gain and shift) do not - whatever a model names them (a name rule would decay a norm called `ln_1`).
 */
export const defaultNoDecay = (_name: string, variable: tf.Variable): boolean => variable.shape.length < 2;

export const METRICS_HEADER = 'step,epoch,split,loss,accuracy,lr,seconds,phase,examples';

export async function train(o: TrainOptions): Promise<TrainResult> {
  const recordEvery = o.recordEvery ?? RECORD_EVERY;
  const evalBatch = o.evalBatchSize ?? o.batchSize;
  const batchesPerEpoch = Math.ceil(o.train.size / o.batchSize);
  const totalSteps = batchesPerEpoch * o.epochs;
  const noDecay = o.noDecay ?? defaultNoDecay;
  const objective = o.objective ?? CLASSIFICATION;
  const params: TrainableParameter[] = o.model.namedParameters().map(([name, variable]) => ({ name, variable, decay: !noDecay(name, variable) }));
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
    trajectory.record(0, 0, await o.slimming.snapshot());
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
  const persist = async (file: string) => {
    state.epochTotals = { ...totals };
    state.optimizerT = optimizer.t;
    state.random = random.state;
    state.seconds = seconds();
    for (const c of o.callbacks ?? []) if (c.stateKey && c.saveState) (state.callbacks ??= {})[c.stateKey] = c.saveState();
    await saveCheckpoint(file, variables, state);
  };
  const writeOutputs = () => {
    writeMetrics(path.join(o.outDir, 'metrics.csv'), state.metrics);
    if (o.slimming) trajectory.write(trajectoryFile);
  };
  // the coefficients as read at the last step: nothing changes them between a step and the next record
  let stepSnapshot: { step: number; snapshot: CoefficientSnapshot } | undefined;
  const record = async () => {
    if (!o.slimming || state.lastRecordedStep === state.step) return undefined;
    const snapshot = stepSnapshot?.step === state.step ? stepSnapshot.snapshot : await o.slimming.snapshot();
    trajectory.record(state.step, state.epoch, snapshot);
    state.lastRecordedStep = state.step;
    return runCallbacks(o.callbacks, (c) => c.onRecord?.({ step: state.step, epoch: state.epoch, snapshot, trajectory }));
  };

  for (const c of o.callbacks ?? []) c.onStart?.({ trajectory, totalSteps, saved: c.stateKey ? state.callbacks?.[c.stateKey] : undefined });
  const coefficientVariables = o.slimming?.variables() ?? [];
  let stoppedEarly = false;
  try {
    while (state.epoch < o.epochs && !stoppedEarly) {
      const order = epochOrder(o.train.size, o.seed, state.epoch);
      totals = state.batch > 0 && state.epochTotals ? savedTotals(state.epochTotals) : noTotals();
      const epochStart = Date.now();
      const firstBatch = state.batch;
      const seenBefore = totals.examples;
      for (; state.batch < batchesPerEpoch;) {
        const lr = learningRate(state.step, { ...o.schedule, totalSteps });
        const idx = batchIndices(order, o.batchSize, state.batch);
        const batch = o.train.batch(idx, { augment: o.augment ?? false, random });
        seedDropout(deriveSeed(o.seed, state.step));
        let tallyTensor: tf.Tensor | undefined;
        const { value, grads } = tf.variableGrads(
          () => {
            const logits = o.forward(batch.x, true);
            let loss = objective.loss(logits, batch.labels, o.labelSmoothing ?? 0);
            if (o.slimming) loss = loss.add(o.slimming.penalty());
            // the batch's tally rides along so that one read per step suffices
            tallyTensor = tf.keep(objective.tally(logits, batch.labels));
            return loss as tf.Scalar;
          },
          params.map((p) => p.variable),
        );
        tf.dispose([batch.labels, ...tensorsOf(batch.x)]);
        const named: Record<string, tf.Tensor> = {};
        params.forEach((p) => (named[p.name] = grads[p.variable.name]));
        if (o.clipNorm) {
          const clip = clipByGlobalNorm(named, o.clipNorm);
          clip.norm.dispose();
          Object.assign(named, clip.grads);
        }
        optimizer.step(named, lr);
        tf.dispose(Object.values(named));
        // the step's one read from the device: loss, tally and the coefficients after the update, together
        const [[lossValue], tallyValue, ...coefficientValues] = await readAll([value, tallyTensor!, ...coefficientVariables]).finally(() =>
          tf.dispose([value, tallyTensor!]),
        );
        if (!Number.isFinite(lossValue)) {
          throw new TrainingError(
            `The loss is ${lossValue} at step ${state.step + 1} (epoch ${state.epoch + 1}); training stopped. ` +
              (fs.existsSync(lastFile) ? `The last good checkpoint is '${lastFile}'.` : 'No checkpoint was written yet.') +
              ' Try a lower --lr or gradient clipping.',
          );
        }
        state.step += 1;
        const snapshot = o.slimming?.snapshotOf(coefficientValues);
        stepSnapshot = snapshot && { step: state.step, snapshot };
        state.batch += 1;
        totals.loss += lossValue * idx.length;
        totals.tally = objective.merge(totals.tally, tallyValue);
        totals.examples += idx.length;
        const perSecond = (totals.examples - seenBefore) / Math.max(1e-3, (Date.now() - epochStart) / 1000);
        const remaining = (batchesPerEpoch - state.batch + (o.epochs - state.epoch - 1) * batchesPerEpoch) * o.batchSize;
        progress.update(
          state.epoch,
          o.epochs,
          state.batch,
          batchesPerEpoch,
          totals.loss / totals.examples,
          objective.score(totals.tally),
          objective.metric,
          perSecond,
          remaining / perSecond,
        );
        const coefficients = snapshot && (() => snapshot);
        if ((await runCallbacks(o.callbacks, (c) => c.onStep?.({ step: state.step, epoch: state.epoch, loss: lossValue, lr, coefficients }))) === 'stop')
          stoppedEarly = true;
        if (state.step % recordEvery === 0 && (await record()) === 'stop') stoppedEarly = true;
        // let the event loop run, or a SIGINT would only be seen once training is over
        await new Promise((resolve) => setImmediate(resolve));
        if (interrupted) {
          writeOutputs();
          await persist(lastFile);
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
        accuracy: objective.score(totals.tally),
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
        await record();
        writeOutputs();
        await persist(lastFile);
        break;
      }
      if ((await record()) === 'stop') stoppedEarly = true;
      const epochTotals = { ...totals };
      if (totals.examples > 0) state.metrics.push(trainRow());
      const test = await evaluate({ ...o, objective }, evalBatch);
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
        `epoch ${state.epoch + 1}/${o.epochs}: train loss ${(epochTotals.loss / Math.max(1, epochTotals.examples)).toFixed(4)} ${formatScore(objective.metric, objective.score(epochTotals.tally))}` +
          `${firstBatch ? (o.continueFrom && !o.resume ? ` (pruned model from batch ${firstBatch})` : ` (resumed at batch ${firstBatch})`) : ''}, test loss ${test.loss.toFixed(4)} ${formatScore(objective.metric, test.accuracy)}, ${seconds().toFixed(0)} s`,
      );
      const improved = test.accuracy > state.bestAccuracy;
      if (improved) state.bestAccuracy = test.accuracy;
      const stopAfterEpoch = await runCallbacks(o.callbacks, (c) => c.onEpochEnd?.({ epoch: state.epoch, step: state.step, test: testRow }));
      state.epoch += 1;
      state.batch = 0;
      writeOutputs();
      await persist(lastFile);
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
    metric: objective.metric,
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

async function runCallbacks(callbacks: Callback[] | undefined, f: (c: Callback) => HookResult): Promise<'stop' | undefined> {
  let stop: 'stop' | undefined;
  for (const c of callbacks ?? []) if ((await f(c)) === 'stop') stop = 'stop';
  return stop;
}

/** Mean loss and the objective's score (accuracy by default) over a data source, in batches, without gradients. */
export async function evaluate(o: Pick<TrainOptions, 'forward' | 'test' | 'objective'>, batchSize: number): Promise<{ loss: number; accuracy: number }> {
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
  return { loss: lossSum / o.test.size, accuracy: objective.score(tally) };
}

export function writeMetrics(file: string, rows: MetricsRow[]): void {
  const lines = [METRICS_HEADER, ...rows.map((r) => [r.step, r.epoch, r.split, r.loss, r.accuracy, r.lr, r.seconds.toFixed(3), r.phase, r.examples].join(','))];
  writeFileAtomic(file, lines.join('\n') + '\n');
}

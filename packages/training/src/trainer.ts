/**
 * The training loop: AdamW/Adam, warm-up + decay, global-norm clipping, slimming's L1 penalty, evaluation
 * each epoch, metrics.csv, the coefficient trajectory, atomic checkpoints (last and best), exact resume,
 * SIGINT and NaN handling, and callbacks where the early-bird criteria hook in. `train` is the loop over
 * named steps; `TrainingLoop` holds what one call carries between them.
 */
import { readAll } from '@ebt/backend';
import { Interrupted as InterruptedBase, RunError } from '@ebt/errors';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { batchIndices, deriveSeed, epochOrder, Random } from '@ebt/data';
import { seedDropout } from '@ebt/models';
import { CoefficientSnapshot, Trajectory } from '@ebt/slimming';
import { CHECKPOINT_FILES, CheckpointError, loadCheckpoint, resumableCheckpoint, saveCheckpoint } from './checkpoint';
import { evaluate, tensorsOf } from './evaluate';
import { clipByGlobalNorm } from './gradients';
import { writeMetrics } from './metrics-file';
import { CLASSIFICATION, Objective } from './objective';
import { Adam, TrainableParameter } from './optimizer';
import { formatScore, Progress } from './progress';
import { learningRate } from './schedule';
import type { Callback, EpochTotals, HookResult, LoopState, MetricsRow, TrainOptions, TrainResult } from './types';

/** Steps between two recorded points of the coefficient trajectory (and every epoch end). */
export const RECORD_EVERY = 10;

/** Optimizer steps in one epoch: every batch of `batchSize`, the last one partial. */
export const batchesPerEpoch = (o: { train: { size: number }; batchSize: number }) => Math.ceil(o.train.size / o.batchSize);

/** Training that cannot go on (a non-finite loss): exit 1. */
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

export async function train(o: TrainOptions): Promise<TrainResult> {
  const loop = await TrainingLoop.start(o);
  const onSigint = () => (loop.interrupted = true);
  process.on('SIGINT', onSigint);
  let stop = false;
  try {
    while (loop.state.epoch < o.epochs && !stop) {
      loop.beginEpoch();
      while (loop.state.batch < loop.batchesPerEpoch && !stop) {
        stop = (await loop.runStep()) === 'stop';
        await loop.yieldToSignals();
      }
      if (stop && loop.state.batch < loop.batchesPerEpoch) {
        await loop.stopMidEpoch();
        break;
      }
      stop = (await loop.finishEpoch()) === 'stop' || stop;
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
    loop.optimizer.dispose();
  }
  return loop.result(stop);
}

const noTotals = (): EpochTotals => ({ loss: 0, examples: 0, tally: [] });

/** A checkpoint's epoch sums; those written before objectives (correct and labels counts) are a classification tally. */
function savedTotals(saved: EpochTotals | (Omit<EpochTotals, 'tally'> & { correct: number; labels: number })): EpochTotals {
  return 'tally' in saved ? { ...saved, tally: [...saved.tally] } : { loss: saved.loss, examples: saved.examples, tally: [saved.correct, saved.labels] };
}

/** A fresh run's state: phase 1, step 0, the seed's random stream. */
function initialState(seed: number): LoopState {
  return { phase: 1, epoch: 0, batch: 0, step: 0, optimizerT: 0, random: seed >>> 0, bestScore: -1, seconds: 0, metrics: [], lastRecordedStep: -1 };
}

async function runCallbacks(callbacks: Callback[] | undefined, f: (c: Callback) => HookResult): Promise<'stop' | undefined> {
  let stop: 'stop' | undefined;
  for (const c of callbacks ?? []) if ((await f(c)) === 'stop') stop = 'stop';
  return stop;
}

/** What one train() call carries from step to step: the run's state, its optimizer, files and running sums. */
class TrainingLoop {
  readonly batchesPerEpoch: number;
  readonly totalSteps: number;
  readonly objective: Objective;
  readonly files: { checkpoints: string; last: string; best: string; trajectory: string; metrics: string };
  readonly random: Random;
  readonly progress: Progress;
  readonly started: number;
  interrupted = false;
  /** the current epoch's order, sums and where it began (for the status line) */
  private epoch = { order: new Int32Array(0) as Int32Array<ArrayBufferLike>, totals: noTotals(), firstBatch: 0, seenBefore: 0, started: 0 };
  /** the coefficients as read at the last step: nothing changes them between a step and the next record */
  private stepSnapshot: { step: number; snapshot: CoefficientSnapshot } | undefined;

  private constructor(
    readonly o: TrainOptions,
    readonly params: TrainableParameter[],
    readonly optimizer: Adam,
    readonly variables: Map<string, tf.Variable>,
    public state: LoopState,
    public trajectory: Trajectory,
  ) {
    this.batchesPerEpoch = batchesPerEpoch(o);
    this.totalSteps = this.batchesPerEpoch * o.epochs;
    this.objective = o.objective ?? CLASSIFICATION;
    const checkpoints = path.join(o.outDir, 'checkpoints');
    this.files = {
      checkpoints,
      last: path.join(checkpoints, CHECKPOINT_FILES.last),
      best: path.join(checkpoints, CHECKPOINT_FILES.best),
      trajectory: path.join(o.outDir, 'trajectory.arrow'),
      metrics: path.join(o.outDir, 'metrics.csv'),
    };
    this.random = new Random(state.random);
    this.progress = new Progress(o.progress ?? true);
    this.started = Date.now() - state.seconds * 1000;
  }

  /** The parameters and optimizer, and where the run starts: fresh, resumed from a checkpoint, or continuing a phase. */
  static async start(o: TrainOptions): Promise<TrainingLoop> {
    const noDecay = o.noDecay ?? defaultNoDecay;
    const params: TrainableParameter[] = o.model.namedParameters().map(([name, variable]) => ({ name, variable, decay: !noDecay(name, variable) }));
    o.slimming?.heads.forEach((v, l) => params.push({ name: `slimming.heads.${l}`, variable: v, decay: false }));
    o.slimming?.ffn.forEach((v, l) => params.push({ name: `slimming.ffn.${l}`, variable: v, decay: false }));
    const optimizer = new Adam(params, o.optimizer);
    const variables = new Map<string, tf.Variable>(params.map((p) => [p.name, p.variable]));
    for (const [k, v] of optimizer.stateTensors()) variables.set(k, v);
    const checkpoints = path.join(o.outDir, 'checkpoints');
    fs.mkdirSync(checkpoints, { recursive: true });
    const { state, trajectory } = await TrainingLoop.startingPoint(o, variables, checkpoints);
    optimizer.t = state.optimizerT;
    const loop = new TrainingLoop(o, params, optimizer, variables, state, trajectory);
    for (const c of o.callbacks ?? []) c.onStart?.({ trajectory, totalSteps: loop.totalSteps, saved: c.stateKey ? state.callbacks?.[c.stateKey] : undefined });
    return loop;
  }

  private static async startingPoint(
    o: TrainOptions,
    variables: Map<string, tf.Variable>,
    checkpoints: string,
  ): Promise<{ state: LoopState; trajectory: Trajectory }> {
    const resumeFrom = o.resume ? (o.resumeFrom !== undefined ? o.resumeFrom : resumableCheckpoint(checkpoints)) : null;
    if (o.continueFrom && !o.resume)
      return { state: { ...o.continueFrom.state, metrics: [...o.continueFrom.state.metrics], optimizerT: 0 }, trajectory: o.continueFrom.trajectory };
    if (resumeFrom) {
      const state = loadCheckpoint<LoopState & { bestAccuracy?: number }>(resumeFrom, variables);
      state.bestScore ??= state.bestAccuracy ?? -1; // a checkpoint of ebt before 0.2
      if (!o.slimming) return { state, trajectory: new Trajectory() };
      const file = path.join(o.outDir, 'trajectory.arrow');
      if (!fs.existsSync(file)) throw new CheckpointError(`Cannot resume: '${file}' is missing.`);
      const trajectory = Trajectory.read(file);
      trajectory.truncateAfter(state.lastRecordedStep);
      return { state, trajectory };
    }
    const state = initialState(o.seed);
    const trajectory = new Trajectory();
    if (o.slimming) {
      trajectory.record(0, 0, await o.slimming.snapshot());
      state.lastRecordedStep = 0;
    }
    return { state, trajectory };
  }

  seconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  private lr(step: number): number {
    return learningRate(step, { ...this.o.schedule, totalSteps: this.totalSteps });
  }

  beginEpoch(): void {
    const { state } = this;
    const totals = state.batch > 0 && state.epochTotals ? savedTotals(state.epochTotals) : noTotals();
    this.epoch = {
      order: epochOrder(this.o.train.size, this.o.seed, state.epoch),
      totals,
      firstBatch: state.batch,
      seenBefore: totals.examples,
      started: Date.now(),
    };
  }

  /** One optimizer step on the next batch, then the status line, the callbacks and (every recordEvery steps) a trajectory point. */
  async runStep(): Promise<'stop' | undefined> {
    const { o, state } = this;
    const lr = this.lr(state.step);
    const idx = batchIndices(this.epoch.order, o.batchSize, state.batch);
    const { loss, tally, coefficients } = await this.descend(idx, lr);
    state.step += 1;
    state.batch += 1;
    const snapshot = o.slimming?.snapshotOf(coefficients);
    this.stepSnapshot = snapshot && { step: state.step, snapshot };
    const totals = this.epoch.totals;
    totals.loss += loss * idx.length;
    totals.tally = this.objective.merge(totals.tally, tally);
    totals.examples += idx.length;
    this.showProgress();
    const stepInfo = { step: state.step, epoch: state.epoch, loss, lr, coefficients: snapshot && (() => snapshot) };
    let stop = await runCallbacks(o.callbacks, (c) => c.onStep?.(stepInfo));
    if (state.step % (o.recordEvery ?? RECORD_EVERY) === 0 && (await this.record()) === 'stop') stop = 'stop';
    return stop;
  }

  /** The gradient step itself, and its one read from the device: loss, tally and the coefficients after the update. */
  private async descend(idx: Int32Array, lr: number): Promise<{ loss: number; tally: Float32Array; coefficients: Float32Array[] }> {
    const { o, state, objective } = this;
    const batch = o.train.batch(idx, { augment: o.augment ?? false, random: this.random });
    seedDropout(deriveSeed(o.seed, state.step));
    let tallyTensor: tf.Tensor | undefined;
    const { value, grads } = tf.variableGrads(
      () => {
        const logits = o.forward(batch.x, true);
        let loss = objective.loss(logits, batch.labels, o.labelSmoothing ?? 0);
        if (o.slimming) loss = loss.add(o.slimming.penalty());
        tallyTensor = tf.keep(objective.tally(logits, batch.labels)); // rides along: one read per step
        return loss as tf.Scalar;
      },
      this.params.map((p) => p.variable),
    );
    tf.dispose([batch.labels, ...tensorsOf(batch.x)]);
    let named: Record<string, tf.Tensor> = Object.fromEntries(this.params.map((p) => [p.name, grads[p.variable.name]]));
    if (o.clipNorm) {
      const clip = clipByGlobalNorm(named, o.clipNorm);
      clip.norm.dispose();
      named = { ...named, ...clip.grads };
    }
    this.optimizer.step(named, lr);
    tf.dispose(Object.values(named));
    const [[loss], tally, ...coefficients] = await readAll([value, tallyTensor!, ...(o.slimming?.variables() ?? [])]).finally(() =>
      tf.dispose([value, tallyTensor!]),
    );
    if (!Number.isFinite(loss)) {
      throw new TrainingError(
        `The loss is ${loss} at step ${state.step + 1} (epoch ${state.epoch + 1}); training stopped. ` +
          (fs.existsSync(this.files.last) ? `The last good checkpoint is '${this.files.last}'.` : 'No checkpoint was written yet.') +
          ' Try a lower --lr or gradient clipping.',
      );
    }
    return { loss, tally, coefficients };
  }

  private showProgress(): void {
    const { o, state, epoch, objective } = this;
    const perSecond = (epoch.totals.examples - epoch.seenBefore) / Math.max(1e-3, (Date.now() - epoch.started) / 1000);
    const remaining = (this.batchesPerEpoch - state.batch + (o.epochs - state.epoch - 1) * this.batchesPerEpoch) * o.batchSize;
    this.progress.update({
      epoch: state.epoch,
      epochs: o.epochs,
      batch: state.batch,
      batches: this.batchesPerEpoch,
      loss: epoch.totals.loss / epoch.totals.examples,
      score: objective.score(epoch.totals.tally),
      metric: objective.metric,
      examplesPerSecond: perSecond,
      etaSeconds: remaining / perSecond,
    });
  }

  /** Lets the event loop run (or a SIGINT would only be seen once training is over); after one, saves and throws Interrupted. */
  async yieldToSignals(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (!this.interrupted) return;
    this.writeOutputs();
    await this.persist(this.files.last);
    throw new Interrupted(this.files.last);
  }

  /** A trajectory point at the current step (unless there is one), and the callbacks' onRecord. */
  private async record(): Promise<'stop' | undefined> {
    const { o, state } = this;
    if (!o.slimming || state.lastRecordedStep === state.step) return undefined;
    const snapshot = this.stepSnapshot?.step === state.step ? this.stepSnapshot.snapshot : await o.slimming.snapshot();
    this.trajectory.record(state.step, state.epoch, snapshot);
    state.lastRecordedStep = state.step;
    return runCallbacks(o.callbacks, (c) => c.onRecord?.({ step: state.step, epoch: state.epoch, snapshot, trajectory: this.trajectory }));
  }

  private trainRow(): MetricsRow {
    const { state, epoch } = this;
    const lr = this.lr(Math.max(0, state.step - 1));
    const score = this.objective.score(epoch.totals.tally);
    return {
      step: state.step,
      epoch: state.epoch,
      split: 'train',
      loss: epoch.totals.loss / epoch.totals.examples,
      score,
      lr,
      seconds: this.seconds(),
      phase: state.phase ?? 1,
      examples: epoch.totals.examples,
    };
  }

  /**
   * Stopped mid-epoch (a ticket drawn): this phase's part of the epoch gets its own row, the next phase
   * continues from here with the rest; record the point and save where we are.
   */
  async stopMidEpoch(): Promise<void> {
    if (this.epoch.totals.examples > 0) this.state.metrics.push(this.trainRow());
    this.epoch.totals = noTotals();
    await this.record();
    this.writeOutputs();
    await this.persist(this.files.last);
  }

  /** The epoch's last point, train and test rows, status line, onEpochEnd, checkpoint (and best). 'stop' if a callback said so. */
  async finishEpoch(): Promise<'stop' | undefined> {
    const { o, state, objective } = this;
    const recorded = await this.record();
    const totals = { ...this.epoch.totals };
    if (totals.examples > 0) state.metrics.push(this.trainRow());
    const test = await evaluate({ ...o, objective }, o.evalBatchSize ?? o.batchSize);
    const testRow: MetricsRow = { ...this.trainRow(), split: 'test', loss: test.loss, score: test.score, examples: o.test.size };
    state.metrics.push(testRow);
    this.epoch.totals = noTotals();
    const resumedAt = this.epoch.firstBatch
      ? o.continueFrom && !o.resume
        ? ` (pruned model from batch ${this.epoch.firstBatch})`
        : ` (resumed at batch ${this.epoch.firstBatch})`
      : '';
    this.progress.line(
      `epoch ${state.epoch + 1}/${o.epochs}: train loss ${(totals.loss / Math.max(1, totals.examples)).toFixed(4)} ${formatScore(objective.metric, objective.score(totals.tally))}` +
        `${resumedAt}, test loss ${test.loss.toFixed(4)} ${formatScore(objective.metric, test.score)}, ${this.seconds().toFixed(0)} s`,
    );
    const improved = test.score > state.bestScore;
    if (improved) state.bestScore = test.score;
    const stopAfterEpoch = await runCallbacks(o.callbacks, (c) => c.onEpochEnd?.({ epoch: state.epoch, step: state.step, test: testRow }));
    state.epoch += 1;
    state.batch = 0;
    this.writeOutputs();
    await this.persist(this.files.last);
    if (improved) fs.copyFileSync(this.files.last, this.files.best);
    return recorded === 'stop' || stopAfterEpoch === 'stop' ? 'stop' : undefined;
  }

  private writeOutputs(): void {
    writeMetrics(this.files.metrics, this.state.metrics);
    if (this.o.slimming) this.trajectory.write(this.files.trajectory);
  }

  private async persist(file: string): Promise<void> {
    const { state } = this;
    state.epochTotals = { ...this.epoch.totals };
    state.optimizerT = this.optimizer.t;
    state.random = this.random.state;
    state.seconds = this.seconds();
    for (const c of this.o.callbacks ?? []) if (c.stateKey && c.saveState) (state.callbacks ??= {})[c.stateKey] = c.saveState();
    await saveCheckpoint(file, this.variables, state);
  }

  result(stoppedEarly: boolean): TrainResult {
    const { state } = this;
    const tests = state.metrics.filter((m) => m.split === 'test');
    state.seconds = this.seconds();
    return {
      steps: state.step,
      metric: this.objective.metric,
      epochs: state.epoch,
      seconds: this.seconds(),
      finalTest: tests[tests.length - 1],
      bestScore: state.bestScore,
      stoppedEarly,
      state,
      trajectory: this.trajectory,
    };
  }
}

/**
 * EB-train online (docs/method.md sections 3 and 5.1): slim the dense model while both criteria watch; when the chosen
 * criterion draws the ticket, save it (ticket/: the pruned model with the coefficients folded in, and
 * ticket.json), then
 * - `continueWith: 'pruned'`, `rewind: 'none'` (default): prune the current weights and go on training the
 *   pruned model, still slimming, for the rest of the budget - the same metrics.csv and trajectory, the
 *   step count running on (the point of drawing early is the compute saved);
 * - `continueWith: 'dense'`: only record the ticket and keep training the dense model;
 * - `rewind: 'init'`: apply the masks to the initial weights and train them from scratch, without the L1
 *   penalty, in ticket-train/ (the seed's and EarlyBERT's protocol).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Criterion, CriterionName, DEFAULT_CRITERION, MaskOptions, masksAt, Point, resolveMaskOptions } from '@ebt/eb-criteria';
import { loadPretrained, modelFromConfig, PretrainedModel, readConfig, savePretrained } from '@ebt/models';
import { pruneModel } from '@ebt/pruning';
import { Slimming, Trajectory } from '@ebt/slimming';
import { CLASSIFICATION, loadCheckpoint, LoopState, peekCheckpointState, resumableCheckpoint, train, TrainOptions, TrainResult } from '@ebt/training';
import { earlyBirdCallback } from './early-bird-callback';
import { readTicket, TicketInfo, writeTicket } from './ticket-file';
import { UsageError } from '@ebt/errors';

export interface EbTrainOptions extends Omit<TrainOptions, 'model' | 'forward' | 'slimming' | 'callbacks' | 'continueFrom'> {
  model: PretrainedModel;
  slimming: Slimming;
  forwardOf: (model: PretrainedModel) => TrainOptions['forward'];
  criteria: Criterion[];
  /** the name of the criterion whose draw acts (default 'nuclear-stationarity') */
  criterion?: string;
  continueWith?: 'pruned' | 'dense';
  rewind?: 'none' | 'init';
  /** the masks' ratios and scopes (EarlyBERT's defaults) */
  masks?: MaskOptions;
  /** the initial weights (Hugging Face folder), for rewind 'init' */
  initDir?: string;
}

export interface EbTrainResult {
  result: TrainResult;
  /** the model training ended with: the pruned ticket after an EB-train draw, else the model given */
  finalModel: PretrainedModel;
  ticket: TicketInfo | null;
  /** the rewind-init training of the ticket, when asked for */
  ticketTraining?: TrainResult;
}

export async function ebTrain(o: EbTrainOptions): Promise<EbTrainResult> {
  const chosen = o.criterion ?? DEFAULT_CRITERION;
  if (!o.criteria.some((c) => c.name === chosen)) throw new UsageError(`--criterion '${chosen}' is not among ${o.criteria.map((c) => c.name).join(', ')}.`);
  const continueWith = o.continueWith ?? 'pruned';
  const rewind = o.rewind ?? 'none';
  const maskOptions = resolveMaskOptions(o.masks ?? {});
  const ticketDir = path.join(o.outDir, 'ticket');
  const log = o.progress === false ? () => undefined : (line: string) => process.stderr.write(line + '\n');
  // a resumed run starts from its newest good checkpoint, or from step 0 when it was killed before its first
  const resumeFrom = o.resume ? resumableCheckpoint(path.join(o.outDir, 'checkpoints'), log) : null;
  if (o.resume && !resumeFrom) log(`ebt: '${o.outDir}' has no checkpoint yet; starting from the beginning.`);
  const resume = Boolean(resumeFrom);
  const saved = resumeFrom ? peekCheckpointState<LoopState>(resumeFrom) : null;
  let ticket = committedTicket(ticketDir, saved?.step ?? -1, log);
  let model = o.model;
  let slimming = o.slimming;

  const saveTicket = async (point: Point, name: string) => {
    const masks = masksAt(point, maskOptions);
    const { model: folded } = pruneModel(model, masks, { coefficients: { heads: point.heads, ffn: point.ffn } });
    await savePretrained(folded, ticketDir);
    folded.dispose();
    const drawn: TicketInfo = {
      criterion: name as CriterionName,
      step: point.step,
      epoch: point.epoch,
      heads: masks.heads.map((m) => m.reduce((s, v) => s + v, 0)),
      intermediateSizes: masks.ffn.map((m) => m.reduce((s, v) => s + v, 0)),
      masks: { heads: masks.heads.map((m) => Array.from(m)), ffn: masks.ffn.map((m) => Array.from(m)) },
      options: maskOptions,
    };
    writeTicket(ticketDir, drawn);
    ticket = drawn;
    return masks;
  };

  let drawnMasks: ReturnType<typeof masksAt> | null = null;
  let drawnPoint: Point | null = null;
  const detections = earlyBirdCallback({
    criteria: o.criteria,
    outDir: o.outDir,
    onDraw: async (criterion, verdict, point) => {
      if (criterion.name !== chosen || ticket) return undefined;
      drawnPoint = { step: verdict.step, epoch: verdict.epoch, heads: point.heads, ffn: point.ffn };
      drawnMasks = await saveTicket(drawnPoint, criterion.name);
      return continueWith === 'pruned' || rewind === 'init' ? 'stop' : undefined;
    },
  });

  // A resumed run that had already pruned rebuilds the ticket's architecture, then loads its checkpoint.
  const phase = saved?.phase ?? 1;
  if (saved) {
    if (phase === 2) {
      if (!ticket) throw new UsageError(`--resume: '${o.outDir}' is in its pruned phase but has no ticket/ticket.json.`);
      model = modelFromConfig(readConfig(ticketDir));
      slimming = Slimming.attach(model, { lambdaHeads: o.slimming.lambdaHeads, lambdaFfn: o.slimming.lambdaFfn });
    }
  }
  const base = {
    ...o,
    criteria: undefined,
    criterion: undefined,
    continueWith: undefined,
    rewind: undefined,
    masks: undefined,
    initDir: undefined,
    forwardOf: undefined,
  };
  let result: TrainResult;
  const t = ticket as TicketInfo | null;
  // rewind init resumed after the draw: the dense run ended there, only ticket-train/ is left
  const denseDone = Boolean(resume && t && rewind === 'init');
  if (resume && phase === 1 && t && continueWith === 'pruned' && rewind === 'none') {
    // interrupted between the draw and the first checkpoint of the pruned phase: restore the dense model
    // at the draw and prune it again
    const variables = new Map(model.namedParameters().map(([name, v]) => [name, v] as [string, tf.Variable]));
    slimming.heads.forEach((v, l) => variables.set(`slimming.heads.${l}`, v));
    slimming.ffn.forEach((v, l) => variables.set(`slimming.ffn.${l}`, v));
    const state = loadCheckpoint<LoopState>(resumeFrom!, variables);
    const trajectory = Trajectory.read(path.join(o.outDir, 'trajectory.arrow'));
    trajectory.truncateAfter(state.lastRecordedStep);
    const snapshot = await slimming.snapshot();
    drawnPoint = { step: t.step, epoch: t.epoch, heads: snapshot.heads, ffn: snapshot.ffn };
    drawnMasks = { heads: t.masks.heads.map((m) => Uint8Array.from(m)), ffn: t.masks.ffn.map((m) => Uint8Array.from(m)) };
    detections.onStart?.({ trajectory, totalSteps: Math.ceil(o.train.size / o.batchSize) * o.epochs, saved: state.callbacks?.[detections.stateKey!] });
    result = {
      steps: state.step,
      metric: (o.objective ?? CLASSIFICATION).metric,
      epochs: state.epoch,
      seconds: state.seconds,
      finalTest: undefined,
      bestAccuracy: state.bestAccuracy,
      stoppedEarly: true,
      state,
      trajectory,
    };
  } else if (denseDone) {
    // the dense run ended at the draw; only the ticket's own training (ticket-train/) is left to do
    const state = saved!;
    const tests = state.metrics.filter((m) => m.split === 'test');
    const trajectory = Trajectory.read(path.join(o.outDir, 'trajectory.arrow'));
    result = {
      steps: state.step,
      metric: (o.objective ?? CLASSIFICATION).metric,
      epochs: state.epoch,
      seconds: state.seconds,
      finalTest: tests[tests.length - 1],
      bestAccuracy: state.bestAccuracy,
      stoppedEarly: true,
      state,
      trajectory,
    };
  } else {
    result = await train({ ...base, model, forward: o.forwardOf(model), slimming, callbacks: [detections], resume, resumeFrom });
  }
  if (!denseDone) detections.write();

  if (phase === 1 && result.stoppedEarly && drawnMasks && drawnPoint && rewind === 'none' && continueWith === 'pruned') {
    const point: Point = drawnPoint;
    const { model: pruned, coefficients } = pruneModel(model, drawnMasks, { coefficients: { heads: point.heads, ffn: point.ffn }, keepCoefficients: true });
    const prunedSlimming = Slimming.attach(pruned, { lambdaHeads: slimming.lambdaHeads, lambdaFfn: slimming.lambdaFfn });
    prunedSlimming.heads.forEach((v, l) => tf.tidy(() => v.assign(tf.tensor1d(Array.from(coefficients.heads[l])))));
    prunedSlimming.ffn.forEach((v, l) => tf.tidy(() => v.assign(tf.tensor1d(Array.from(coefficients.ffn[l])))));
    model = pruned;
    detections.freeze();
    result = await train({
      ...base,
      model: pruned,
      forward: o.forwardOf(pruned),
      slimming: prunedSlimming,
      callbacks: [detections],
      resume: false,
      continueFrom: { state: { ...result.state, phase: 2 }, trajectory: result.trajectory },
    });
    detections.write();
  }

  let ticketTraining: TrainResult | undefined;
  const drawn = ticket as TicketInfo | null;
  if (rewind === 'init' && drawn) {
    if (!o.initDir) throw new RangeError("rewind 'init' needs the initial weights (initDir).");
    const { model: init } = loadPretrained(o.initDir, { log: null });
    const { model: rewound } = pruneModel(init, { heads: drawn.masks.heads, ffn: drawn.masks.ffn });
    ticketTraining = await train({
      ...base,
      model: rewound,
      forward: o.forwardOf(rewound),
      slimming: undefined,
      outDir: path.join(o.outDir, 'ticket-train'),
      resume,
    });
  }
  return { result, finalModel: model, ticket: ticket as TicketInfo | null, ticketTraining };
}

/**
 * The ticket of a resumed run, if its draw was committed: the draw writes ticket/ (ticket.json last), then
 * the checkpoint at the draw step, so a ticket is committed only when the checkpoint the run resumes from
 * is at or after its step. Anything else in ticket/ is the remains of a draw that a kill or a full disk cut
 * short: it is removed, and the resumed run draws again at the same step.
 */
function committedTicket(ticketDir: string, checkpointStep: number, log: (line: string) => void): TicketInfo | null {
  if (!fs.existsSync(ticketDir)) return null;
  let ticket: TicketInfo | null = null;
  try {
    ticket = readTicket(ticketDir);
  } catch {
    ticket = null; // ticket.json is written atomically, so this is damage from outside; drawing again repairs it
  }
  if (ticket && ticket.step <= checkpointStep) return ticket;
  log(`ebt: removing '${ticketDir}', a draw that was not committed by a checkpoint; it is drawn again.`);
  fs.rmSync(ticketDir, { recursive: true, force: true });
  return null;
}

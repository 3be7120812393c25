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
import { CriterionName, DEFAULT_CRITERION, MaskOptions, masksAt, Point, resolveMaskOptions } from '@ebt/eb-criteria';
import type { Watch } from './run-options';
import { loadPretrained, modelFromConfig, numLabels, PretrainedModel, readConfig, savePretrained } from '@ebt/models';
import { pruneModel } from '@ebt/pruning';
import { Slimming, Trajectory } from '@ebt/slimming';
import { CLASSIFICATION, loadCheckpoint, LoopState, peekCheckpointState, resumableCheckpoint, train, TrainOptions, TrainResult } from '@ebt/training';
import { EarlyBirdCallback, earlyBirdCallback } from './early-bird-callback';
import { readTicket, TICKET_DIR, TICKET_FILE, TicketInfo, writeTicket } from './ticket-file';
import { manifestFile, recordLearning } from './manifest';
import { Learning, learningVerdict } from './run-quality';
import { readDetections } from './detections-file';
import { copyInputFiles } from './save-model';
import { UsageError } from '@ebt/errors';

export interface EbTrainOptions extends Omit<TrainOptions, 'model' | 'forward' | 'slimming' | 'callbacks' | 'continueFrom'> {
  model: PretrainedModel;
  slimming: Slimming;
  forwardOf: (model: PretrainedModel) => TrainOptions['forward'];
  /** the criteria watching, each at its ratio pairs (runCriteria) */
  watches: Watch[];
  /** the name of the criterion whose draw acts, at the first ratio pair it watches (default 'nuclear-stationarity') */
  criterion?: string;
  continueWith?: 'pruned' | 'dense';
  rewind?: 'none' | 'init';
  /** the masks' scopes (EarlyBERT's defaults); their ratios are the acting watch's */
  masks?: Pick<MaskOptions, 'scopeHeads' | 'scopeFfn'>;
  /** the initial weights (Hugging Face folder), for rewind 'init' */
  initDir?: string;
  /** the score of a model that learned nothing (chanceScore); without it only the loss is checked */
  chance?: number;
}

export interface EbTrainResult {
  result: TrainResult;
  /** the model training ended with: the pruned ticket after an EB-train draw, else the model given */
  finalModel: PretrainedModel;
  /** finalModel's slimming coefficients (folded into its weights by saveDenseModel) */
  finalSlimming: Slimming;
  ticket: TicketInfo | null;
  /** the rewind-init training of the ticket, when asked for */
  ticketTraining?: TrainResult;
  /** whether the run learned (also in run.json): a run that did not is not a result */
  learning: Learning;
}

/** The masks of a draw, as pruneModel takes them. */
type Masks = ReturnType<typeof masksAt>;

/** What every phase of one EB-train run shares: its options resolved, the run folder, the online criteria. */
interface Run {
  o: EbTrainOptions;
  /** the watch whose draw acts: the chosen criterion at its first ratio pair */
  acting: Watch;
  continueWith: 'pruned' | 'dense';
  rewind: 'none' | 'init';
  maskOptions: Required<MaskOptions>;
  ticketDir: string;
  log: (line: string) => void;
  /** the training options without EB-train's own */
  base: Omit<TrainOptions, 'model' | 'forward' | 'slimming'>;
}

/** Where a run stands when ebTrain starts, read once from its folder. */
type Start =
  /** from step 0, or resumed in the dense phase (`ticket`: a draw already committed, with continueWith 'dense') */
  | { phase: 'dense'; resumeFrom: string | null; ticket: TicketInfo | null }
  /** killed after the draw, before the pruned phase's first checkpoint: the dense model at the draw is restored and pruned again */
  | { phase: 'drawn'; resumeFrom: string; ticket: TicketInfo }
  /** resumed in the pruned phase */
  | { phase: 'pruned'; resumeFrom: string; ticket: TicketInfo }
  /** rewind 'init': the dense run ended at the draw, only ticket-train/ is left */
  | { phase: 'ticket-train'; saved: LoopState; ticket: TicketInfo };

/** A phase's outcome: its training result, the model it ended with and its slimming, and the draw if it made one. */
interface PhaseEnd {
  result: TrainResult;
  /** the criteria watching online (none when the dense run was over before this call) */
  detections: EarlyBirdCallback | null;
  model: PretrainedModel;
  slimming: Slimming;
  draw: { point: Point; masks: Masks } | null;
  ticket: TicketInfo | null;
}

export async function ebTrain(o: EbTrainOptions): Promise<EbTrainResult> {
  const run = resolveRun(o);
  const start = whereToStart(run);
  let end: PhaseEnd;
  if (start.phase === 'dense') end = await trainDense(run, start.resumeFrom, start.ticket);
  else if (start.phase === 'drawn') end = await restoreAtDraw(run, start.resumeFrom, start.ticket);
  else if (start.phase === 'pruned') end = await resumePruned(run, start.resumeFrom, start.ticket);
  else
    end = {
      result: resultOf(start.saved, trajectoryOf(o.outDir), o),
      detections: null,
      model: o.model,
      slimming: o.slimming,
      draw: null,
      ticket: start.ticket,
    };
  end.detections?.write();
  if (end.draw && end.result.stoppedEarly && run.rewind === 'none' && run.continueWith === 'pruned') end = await trainPruned(run, end);
  const ticketTraining =
    run.rewind === 'init' && end.ticket ? await trainTicket(run, end.ticket, start.phase !== 'dense' || start.resumeFrom !== null) : undefined;
  const learning = learningVerdict(end.result.state.metrics, o.chance ?? null);
  if (fs.existsSync(manifestFile(o.outDir))) recordLearning(o.outDir, learning); // a library caller may keep no run.json
  if (!learning.learned) run.log(`ebt: warning: this run did not learn (${learning.reasons.join('; ')}); its draws are not results.`);
  return { result: end.result, finalModel: end.model, finalSlimming: end.slimming, ticket: end.ticket, ticketTraining, learning };
}

function resolveRun(o: EbTrainOptions): Run {
  const chosen = o.criterion ?? DEFAULT_CRITERION;
  const acting = o.watches.find((w) => w.name === chosen);
  if (!acting) throw new UsageError(`--criterion '${chosen}' is not among ${[...new Set(o.watches.map((w) => w.name))].join(', ')}.`);
  const rewind = o.rewind ?? 'none';
  if (rewind === 'init' && !o.initDir) throw new UsageError("rewind 'init' needs the initial weights (initDir).");
  const log = o.progress === false ? () => undefined : (line: string) => process.stderr.write(line + '\n');
  const { watches: _c, criterion: _n, continueWith: _w, rewind: _r, masks: _m, initDir: _i, forwardOf: _f, model: _mo, slimming: _s, chance: _ch, ...base } = o;
  return {
    o,
    acting,
    continueWith: o.continueWith ?? 'pruned',
    rewind,
    maskOptions: resolveMaskOptions({ ...o.masks, ratioHeads: acting.ratio.heads, ratioFfn: acting.ratio.ffn }),
    ticketDir: path.join(o.outDir, TICKET_DIR),
    log,
    base,
  };
}

/** Reads the run folder once: the checkpoint to resume from, its phase, and a committed ticket. */
function whereToStart(run: Run): Start {
  const { o, log } = run;
  // a resumed run starts from its newest good checkpoint, or from step 0 when it was killed before its first
  const resumeFrom = o.resume ? resumableCheckpoint(path.join(o.outDir, 'checkpoints'), log) : null;
  // detections.json is written atomically: one that cannot be read was damaged from outside, and a resume that
  // went on would leave it so (a finished run does not write it again); refuse, naming it
  if (o.resume) readDetections(o.outDir);
  if (o.resume && !resumeFrom) log(`ebt: '${o.outDir}' has no checkpoint yet; starting from the beginning.`);
  const saved = resumeFrom ? peekCheckpointState<LoopState>(resumeFrom) : null;
  const ticket = committedTicket(run.ticketDir, saved?.step ?? -1, log);
  if (!resumeFrom || !saved) return { phase: 'dense', resumeFrom: null, ticket };
  if ((saved.phase ?? 1) === 2) {
    if (!ticket) throw new UsageError(`--resume: '${o.outDir}' is in its pruned phase but has no ticket/ticket.json.`);
    return { phase: 'pruned', resumeFrom, ticket };
  }
  if (ticket && run.rewind === 'init') return { phase: 'ticket-train', saved, ticket };
  if (ticket && run.continueWith === 'pruned') return { phase: 'drawn', resumeFrom, ticket };
  return { phase: 'dense', resumeFrom, ticket };
}

/** The dense phase: slimming with the criteria watching; the chosen criterion's draw saves the ticket (and stops, unless training goes on dense). */
async function trainDense(run: Run, resumeFrom: string | null, committed: TicketInfo | null): Promise<PhaseEnd> {
  const { o } = run;
  // the draw, when the chosen criterion makes it during this training
  const drawn: Pick<PhaseEnd, 'draw' | 'ticket'> = { draw: null, ticket: committed };
  const detections = earlyBirdCallback({
    watches: o.watches,
    outDir: o.outDir,
    onDraw: async (watch, verdict, point) => {
      if (watch.key !== run.acting.key || drawn.ticket) return undefined;
      const at = { step: verdict.step, epoch: verdict.epoch, heads: point.heads, ffn: point.ffn };
      const saved = await saveTicket(run, o.model, at, watch.name);
      Object.assign(drawn, { draw: { point: at, masks: saved.masks }, ticket: saved.ticket });
      return run.continueWith === 'pruned' || run.rewind === 'init' ? 'stop' : undefined;
    },
  });
  const result = await train({
    ...run.base,
    model: o.model,
    forward: o.forwardOf(o.model),
    slimming: o.slimming,
    callbacks: [detections],
    resume: resumeFrom !== null,
    resumeFrom,
  });
  return { result, detections, model: o.model, slimming: o.slimming, ...drawn };
}

/** Killed between the draw and the pruned phase's first checkpoint: the dense model at the draw, restored from its checkpoint. */
async function restoreAtDraw(run: Run, resumeFrom: string, ticket: TicketInfo): Promise<PhaseEnd> {
  const { o } = run;
  const detections = earlyBirdCallback({ watches: o.watches, outDir: o.outDir });
  const variables = new Map(o.model.namedParameters().map(([name, v]) => [name, v] as [string, tf.Variable]));
  o.slimming.heads.forEach((v, l) => variables.set(`slimming.heads.${l}`, v));
  o.slimming.ffn.forEach((v, l) => variables.set(`slimming.ffn.${l}`, v));
  const state = loadCheckpoint<LoopState>(resumeFrom, variables);
  const trajectory = trajectoryOf(o.outDir);
  trajectory.truncateAfter(state.lastRecordedStep);
  const snapshot = await o.slimming.snapshot();
  const point = { step: ticket.step, epoch: ticket.epoch, heads: snapshot.heads, ffn: snapshot.ffn };
  const masks = { heads: ticket.masks.heads.map((m) => Uint8Array.from(m)), ffn: ticket.masks.ffn.map((m) => Uint8Array.from(m)) };
  detections.onStart?.({ trajectory, totalSteps: Math.ceil(o.train.size / o.batchSize) * o.epochs, saved: state.callbacks?.[detections.stateKey!] });
  const result = { ...resultOf(state, trajectory, o), finalTest: undefined };
  return { result, detections, model: o.model, slimming: o.slimming, draw: { point, masks }, ticket };
}

/** Resumed in the pruned phase: the ticket's architecture rebuilt, its checkpoint loaded by train. */
async function resumePruned(run: Run, resumeFrom: string, ticket: TicketInfo): Promise<PhaseEnd> {
  const { o } = run;
  const detections = earlyBirdCallback({ watches: o.watches, outDir: o.outDir });
  const model = modelFromConfig(readConfig(run.ticketDir));
  const slimming = Slimming.attach(model, { lambdaHeads: o.slimming.lambdaHeads, lambdaFfn: o.slimming.lambdaFfn });
  const result = await train({ ...run.base, model, forward: o.forwardOf(model), slimming, callbacks: [detections], resume: true, resumeFrom });
  return { result, detections, model, slimming, draw: null, ticket };
}

/** EB-train proper: the model pruned at the draw trains on, still slimming, for the rest of the budget in the same files. */
async function trainPruned(run: Run, dense: PhaseEnd): Promise<PhaseEnd> {
  const { o } = run;
  const detections = dense.detections!; // the same criteria watch on, frozen: the pruned model's points have other shapes
  const { point, masks } = dense.draw!;
  const { model, coefficients } = pruneModel(dense.model, masks, { coefficients: { heads: point.heads, ffn: point.ffn }, keepCoefficients: true });
  const slimming = Slimming.attach(model, { lambdaHeads: dense.slimming.lambdaHeads, lambdaFfn: dense.slimming.lambdaFfn });
  slimming.heads.forEach((v, l) => tf.tidy(() => v.assign(tf.tensor1d(Array.from(coefficients.heads[l])))));
  slimming.ffn.forEach((v, l) => tf.tidy(() => v.assign(tf.tensor1d(Array.from(coefficients.ffn[l])))));
  detections.freeze();
  const continueFrom = { state: { ...dense.result.state, phase: 2 }, trajectory: dense.result.trajectory };
  const result = await train({ ...run.base, model, forward: o.forwardOf(model), slimming, callbacks: [detections], resume: false, continueFrom });
  detections.write();
  return { ...dense, result, model, slimming, draw: null };
}

/** rewind 'init': the ticket's masks on the initial weights, trained from scratch without slimming in ticket-train/. */
async function trainTicket(run: Run, ticket: TicketInfo, resume: boolean): Promise<TrainResult> {
  const { o } = run;
  // the initial weights as the run's task model: its head as the run started it (a new one: the same seed)
  const { model: init } = loadPretrained(o.initDir!, { task: o.model.task, numLabels: numLabels(o.model.config), seed: o.seed, log: null });
  const { model } = pruneModel(init, { heads: ticket.masks.heads, ffn: ticket.masks.ffn });
  return train({ ...run.base, model, forward: o.forwardOf(model), slimming: undefined, outDir: path.join(o.outDir, 'ticket-train'), resume });
}

/** Writes ticket/: the model pruned at `point` with the coefficients folded in, then ticket.json. */
async function saveTicket(run: Run, model: PretrainedModel, point: Point, criterion: string): Promise<{ masks: Masks; ticket: TicketInfo }> {
  const masks = masksAt(point, run.maskOptions);
  const { model: folded } = pruneModel(model, masks, { coefficients: { heads: point.heads, ffn: point.ffn } });
  await savePretrained(folded, run.ticketDir);
  folded.dispose();
  if (run.o.initDir) copyInputFiles(run.o.initDir, run.ticketDir); // its tokenizer or preprocessor, so the ticket fine-tunes and infers as the model did
  const ticket: TicketInfo = {
    criterion: criterion as CriterionName,
    step: point.step,
    epoch: point.epoch,
    heads: masks.heads.map((m) => m.reduce((s, v) => s + v, 0)),
    intermediateSizes: masks.ffn.map((m) => m.reduce((s, v) => s + v, 0)),
    masks: { heads: masks.heads.map((m) => Array.from(m)), ffn: masks.ffn.map((m) => Array.from(m)) },
    options: run.maskOptions,
  };
  writeTicket(run.ticketDir, ticket);
  return { masks, ticket };
}

const trajectoryOf = (outDir: string) => Trajectory.read(path.join(outDir, 'trajectory.arrow'));

/** A finished phase's result from its saved loop state (a phase that is not run again). */
function resultOf(state: LoopState, trajectory: Trajectory, o: EbTrainOptions): TrainResult {
  const tests = state.metrics.filter((m) => m.split === 'test');
  const result = { steps: state.step, epochs: state.epoch, seconds: state.seconds, bestScore: state.bestScore, state, trajectory };
  return { ...result, metric: (o.objective ?? CLASSIFICATION).metric, finalTest: tests[tests.length - 1], stoppedEarly: true };
}

/**
 * The ticket of a resumed run, if its draw was committed: the draw writes ticket/ (ticket.json last), then
 * the checkpoint at the draw step, so a ticket is committed only when the checkpoint the run resumes from
 * is at or after its step. Anything else in ticket/ is the remains of a draw that a kill or a full disk cut
 * short: it is removed, and the resumed run draws again at the same step.
 */
function committedTicket(ticketDir: string, checkpointStep: number, log: (line: string) => void): TicketInfo | null {
  if (!fs.existsSync(ticketDir)) return null;
  // ticket.json is written last and atomically: without it the draw was cut short, and is drawn again; a
  // ticket.json that cannot be read was damaged from outside - never a reason to delete the ticket it describes
  const ticket = fs.existsSync(path.join(ticketDir, TICKET_FILE)) ? readTicket(ticketDir) : null;
  if (ticket && ticket.step <= checkpointStep) return ticket;
  log(`ebt: removing '${ticketDir}', a draw that was not committed by a checkpoint; it is drawn again.`);
  fs.rmSync(ticketDir, { recursive: true, force: true });
  return null;
}

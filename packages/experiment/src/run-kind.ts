/**
 * The run-kind contract: what one kind of training run (a small ViT pretrained from scratch, BERT on GLUE or
 * SQuAD, ViT on images, ...) declares once, so that the CLI, the dense run of every study seed, every
 * prune-and-retrain cell of a sweep or a study and the Slurm workers all ask the kind instead of spelling it
 * again. A kind lives in one file of its app (`pretrain`, `finetune`), exported as `runKind`; workers load it by
 * that file's path (`module`), so nothing here or in the CLI changes when a kind is added.
 */
import type { PretrainedModel } from '@ebt/models';
import type { z } from 'zod';
import type { TrainOptions, TrainResult } from '@ebt/training';
import type { CellResult } from './cell-file';
import type { RunManifest } from './manifest';
import type { EarlyBirdRunOptions, RunOptions } from './run-options';
import type { TicketInfo } from './ticket-file';

/** The part of commander's Command a kind uses to declare its flags (experiment does not depend on commander). */
export interface FlagTarget {
  option(flags: string, description?: string, defaultValue?: string | boolean): this;
}

/** The options every kind's run takes: the shared training and EB-train options, and the kind's own. */
export interface KindRunOptions extends RunOptions, EarlyBirdRunOptions {
  /** the model to start from, a folder or a hub id (the CLI resolves a hub id into the cache), for kinds that take one */
  model?: string;
  /** a study's dense run: no sweep after training (kinds that sweep) */
  sweep?: boolean;
  /** write the run's report at the end (kinds that write one; default true) */
  report?: boolean;
}

/** What a dense run returns: its folder, its training, its ticket, and lines the CLI prints after the summary. */
export interface KindRun {
  outDir: string;
  result: TrainResult;
  ticket: TicketInfo | null;
  /** human-readable lines beyond the run summary (task metrics, the report's path) */
  notes: string[];
}

/** A retrain cell's task, prepared from a finished run's recorded options (RetrainTask.setup per pruned model). */
export interface RetrainTask {
  /** the weights tickets are retrained from, loaded as the run's task model (the retrain runner prunes it) */
  model: PretrainedModel;
  /**
   * the dense run's training options, for the (pruned) model: its schedule as the run had it over its own epochs
   * (the retrain runner gives a retrain of other length its own warm-up: retrainSchedule)
   */
  setup(model: PretrainedModel): Omit<TrainOptions, 'model' | 'outDir' | 'epochs' | 'seed' | 'progress'>;
  /** the cell's score, parameters and FLOPs, after retraining */
  score(model: PretrainedModel, result: TrainResult): Promise<Omit<CellResult, 'seconds'>>;
}

export interface RunKind<O extends KindRunOptions = KindRunOptions> {
  /** its subcommand: `ebt pretrain NAME`, `ebt finetune NAME`, `ebt study NAME` */
  name: string;
  /** its name under `ebt study` where `name` is another kind's there (default: name) */
  studyName?: string;
  /** the command run.json records (`pretrain small-vit`) */
  command: string;
  description: string;
  /** this kind's file: worker processes load the kind from it */
  module: string;
  /** the kind's own flags (the shared training and EB-train flags aside) */
  flags<C extends FlagTarget>(cmd: C): C;
  /** flags only the single-run command takes (not a study's runs) */
  runFlags?<C extends FlagTarget>(cmd: C): C;
  /** the kind's own options from its parsed flags */
  parse(flags: Record<string, any>): Partial<O>;
  /**
   * the kind's inputs checked (data, model folder) without writing anything: a study calls it before it claims its
   * folder, so a bad --data exits 2 there instead of failing in the first dense run (optional)
   */
  check?(options: Partial<O>): Promise<void>;
  /** one dense run */
  run(options: O): Promise<KindRun>;
  /** run.json's options of this kind: the shared fields (RUN_FIELDS) and its own, checked when written and read back */
  options: z.ZodType<RunManifest['options']>;
  /** the folder a run's tickets are retrained from: a pretraining run's init/, a fine-tuning run's checkpoint */
  initDir(runDir: string, run: RunManifest): string;
  /** a retrain cell's task, from the run's recorded options (the backend is started) */
  retrain(runDir: string, run: RunManifest): Promise<RetrainTask>;
}

/** The kind a module path names (a worker's cell carries it): the module's `runKind` export. */
export function loadKind(module: string): RunKind {
  const kind = (require(module) as { runKind?: RunKind }).runKind;
  if (!kind) throw new Error(`'${module}' exports no runKind.`);
  return kind;
}

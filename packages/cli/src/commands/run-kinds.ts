/**
 * The three kinds of training run - their own flags, how those flags become the app's options, and the
 * app that runs them - shared by `pretrain`/`finetune` (one run) and `study` (one run per seed).
 */
import * as path from 'node:path';
import { scratchSize } from '@ebt/models';
import { Command } from 'commander';
import { resolveModel } from '@ebt/hub';
import { RunManifest } from '@ebt/experiment';
import {
  CELL_RUNNER as FINETUNE_CELL_RUNNER,
  FinetuneBertOptions,
  FinetuneSquadOptions,
  FinetuneVitOptions,
  SQUAD_BY_NAME,
  STUDY_RUN_RUNNER as FINETUNE_RUN_RUNNER,
} from '@ebt/finetune';
import { CELL_RUNNER as PRETRAIN_CELL_RUNNER, PRESETS, PretrainOptions, STUDY_RUN_RUNNER as PRETRAIN_RUN_RUNNER } from '@ebt/pretrain';
import { oneOf, parseInteger } from '../input';

export type KindName = 'small-vit' | 'bert' | 'vit';

export interface RunKind {
  name: KindName;
  /** the command its run.json records */
  command: RunManifest['options']['command'];
  /** the weights its tickets are retrained from: a pretraining run's init/, a fine-tuning run's checkpoint */
  initDir(runDir: string, run: RunManifest): string;
  description: string;
  /** the app module that runs one seed's dense run of a study */
  runRunner: string;
  /** the app module that retrains one prune-and-retrain cell of such a run */
  cellRunner: string;
  flags(cmd: Command): Command;
  /** the app's own options from the parsed flags (the shared training and EB-train flags aside) */
  parse(
    o: Record<string, any>,
  ): Partial<PretrainOptions> | Partial<FinetuneBertOptions & FinetuneSquadOptions & { task: 'glue' | 'squad' }> | Partial<FinetuneVitOptions>;
}

const optionalInt = (v: unknown, flag: string) => (v === undefined ? undefined : parseInteger(v as string, flag));

export const SMALL_VIT: RunKind = {
  name: 'small-vit',
  command: 'pretrain small-vit',
  initDir: (runDir) => path.join(runDir, 'init'),
  runRunner: PRETRAIN_RUN_RUNNER,
  cellRunner: PRETRAIN_CELL_RUNNER,
  description: 'Slimming pretraining of a small ViT (MNIST by default); writes run.json, metrics.csv, trajectory.arrow, detections.json, checkpoints/.',
  flags: (cmd) =>
    cmd
      .option('--preset <name>', `one of ${Object.keys(PRESETS).join(', ')} (default: the preset named for --data's task, fashion-mnist, else default)`)
      .option(
        '--data <spec>',
        "'mnist' (embedded; the default), 'fashion-mnist' (Debian's IDX files) or 'fashion-mnist:DIR', 'cifar10' (the hub's uoft-cs/cifar10, into the HF cache) or 'cifar10:DIR' (binary batches)",
      ),
  parse: (o) => ({ preset: o.preset, data: o.data }),
};

const checkpointOf = (_runDir: string, run: RunManifest) => (run.options as { model: string }).model;

export const BERT: RunKind = {
  name: 'bert',
  command: 'finetune bert',
  initDir: checkpointOf,
  runRunner: FINETUNE_RUN_RUNNER,
  cellRunner: FINETUNE_CELL_RUNNER,
  description:
    'BERT on a GLUE-style TSV task (DIR/train.tsv, DIR/dev.tsv) or SQuAD v1.1; defaults: AdamW 2e-5, batch 32, 128 tokens, 3 epochs (SQuAD: 3e-5, 12, 384, 2).',
  flags: (cmd) =>
    cmd
      .option(
        '--model <dir|id>',
        'Hugging Face BERT folder or hub id (bert-base-uncased), or scratch:bert-tiny|bert-mini|bert-small|bert-medium (a BERT built from scratch, WordPiece vocabulary from the training split); default: scratch:bert-mini with --data spam-assassin, else the embedded tiny BERT on datasets/sst2-tiny',
      )
      .option('--revision <rev>', 'hub branch, tag or commit of --model (default main)')
      .option(
        '--data <dir>',
        "glue:<task> (the hub's nyu-mll/glue parquet), squad (the hub's rajpurkar/squad), spam-assassin[:N] (npm's SpamAssassin corpus, ham or spam; N messages per group), a folder with train.tsv and dev.tsv (GLUE), or train-v1.1.json and dev-v1.1.json (SQuAD)",
      )
      .option(
        '--glue-task <name>',
        'a GLUE task (cola, sst2, mrpc, qqp, stsb, mnli, qnli, rte, wnli): its columns, label names and official metrics; stsb trains a regression head',
      )
      .option('--text-column <name>', "text column (default: the GLUE task's, else sentence)")
      .option('--pair-column <name>', 'second text column (pair tasks)')
      .option('--label-column <name>', 'label column', 'label')
      .option('--task <name>', 'glue or squad (default: squad with --data squad, else glue)')
      .option('--max-length <n>', 'tokens per example (default: 128 for glue, 384 for squad)')
      .option('--doc-stride <n>', 'squad: stride between context windows', '128')
      .option('--max-query-length <n>', 'squad: question tokens kept', '64')
      .option('--max-answer-length <n>', 'squad: longest answer decoded, in tokens', '30')
      .option('--n-best <n>', 'squad: start and end candidates per window', '20'),
  parse: (o) => {
    const task = oneOf(o.task ?? (o.data === SQUAD_BY_NAME ? 'squad' : 'glue'), ['glue', 'squad'] as const, '--task');
    const common = { model: o.model, data: o.data, maxLength: optionalInt(o.maxLength, '--max-length'), task };
    if (task === 'glue') return { ...common, glueTask: o.glueTask, textColumn: o.textColumn, pairColumn: o.pairColumn, labelColumn: o.labelColumn };
    return {
      ...common,
      docStride: parseInteger(o.docStride, '--doc-stride'),
      maxQueryLength: parseInteger(o.maxQueryLength, '--max-query-length'),
      maxAnswerLength: parseInteger(o.maxAnswerLength, '--max-answer-length'),
      nBest: parseInteger(o.nBest, '--n-best'),
    };
  },
};

export const VIT: RunKind = {
  name: 'vit',
  command: 'finetune vit',
  initDir: checkpointOf,
  runRunner: FINETUNE_RUN_RUNNER,
  cellRunner: FINETUNE_CELL_RUNNER,
  description:
    "ViT on CIFAR-10 ('cifar10' from the hub, or 'cifar10:DIR') or the embedded MNIST, resized to the model's image_size; defaults: AdamW 3e-5, batch 64, 3 epochs.",
  flags: (cmd) =>
    cmd
      .option('--model <dir|id>', 'Hugging Face ViT folder or hub id (google/vit-base-patch16-224-in21k); default: the embedded tiny ViT')
      .option('--revision <rev>', 'hub branch, tag or commit of --model (default main)')
      .option(
        '--data <spec>',
        "'cifar10' (the hub's uoft-cs/cifar10), 'cifar10:DIR' (binary batches), 'fashion-mnist', 'fashion-mnist:DIR' or 'mnist'",
        'mnist',
      )
      .option('--limit <n>', 'use only the first n training and test images'),
  parse: (o) => ({ model: o.model, data: o.data, limit: optionalInt(o.limit, '--limit') }),
};

export const RUN_KINDS: Record<KindName, RunKind> = { 'small-vit': SMALL_VIT, bert: BERT, vit: VIT };

/** --model as a folder: a hub id is resolved into the Hugging Face cache (left unset: the app's embedded default). */
/** --model as a folder: a hub id is resolved into the cache; `scratch:SIZE` (a BERT the run builds itself) stays a name. */
export async function resolveModelFlag<O extends { model?: string }>(options: O, revision?: string): Promise<O> {
  if (options.model === undefined || scratchSize(options.model)) return options;
  return { ...options, model: path.resolve(await resolveModel(options.model, { revision })) };
}

/** The kind of run a run.json records. */
export function kindOf(run: RunManifest): RunKind {
  return Object.values(RUN_KINDS).find((k) => k.command === run.options.command)!;
}

/** The app module that retrains a cell of this run (sweep, study). */
export function cellRunnerFor(run: RunManifest): string {
  return kindOf(run).cellRunner;
}

/** The weights a run's tickets are retrained from. */
export function initDirOf(runDir: string, run: RunManifest): string {
  return kindOf(run).initDir(runDir, run);
}

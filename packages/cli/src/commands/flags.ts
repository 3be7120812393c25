/** Flags that several commands share, declared and parsed in one place. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import {
  CRITERION_NAMES,
  MASK_DEFAULTS,
  MASK_DISTANCE,
  MaskDistanceOptions,
  MaskScope,
  NUCLEAR_STATIONARITY,
  NuclearStationarityOptions,
  WINDOW_PRESETS,
  WindowPresetName,
} from '@ebt/eb-criteria';
import { criterionFlags, parseCriterionFlags } from './criterion-flags';

import { UsageError } from '@ebt/errors';
import { manifestFile, parseRatioPairs, readManifest, RUN_DEFAULTS, shareLabel, TicketInfo } from '@ebt/experiment';
import { TrainResult } from '@ebt/training';
import { oneOf, parseInteger, parseNumber } from '../input';
import { printJson } from '../output';

const SCOPES = ['global', 'layerwise'] as const;

/** "seed (200/300/100 steps), short (...)": the presets as --help shows them. */
export function windowPresetHelp(): string {
  return Object.entries(WINDOW_PRESETS)
    .map(([name, p]) => `${name} (${p.smooth}/${p.window}/${p.every} steps, flat ${p.flatTol})`)
    .join(', ');
}

/** The options of every training command (pretrain, finetune); a study sets the seeds and the folders itself. */
export function trainingFlags(cmd: Command, forStudy = false): Command {
  cmd.option('--epochs <n>', 'epochs').option('--batch-size <n>', 'batch size').option('--lr <lr>', 'peak learning rate');
  if (!forStudy) cmd.option('--seed <n>', 'seed of the initialisation and the data order', String(RUN_DEFAULTS.seed));
  cmd
    .option('--record-every <n>', 'record the coefficients every n steps (and at every epoch end)', String(RUN_DEFAULTS.recordEvery))
    .option('--lambda-heads <x>', `L1 weight on the head coefficients (default: the preset's, else ${RUN_DEFAULTS.lambdaHeads})`)
    .option('--lambda-ffn <x>', `L1 weight on the FFN coefficients (default: the preset's, else ${RUN_DEFAULTS.lambdaFfn})`)
    .option('--backend <name>', 'tfjs backend (default: EBT_BACKEND, else the first that starts)')
    .option('--json', 'print the summary as JSON', false);
  if (forStudy) return cmd.requiredOption('--out <dir>', 'the study folder (one run folder per seed, cells/, study.json)');
  return cmd
    .option('--out <dir>', 'run folder')
    .option('--resume', 'continue the run in --out from its last checkpoint', false)
    .option('--overwrite', 'clear --out if it holds a run, and start anew', false)
    .option(
      '--save-model <dir>',
      'write the model training ended with to DIR as a Hugging Face folder (coefficients folded in, with its tokenizer or preprocessor files)',
    );
}

const optional = <T>(v: unknown, parse: (s: string) => T) => (v === undefined ? undefined : parse(v as string));

export function parseTrainingFlags(o: Record<string, unknown>) {
  return {
    epochs: optional(o.epochs, (s) => parseInteger(s, '--epochs')),
    batchSize: optional(o.batchSize, (s) => parseInteger(s, '--batch-size')),
    lr: optional(o.lr, (s) => parseNumber(s, '--lr')),
    seed: o.seed === undefined ? undefined : parseInteger(o.seed as string, '--seed'),
    recordEvery: parseInteger(o.recordEvery as string, '--record-every'),
    lambdaHeads: optional(o.lambdaHeads, (s) => parseNumber(s, '--lambda-heads')),
    lambdaFfn: optional(o.lambdaFfn, (s) => parseNumber(s, '--lambda-ffn')),
    backend: o.backend as string | undefined,
    out: o.out as string | undefined,
    resume: Boolean(o.resume),
    overwrite: Boolean(o.overwrite),
    saveModel: o.saveModel === undefined ? undefined : path.resolve(o.saveModel as string),
  };
}

/** The mask flags (docs/method.md section 2) of detect and prune. */
export function maskFlags(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--ratio-heads <p>', 'share of heads pruned by the mask').default(String(MASK_DEFAULTS.ratioHeads), shareLabel(MASK_DEFAULTS.ratioHeads)),
    )
    .addOption(
      new Option('--ratio-ffn <p>', 'share of FFN neurons pruned by the mask').default(String(MASK_DEFAULTS.ratioFfn), shareLabel(MASK_DEFAULTS.ratioFfn)),
    )
    .option('--scope <s>', 'global or layerwise, for both kinds')
    .option('--scope-heads <s>', 'scope of the head mask', MASK_DEFAULTS.scopeHeads)
    .option('--scope-ffn <s>', 'scope of the FFN mask', MASK_DEFAULTS.scopeFfn);
}

export function parseMaskFlags(o: Record<string, unknown>): { ratioHeads: number; ratioFfn: number; scopeHeads: MaskScope; scopeFfn: MaskScope } {
  const ratio = (v: unknown, flag: string) => {
    const p = parseNumber(v as string, flag);
    if (!(p >= 0 && p < 1)) throw new UsageError(`${flag} must lie in [0, 1): 1 would prune every unit (got ${v}).`);
    return p;
  };
  const scope = (own: unknown, flag: string) => oneOf((o.scope ?? own) as string, SCOPES, o.scope ? '--scope' : flag);
  return {
    ratioHeads: ratio(o.ratioHeads, '--ratio-heads'),
    ratioFfn: ratio(o.ratioFfn, '--ratio-ffn'),
    scopeHeads: scope(o.scopeHeads, '--scope-heads'),
    scopeFfn: scope(o.scopeFfn, '--scope-ffn'),
  };
}

const scoreText = (metric: TrainResult['metric'], score: number) =>
  metric === 'pearson' ? `Pearson's r ${score.toFixed(4)}` : `accuracy ${(100 * score).toFixed(2)}%`;

/** The end of a training command: the run folder and the final test score - accuracy, or Pearson's r (JSON with --json). */
export function printRunSummary(o: { json?: boolean }, outDir: string, result: TrainResult, ticket?: TicketInfo | null): void {
  // run.json's verdict (run-quality.ts): a run that did not learn says so, and its ticket is not a result
  const learning = fs.existsSync(manifestFile(outDir)) ? (readManifest(outDir).learning ?? null) : null;
  const summary = {
    outDir,
    steps: result.steps,
    epochs: result.epochs,
    seconds: result.seconds,
    metric: result.metric,
    testAccuracy: result.finalTest?.score ?? null,
    bestAccuracy: result.bestScore,
    ticket: ticket
      ? { criterion: ticket.criterion, step: ticket.step, epoch: ticket.epoch, heads: ticket.heads, intermediateSizes: ticket.intermediateSizes }
      : null,
    learned: learning?.learned ?? null,
    notLearned: learning && !learning.learned ? learning.reasons : undefined,
  };
  if (o.json) return printJson(summary);
  process.stdout.write(
    `run folder: ${outDir}\ntest ${scoreText(result.metric, summary.testAccuracy ?? 0)} after ${result.steps} steps (${result.seconds.toFixed(0)} s)\n`,
  );
  if (ticket)
    process.stdout.write(
      `ticket drawn by ${ticket.criterion} at step ${ticket.step} (epoch ${ticket.epoch + 1}): heads per layer ${ticket.heads.join(' ')}, FFN ${ticket.intermediateSizes.join(' ')}\n`,
    );
  else if (ticket === null) process.stdout.write('no ticket drawn\n');
  if (learning && !learning.learned) process.stdout.write(`this run did not learn: ${learning.reasons.join('; ')} - its ticket is not a result\n`);
}

/** EB-train flags: which criterion acts, what happens at the draw, and the criteria's main knobs (`ratios`: a study's own default and help). */
export function earlyBirdFlags(cmd: Command, ratios?: { help: string; default: string }): Command {
  cmd
    .option('--criterion <name>', 'the criterion whose draw acts: nuclear-stationarity or mask-distance', RUN_DEFAULTS.criterion)
    .option(
      '--continue <what>',
      `after the draw: pruned (EB-train) or dense (default: ${RUN_DEFAULTS.continueWith}; dense when --lambda-heads and --lambda-ffn are both 0)`,
    )
    .option('--rewind <what>', 'none (continue from the current weights) or init (retrain the masked initial weights in ticket-train/)', RUN_DEFAULTS.rewind)
    .option('--windows <name>', `nuclear-stationarity: named window sizes, ${windowPresetHelp()} (default: the run's)`)
    .option(
      '--ratios <list>',
      ratios?.help ?? 'heads:FFN ratio pairs the criteria watch at, one criterion each; EB-train prunes at the first (default: 1/3:0.4)',
      ratios?.default,
    );
  return criterionFlags(cmd, 'training');
}

export function parseEarlyBirdFlags(o: Record<string, unknown>) {
  return {
    criterion: oneOf(o.criterion as string, CRITERION_NAMES, '--criterion'),
    continueWith: o.continue === undefined ? undefined : oneOf(o.continue as string, ['pruned', 'dense'] as const, '--continue'),
    rewind: oneOf(o.rewind as string, ['none', 'init'] as const, '--rewind'),
    maskDistance: parseCriterionFlags(o, MASK_DISTANCE, 'training') as MaskDistanceOptions,
    windows: o.windows === undefined ? undefined : oneOf(o.windows as string, Object.keys(WINDOW_PRESETS) as WindowPresetName[], '--windows'),
    nuclearStationarity: parseCriterionFlags(o, NUCLEAR_STATIONARITY, 'training') as NuclearStationarityOptions,
    ratios: o.ratios === undefined ? undefined : parseRatioPairs(String(o.ratios)),
  };
}

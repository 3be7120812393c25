/** What every training app shares: its common options, their defaults and their checks. */
import {
  Criterion,
  CRITERIA,
  CRITERION_NAMES,
  CriterionEntry,
  CriterionName,
  DEFAULT_CRITERION,
  MASK_DISTANCE,
  MaskDistanceOptions,
  NUCLEAR_STATIONARITY,
  NUCLEAR_STATIONARITY_DEFAULTS,
  NuclearStationarityOptions,
  WINDOW_PRESETS,
  WindowPresetName,
} from '@ebt/eb-criteria';
import { UsageError } from '@ebt/errors';
import { LAMBDA_DEFAULT } from '@ebt/slimming';
import { RECORD_EVERY } from '@ebt/training';
import * as fs from 'node:fs';
import { checkRunFolder } from './run-folder';
import { MODEL_FOLDER_FILES } from './save-model';
import { checkRatioPairs, DEFAULT_WATCH_RATIO, RatioPair, ratioKey } from './ratios';

export interface RunOptions {
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  backend?: string;
  /** the run folder */
  out?: string;
  resume?: boolean;
  /** clear an existing run folder and start anew */
  overwrite?: boolean;
  recordEvery?: number;
  /** write the model training ended with here, as a Hugging Face folder (save-model.ts) */
  saveModel?: string;
  lambdaHeads?: number;
  lambdaFfn?: number;
  progress?: boolean;
}

/** The EB-train options every app takes (see ebTrain). */
export interface EarlyBirdRunOptions {
  maskDistance?: MaskDistanceOptions;
  nuclearStationarity?: NuclearStationarityOptions;
  criterion?: CriterionName;
  continueWith?: 'pruned' | 'dense';
  rewind?: 'none' | 'init';
  /** the named window sizes of the nuclear-norm criterion (its own flags override them) */
  windows?: WindowPresetName;
  /** the ratio pairs each criterion watches at, one criterion per pair; EB-train prunes at the first (default heads 1/3, FFN 0.4) */
  ratios?: RatioPair[];
}

/** A criterion watching the masks of one ratio pair: what EB-train and the early-bird callback run. */
export interface Watch {
  /** unique within a run: 'nuclear-stationarity@0.3:0.3' */
  key: string;
  name: CriterionName;
  ratio: RatioPair;
  criterion: Criterion;
}

export const watchKey = (name: CriterionName, r: RatioPair) => `${name}@${ratioKey(r)}`;

/** A criterion built elsewhere (a test, a library user) as a watch at `ratio`: its own mask options must be that pair's. */
export function watchOf(criterion: Criterion, ratio: RatioPair = DEFAULT_WATCH_RATIO): Watch {
  const name = criterion.name as CriterionName;
  return { key: watchKey(name, ratio), name, ratio: { ...ratio }, criterion };
}

/** The ratio pairs of a run: checked, at least one, none twice. */
export function watchRatios(ratios: RatioPair[] | undefined): RatioPair[] {
  const out = ratios ?? [{ ...DEFAULT_WATCH_RATIO }];
  checkRatioPairs(out);
  return out;
}

/** The criteria a run watches with, and their options as run.json records them (windows resolved). */
export function runCriteria(o: EarlyBirdRunOptions, defaultWindows: WindowPresetName) {
  const windows = o.windows ?? defaultWindows;
  if (!Object.prototype.hasOwnProperty.call(WINDOW_PRESETS, windows))
    throw new UsageError(`--windows must be one of ${Object.keys(WINDOW_PRESETS).join(', ')} (got '${windows}').`);
  const { smooth, window, every, flatTol } = WINDOW_PRESETS[windows];
  // the mode is recorded even when defaulted: a later ebt with another default resumes the run as it started
  const nuclearStationarity: NuclearStationarityOptions = {
    mode: NUCLEAR_STATIONARITY_DEFAULTS.mode,
    smooth,
    window,
    every,
    flatTol,
    ...o.nuclearStationarity,
  };
  const maskDistance: MaskDistanceOptions = { ...o.maskDistance };
  const options: { [K in CriterionName]: unknown } = { [MASK_DISTANCE]: maskDistance, [NUCLEAR_STATIONARITY]: nuclearStationarity };
  const ratios = watchRatios(o.ratios);
  const watches: Watch[] = ratios.flatMap((ratio) =>
    CRITERION_NAMES.map((name) => ({
      key: watchKey(name, ratio),
      name,
      ratio,
      criterion: (CRITERIA[name] as CriterionEntry<unknown>).create({ ...(options[name] as object), ratioHeads: ratio.heads, ratioFfn: ratio.ffn }),
    })),
  );
  return { watches, recorded: { maskDistance, nuclearStationarity: { windows, ...nuclearStationarity }, ratios } };
}

/** The defaults of the run options above: the CLI's --help and every app read them from here. */
export const RUN_DEFAULTS = {
  seed: 0,
  recordEvery: RECORD_EVERY,
  lambdaHeads: LAMBDA_DEFAULT,
  lambdaFfn: LAMBDA_DEFAULT,
  criterion: DEFAULT_CRITERION,
  continueWith: 'pruned' as const,
  rewind: 'none' as const,
};

/** The slimming and EB-train settings every app records in run.json, with their defaults resolved. */
export function earlyBirdRunFields(o: RunOptions & EarlyBirdRunOptions, slimming: { lambdaHeads: number; lambdaFfn: number }) {
  return {
    lambdaHeads: slimming.lambdaHeads,
    lambdaFfn: slimming.lambdaFfn,
    recordEvery: o.recordEvery ?? RUN_DEFAULTS.recordEvery,
    criterion: o.criterion ?? RUN_DEFAULTS.criterion,
    // without an L1 penalty nothing is slimmed: the criteria still watch and draw, but the run stays dense
    // (pretraining plainly, `--lambda-heads 0 --lambda-ffn 0`) unless --continue says otherwise
    continueWith: o.continueWith ?? (slimming.lambdaHeads === 0 && slimming.lambdaFfn === 0 ? 'dense' : RUN_DEFAULTS.continueWith),
    rewind: o.rewind ?? RUN_DEFAULTS.rewind,
  };
}

export function checkPositive(flag: string, v: number | undefined, integer = false): void {
  if (v === undefined) return;
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v)))
    throw new UsageError(`${flag} must be a positive ${integer ? 'integer' : 'number'} (got ${v}).`);
}

/** --save-model names a folder to (over)write: not a file, and not a folder that holds something other than a model. */
export function checkSaveModel(dir: string | undefined): void {
  if (dir === undefined) return;
  if (!fs.existsSync(dir)) return;
  if (!fs.statSync(dir).isDirectory()) throw new UsageError(`--save-model ${dir}: it is a file, not a folder.`);
  const foreign = fs.readdirSync(dir).filter((f) => !MODEL_FOLDER_FILES.includes(f));
  if (foreign.length > 0) throw new UsageError(`--save-model ${dir}: the folder holds ${foreign[0]}, which is not a model file; name a new or a model folder.`);
}

/** The checks every app makes before it starts: positive numbers, a folder to save the model in, and a run to resume. */
export function checkRunOptions(o: RunOptions, outDir: string): void {
  checkPositive('--epochs', o.epochs, true);
  checkPositive('--batch-size', o.batchSize, true);
  checkPositive('--lr', o.lr);
  checkPositive('--record-every', o.recordEvery, true);
  checkSaveModel(o.saveModel);
  checkRunFolder(outDir, o);
}

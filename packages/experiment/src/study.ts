/**
 * The early-bird study (`ebt study`): the seed's case study in one command. N dense slimming runs (one per
 * seed, both criteria watching), then prune-and-retrain cells (rewind init, no L1) at fractions of training
 * and at each criterion's draw step, for pairs of ratios, plus a dense baseline per seed; then a verdict per
 * criterion and seed. Both stages go through an executor and resume: a run or a cell counts as done only when
 * its result file is in place. The format of study.json is in docs/study.md.
 */
import { writeFileAtomic } from '@ebt/files';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as aq from 'arquero';
import { UsageError } from '@ebt/errors';
import { readCellRow, SweepRow } from './cell-file';
import { StudySlotSpec, writeStudySlots } from './study-slots-file';
import { checkRetrainOptions } from './sweep';
import { RETRAIN_RUNNER, STUDY_RUN_RUNNER } from './runners';
import { SEED_RATIOS, seedDir, STUDY_FRACTIONS, StudyOptions, StudyRow, StudyRunCell, StudySummary } from './study-types';
import { gatePlan, loadSeedRun, planSeedCells, slotsPerSeed } from './study-plan';
import { summarise } from './study-verdicts';
import { checkStudyFolder, claimStudyFolder } from './study-options-file';
import { lockFolder, removeAtomicTemps } from './run-folder';
import { loadKind } from './run-kind';

function checkOptions(o: StudyOptions): void {
  if (o.seeds.length === 0 || o.seeds.some((s) => !Number.isInteger(s) || s < 0))
    throw new UsageError(`--seeds must name non-negative integer seeds (got ${o.seeds.join(',')}).`);
  if (new Set(o.seeds).size !== o.seeds.length) throw new UsageError(`--seed-list names a seed twice (${o.seeds.join(',')}).`);
  checkRetrainOptions(o);
}

/** The module each task of the deferred stage runs (Slurm): see study-slot.ts. */
const STUDY_SLOT_RUNNER = require.resolve('./study-slot');

export type StudyResult =
  | { summary: StudySummary; rows: StudyRow[]; json: string; csv: string; submitted: null }
  /** queued and not waited for (--no-wait) */
  | { submitted: { jobs: string[]; note: string } };

/**
 * Runs (or resumes) the study in `dir`: its options checked against the folder's before anything is written,
 * then the folder locked for the run (a second study of it waits its turn, as a second run of a run folder does).
 */
export async function study(dir: string, o: StudyOptions): Promise<StudyResult> {
  checkOptions(o);
  const folder = { command: loadKind(o.kind).command, runOptions: o.runOptions, ratios: o.ratios ?? SEED_RATIOS };
  checkStudyFolder(dir, folder);
  const lock = lockFolder(dir, o.log);
  try {
    claimStudyFolder(dir, folder);
    for (const d of [dir, path.join(dir, 'cells')]) removeAtomicTemps(d, false); // a killed study's study.json.tmp
    return await runStudy(dir, o);
  } finally {
    lock.release();
  }
}

async function runStudy(dir: string, o: StudyOptions): Promise<StudyResult> {
  const fractions = o.atFractions ?? STUDY_FRACTIONS;
  const ratios = o.ratios ?? SEED_RATIOS;

  // stage 1: the dense slimming runs
  const runs: StudyRunCell[] = o.seeds.map((seed) => ({
    file: path.join(seedDir(dir, seed), 'dense-run.json'),
    outDir: seedDir(dir, seed),
    seed,
    kind: o.kind,
    options: o.runOptions,
  }));
  const runsTodo = runs.filter((r) => !fs.existsSync(r.file));
  o.log?.(`ebt study: ${runs.length} dense runs, ${runs.length - runsTodo.length} already done, ${o.executor.describe()}`);

  // stage 2: prune-and-retrain cells at the grid's fractions and at each draw. An executor that can queue
  // work behind work (Slurm) gets it with stage 1, as tasks that plan their own cell once the dense runs are
  // done; then, and with the local executor, the cells left without a result are planned here and run.
  const plan = { kind: o.kind, fractions, ratios, retrainEpochs: o.retrainEpochs, backend: o.backend, ...(o.gateOnly ? { gateOnly: true } : {}) };
  const spec: StudySlotSpec = { dir, seeds: o.seeds, slotsPerSeed: slotsPerSeed(plan), ...plan };
  const specFile = path.join(dir, 'study-slots.json');
  fs.mkdirSync(path.join(dir, 'cells'), { recursive: true });
  if (runsTodo.length > 0) writeStudySlots(specFile, spec);
  const stage1 = await o.executor.run(runsTodo, STUDY_RUN_RUNNER, { tasks: o.seeds.length * spec.slotsPerSeed, runner: STUDY_SLOT_RUNNER, spec: specFile });
  if (!stage1.done) return { submitted: { jobs: stage1.jobs, note: stage1.note } };
  const seedRuns = o.seeds.map((seed) => loadSeedRun(seedDir(dir, seed), seed, ratios));
  const planned = seedRuns.map((s) => planSeedCells(dir, s, plan));
  const cells = new Map(planned.flatMap((p) => p.cells).map((c) => [c.file, c]));
  const todo = [...cells.values()].filter((c) => !fs.existsSync(c.file));
  o.log?.(`ebt study: ${cells.size} prune-and-retrain cells, ${cells.size - todo.length} already done`);
  const cellPlan = gatePlan(plan);
  const shared = planned.map((p) => cellPlan.fractions.length - p.rows.filter((r) => r.kind === 'grid').length / cellPlan.ratios.length);
  if (shared.some((n) => n > 0))
    o.log?.(
      `ebt study: ${Math.max(...shared)} of the ${cellPlan.fractions.length} fractions fall on a recorded point another one takes (record more often: --record-every)`,
    );
  const stage2 = await o.executor.run(todo, RETRAIN_RUNNER);
  if (!stage2.done) return { submitted: { jobs: stage2.jobs, note: stage2.note } };

  // stage 3: rows, verdicts, files
  const results = new Map<string, SweepRow>([...cells.keys()].map((f) => [f, readCellRow(f)]));
  const rows: StudyRow[] = planned
    .flatMap((p) => p.rows)
    .map((p) => {
      const r = results.get(p.file)!;
      return {
        seed: p.seed,
        kind: p.kind,
        criterion: p.criterion,
        step: p.step,
        fraction: p.fraction,
        ratioHeads: p.ratio?.heads ?? 0,
        ratioFfn: p.ratio?.ffn ?? 0,
        metric: r.metric,
        score: r.score,
        parameters: r.parameters,
        flops: r.flops,
        seconds: r.seconds,
      };
    });
  // a gate-only plan (the pilot's) retrained no draw: its summary is of the grid and the random mask at its pair
  const summary = o.gateOnly
    ? summarise(
        seedRuns.map((s) => ({ ...s, draws: {} })),
        rows,
        cellPlan.ratios,
      )
    : summarise(seedRuns, rows, ratios);
  const json = path.join(dir, 'study.json');
  const csv = path.join(dir, 'study.csv');
  writeFileAtomic(json, JSON.stringify(summary, null, 1) + '\n');
  writeFileAtomic(csv, aq.from(rows.map(({ metric: _metric, ...r }) => r)).toCSV() + '\n');
  return { summary, rows, json, csv, submitted: null };
}

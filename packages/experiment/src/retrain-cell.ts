/**
 * One prune-and-retrain cell of a sweep or a study, in a worker process, for every run kind: the kind loads
 * the weights its tickets are retrained from, the cell's masks prune them (rewind 'init', docs/method.md
 * section 5.1), the kind's training options retrain them without the L1 penalty for the cell's epochs, the
 * kind scores the result, and the cell's result is written atomically. argv[2]: the cell(s), as runCellFromArgv.
 */
import * as fs from 'node:fs';
import { initBackend } from '@ebt/backend';
import { UsageError } from '@ebt/errors';
import { PretrainedModel } from '@ebt/models';
import { pruneModel } from '@ebt/pruning';
import { batchesPerEpoch, train } from '@ebt/training';
import { runCellFromArgv } from './executor';
import { readManifest } from './manifest';
import { loadKind } from './run-kind';
import { retrainSchedule } from './retrain-schedule';
import { cellMasks, SweepCell, writeCell } from './sweep';

export async function retrainCell(cell: SweepCell): Promise<void> {
  const run = readManifest(cell.runDir);
  const kind = loadKind(cell.kind);
  if (run.options.command !== kind.command) throw new UsageError(`'${cell.runDir}' is a '${run.options.command}' run, not a '${kind.command}' run.`);
  await initBackend({ backend: cell.backend ?? run.backend.name, log: null });
  const started = Date.now();
  const task = await kind.retrain(cell.runDir, run);
  const model = pruned(task.model, cellMasks(cell));
  // the retraining's own run files, beside the cell's result: a cell killed before its finally left them in
  // $TMPDIR for good; here its next attempt clears them
  const scratch = `${cell.file.replace(/\.json$/, '')}.train`;
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(scratch, { recursive: true });
  let result;
  try {
    const options = task.setup(model);
    const schedule = retrainSchedule(options.schedule, {
      batchesPerEpoch: batchesPerEpoch(options),
      runEpochs: run.options.epochs,
      epochs: cell.retrainEpochs,
    });
    result = await train({ ...options, schedule, model, epochs: cell.retrainEpochs, seed: run.options.seed, outDir: scratch, progress: false });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const scored = await task.score(model, result);
  model.dispose();
  writeCell(cell, { ...scored, seconds: (Date.now() - started) / 1000 });
}

/** The initial model pruned by a cell's masks (none: the dense baseline); a worker runs many cells, so each leaves no tensors behind. */
function pruned(init: PretrainedModel, masks: ReturnType<typeof cellMasks>): PretrainedModel {
  if (!masks) return init;
  const model = pruneModel(init, masks).model;
  init.dispose();
  return model;
}

if (require.main === module) runCellFromArgv(retrainCell);

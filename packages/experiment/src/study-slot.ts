/**
 * One task of a study's deferred stage (Slurm): `study-slot @SPEC#K` plans slot K of the study from the
 * finished dense runs (spec: StudySlotSpec) and retrains that cell with the retrain runner, in a child
 * process; an empty slot (a criterion that did not draw, a draw on a grid point) or a cell already done
 * exits 0 at once.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

import { parseTaskArgument, runnerArgs } from './executor';
import { studySlotCell } from './study-plan';
import { readStudySlots } from './study-slots-file';
import { RETRAIN_RUNNER } from './runners';

function main(arg: string): number {
  const task = parseTaskArgument(arg);
  if (!task || task.index === undefined) throw new Error(`study-slot takes @SPEC#K (got '${arg}')`);
  const spec = readStudySlots(task.file);
  const cell = studySlotCell(spec, task.index);
  if (!cell || fs.existsSync(cell.file)) return 0;
  const r = spawnSync(process.execPath, [...runnerArgs(RETRAIN_RUNNER), JSON.stringify(cell)], { stdio: 'inherit' });
  return r.status ?? 1;
}

if (require.main === module) {
  try {
    process.exit(main(process.argv[2]));
  } catch (e) {
    process.stderr.write(`study slot failed: ${(e as Error).message}\n`);
    process.exit(1);
  }
}

/**
 * One dense run of `ebt study KIND`, in a worker process: the kind's run for one seed, with both criteria
 * watching and the model kept dense after their draws (the study prunes at the draws itself), resumed when an
 * earlier attempt left a checkpoint. argv[2]: the StudyRunCell(s), as runCellFromArgv.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '@ebt/files';
import { runCellFromArgv } from './executor';
import { loadKind } from './run-kind';
import type { StudyRunCell } from './study-types';

export async function runStudyRun(cell: StudyRunCell): Promise<void> {
  const resume = fs.existsSync(path.join(cell.outDir, 'checkpoints', 'last.safetensors'));
  const { result } = await loadKind(cell.kind).run({
    ...cell.options,
    seed: cell.seed,
    out: cell.outDir,
    continueWith: 'dense',
    rewind: 'none',
    sweep: false,
    report: false,
    resume,
    overwrite: !resume,
    progress: false,
  });
  writeFileAtomic(
    cell.file,
    JSON.stringify({ seed: cell.seed, steps: result.steps, accuracy: result.finalTest?.score ?? null, seconds: result.seconds }) + '\n',
  );
}

if (require.main === module) runCellFromArgv(runStudyRun);

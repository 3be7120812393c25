/**
 * One dense run of `ebt study small-vit`, in a worker process: slimming pretraining of one seed with both
 * criteria watching and the model kept dense after their draws (the study prunes at the draws itself), resumed
 * when an earlier attempt left a checkpoint. argv[2]: the StudyRunCell(s), as @ebt/experiment's runCellFromArgv.
 */
import { writeFileAtomic } from '@ebt/files';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCellFromArgv, StudyRunCell } from '@ebt/experiment';

import { pretrainSmallVit, PretrainOptions } from './pretrain';

export async function runStudyRun(cell: StudyRunCell): Promise<void> {
  const resume = fs.existsSync(path.join(cell.outDir, 'checkpoints', 'last.safetensors'));
  const options = cell.options as PretrainOptions;
  const { result } = await pretrainSmallVit({
    ...options,
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

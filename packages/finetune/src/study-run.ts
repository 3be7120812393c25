/**
 * One dense run of `ebt study bert|vit`, in a worker process: slimming fine-tuning of one seed with both
 * criteria watching and the model kept dense after their draws, resumed when an earlier attempt left a
 * checkpoint. argv[2]: the StudyRunCell(s), as @ebt/experiment's runCellFromArgv.
 */
import { writeFileAtomic } from '@ebt/files';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCellFromArgv, StudyRunCell } from '@ebt/experiment';

import { TrainResult } from '@ebt/training';
import { finetuneBert, FinetuneBertOptions } from './finetune-bert';
import { finetuneSquad, FinetuneSquadOptions } from './finetune-squad';
import { finetuneVit, FinetuneVitOptions } from './finetune-vit';

export async function runStudyRun(cell: StudyRunCell): Promise<void> {
  const resume = fs.existsSync(path.join(cell.outDir, 'checkpoints', 'last.safetensors'));
  const { kind, task, ...options } = cell.options as { kind: 'bert' | 'vit'; task?: 'glue' | 'squad' } & Record<string, unknown>;
  const run = {
    ...options,
    seed: cell.seed,
    out: cell.outDir,
    continueWith: 'dense' as const,
    rewind: 'none' as const,
    resume,
    overwrite: !resume,
    progress: false,
  };
  let result: TrainResult;
  if (kind === 'vit') result = (await finetuneVit(run as FinetuneVitOptions)).result;
  else if (task === 'squad') result = (await finetuneSquad(run as FinetuneSquadOptions)).result;
  else result = (await finetuneBert(run as FinetuneBertOptions)).result;
  writeFileAtomic(
    cell.file,
    JSON.stringify({ seed: cell.seed, steps: result.steps, accuracy: result.finalTest?.score ?? null, seconds: result.seconds }) + '\n',
  );
}

if (require.main === module) runCellFromArgv(runStudyRun);

/**
 * The run kinds the CLI offers: each app's own list (a kind is one file in its app, RunKind of
 * @ebt/experiment). `ebt pretrain NAME` and `ebt finetune NAME` run one; `ebt study NAME` runs one per seed;
 * `ebt sweep` retrains the tickets of any kind's run.
 */
import * as path from 'node:path';
import { resolveModel } from '@ebt/hub';
import { scratchSize } from '@ebt/models';
import { kindOptions, RunKind, RunManifest } from '@ebt/experiment';
import { FINETUNE_KINDS } from '@ebt/finetune';
import { PRETRAIN_KINDS } from '@ebt/pretrain';
import { UsageError } from '@ebt/errors';

/** The kinds by the command that runs them once. */
export const COMMAND_KINDS: Record<'pretrain' | 'finetune', RunKind[]> = { pretrain: PRETRAIN_KINDS as RunKind[], finetune: FINETUNE_KINDS as RunKind[] };

export const RUN_KINDS: RunKind[] = Object.values(COMMAND_KINDS).flat();

/** --model as a folder: a hub id is resolved into the cache; `scratch:SIZE` (a model the run builds itself) stays a name. */
export async function resolveModelFlag<O extends { model?: string }>(options: O, revision?: string): Promise<O> {
  if (options.model === undefined || scratchSize(options.model)) return options;
  return { ...options, model: path.resolve(await resolveModel(options.model, { revision })) };
}

/** The kind of run a run.json records. */
export function kindOf(run: RunManifest, runDir: string): RunKind {
  const kind = RUN_KINDS.find((k) => k.command === run.options.command);
  if (!kind)
    throw new UsageError(
      `'${runDir}' is a '${run.options.command}' run, which this ebt cannot retrain (it knows ${RUN_KINDS.map((k) => `'${k.command}'`).join(', ')}).`,
    );
  kindOptions(runDir, run, kind.options); // the kind's own fields, named when one is wrong
  return kind;
}

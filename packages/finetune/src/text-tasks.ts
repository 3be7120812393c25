/**
 * Text tasks ebt reads by name (`--data NAME`), beside GLUE's: each with its loader and the defaults a run of it
 * starts from, and their reasons (docs/study.md). `spam-assassin` (@ebt/data): ham or spam, split by message.
 * No pretrained BERT ships here, so its default model is a miniature BERT trained from scratch on the task
 * (`scratch:bert-mini`), with a learning rate for training from scratch (5e-4, BERT's pre-training peak order,
 * against fine-tuning's 2e-5) and a 6% warm-up; from a pretrained folder (`--model DIR`, e.g. `ebt pretrain bert
 * --save-model DIR`) the learning rate is 1e-4, the middle of Turc et al.'s fine-tuning grid for the miniatures.
 * `brown-genre` (@ebt/data): passages of the Brown Corpus labelled by their text's section (press, general prose,
 * learned, fiction), split by text; `brown-genre-15` by its 15 genres (docs/pretraining.md, the choice).
 * `NAME:N` keeps N examples (spam-assassin: N messages of each group; brown-genre: N passages of each split).
 */
import { loadBrownGenre, loadSpamAssassin, TextDataset } from '@ebt/data';
import { UsageError } from '@ebt/errors';

export interface TextTask {
  /** the model a run uses when --model is not given */
  model: string;
  epochs: number;
  lr: number;
  /** the learning rate from a pretrained folder (--model DIR) */
  finetuneLr: number;
  /** warm-up as a share of the run's steps */
  warmupFraction: number;
  load(limit: number | undefined): Promise<{ train: TextDataset; test: TextDataset }>;
}

export const TEXT_TASKS: Record<string, TextTask> = {
  'spam-assassin': { model: 'scratch:bert-mini', epochs: 3, lr: 5e-4, finetuneLr: 1e-4, warmupFraction: 0.06, load: (limit) => loadSpamAssassin({ limit }) },
  'brown-genre': { model: 'scratch:bert-mini', epochs: 3, lr: 5e-4, finetuneLr: 1e-4, warmupFraction: 0.06, load: async (limit) => loadBrownGenre({ limit }) },
  'brown-genre-15': {
    model: 'scratch:bert-mini',
    epochs: 3,
    lr: 5e-4,
    finetuneLr: 1e-4,
    warmupFraction: 0.06,
    load: async (limit) => loadBrownGenre({ grouping: 'genres', limit }),
  },
};

/** `--data spam-assassin[:N]` as the task and its limit; undefined for a folder or a glue: name. */
export function namedTextTask(data: string): { name: string; task: TextTask; limit?: number } | undefined {
  const [name, n, ...rest] = data.split(':');
  const task = TEXT_TASKS[name];
  if (!task) return undefined;
  if (rest.length || (n !== undefined && !/^[1-9][0-9]*$/.test(n)))
    throw new UsageError(`--data ${data}: after '${name}:' give the number of examples to keep (a positive integer).`);
  return { name, task, limit: n === undefined ? undefined : Number(n) };
}

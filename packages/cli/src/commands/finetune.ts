import { Command } from 'commander';
import { finetuneBert, finetuneVit } from '@ebt/finetune';
import { parseInteger, parseNumber } from '../input';
import { printJson } from '../output';
import { TrainResult } from '@ebt/training';

const optional = <T>(v: string | undefined, parse: (s: string) => T) => (v === undefined ? undefined : parse(v));

function common(cmd: Command): Command {
  return cmd
    .option('--epochs <n>', 'epochs')
    .option('--batch-size <n>', 'batch size')
    .option('--lr <lr>', 'peak learning rate')
    .option('--seed <n>', 'seed of the data order and of re-initialised weights', '0')
    .option('--record-every <n>', 'record the coefficients every n steps (and at every epoch end)', '10')
    .option('--lambda-heads <x>', 'L1 weight on the head coefficients', '1e-4')
    .option('--lambda-ffn <x>', 'L1 weight on the FFN coefficients', '1e-4')
    .option('--backend <name>', 'tfjs backend (default: EBT_BACKEND, else the first that starts)')
    .option('--out <dir>', 'run folder')
    .option('--resume', 'continue the run in --out from its last checkpoint', false)
    .option('--json', 'print the summary as JSON', false);
}

function report(o: { json: boolean }, outDir: string, result: TrainResult): void {
  const summary = { outDir, steps: result.steps, epochs: result.epochs, seconds: result.seconds, testAccuracy: result.finalTest?.accuracy ?? null, bestAccuracy: result.bestAccuracy };
  if (o.json) printJson(summary);
  else process.stdout.write(`run folder: ${outDir}\naccuracy ${(100 * (summary.testAccuracy ?? 0)).toFixed(2)}% after ${result.steps} steps (${result.seconds.toFixed(0)} s)\n`);
}

function shared(o: Record<string, string | boolean | undefined>) {
  return {
    epochs: optional(o.epochs as string | undefined, (s) => parseInteger(s, '--epochs')),
    batchSize: optional(o.batchSize as string | undefined, (s) => parseInteger(s, '--batch-size')),
    lr: optional(o.lr as string | undefined, (s) => parseNumber(s, '--lr')),
    seed: parseInteger(o.seed as string, '--seed'),
    recordEvery: parseInteger(o.recordEvery as string, '--record-every'),
    lambdaHeads: parseNumber(o.lambdaHeads as string, '--lambda-heads'),
    lambdaFfn: parseNumber(o.lambdaFfn as string, '--lambda-ffn'),
    backend: o.backend as string | undefined,
    out: o.out as string | undefined,
    resume: Boolean(o.resume),
  };
}

export function finetuneCommand(): Command {
  const cmd = new Command('finetune').description('Fine-tune a Hugging Face checkpoint with network slimming.');
  common(
    cmd
      .command('bert')
      .description('BERT on a GLUE-style TSV task (DIR/train.tsv, DIR/dev.tsv); defaults: AdamW 2e-5, batch 32, 128 tokens, 3 epochs.')
      .option('--model <dir>', 'Hugging Face BERT folder with tokenizer.json')
      .option('--data <dir>', 'folder with train.tsv and dev.tsv')
      .option('--text-column <name>', 'text column', 'sentence')
      .option('--pair-column <name>', 'second text column (pair tasks)')
      .option('--label-column <name>', 'label column', 'label')
      .option('--max-length <n>', 'tokens per example', '128'),
  ).action(async (o) => {
    const { outDir, result } = await finetuneBert({
      ...shared(o),
      model: o.model,
      data: o.data,
      textColumn: o.textColumn,
      pairColumn: o.pairColumn,
      labelColumn: o.labelColumn,
      maxLength: parseInteger(o.maxLength, '--max-length'),
    });
    report(o, outDir, result);
  });
  common(
    cmd
      .command('vit')
      .description("ViT on CIFAR-10 ('cifar10:DIR') or the embedded MNIST, resized to the model's image_size; defaults: AdamW 3e-5, batch 64, 3 epochs.")
      .option('--model <dir>', 'Hugging Face ViT folder')
      .option('--data <spec>', "'cifar10:DIR' or 'mnist'", 'mnist')
      .option('--limit <n>', 'use only the first n training and test images'),
  ).action(async (o) => {
    const { outDir, result } = await finetuneVit({ ...shared(o), model: o.model, data: o.data, limit: optional(o.limit, (s: string) => parseInteger(s, '--limit')) });
    report(o, outDir, result);
  });
  return cmd;
}

import { Command } from 'commander';
import { finetuneBert, finetuneSquad, finetuneVit } from '@ebt/finetune';
import { oneOf, parseInteger } from '../input';
import { earlyBirdFlags, parseEarlyBirdFlags, parseTrainingFlags, printRunSummary, trainingFlags } from './flags';

export function finetuneCommand(): Command {
  const cmd = new Command('finetune').description('Fine-tune a Hugging Face checkpoint with network slimming.');
  earlyBirdFlags(
    trainingFlags(
      cmd
        .command('bert')
        .description('BERT on a GLUE-style TSV task (DIR/train.tsv, DIR/dev.tsv); defaults: AdamW 2e-5, batch 32, 128 tokens, 3 epochs.')
        .option('--model <dir>', 'Hugging Face BERT folder with tokenizer.json')
        .option('--data <dir>', 'folder with train.tsv and dev.tsv')
        .option('--text-column <name>', 'text column', 'sentence')
        .option('--pair-column <name>', 'second text column (pair tasks)')
        .option('--label-column <name>', 'label column', 'label')
        .option('--task <name>', 'glue (TSV: train.tsv, dev.tsv) or squad (SQuAD v1.1: train-v1.1.json, dev-v1.1.json)', 'glue')
        .option('--max-length <n>', 'tokens per example (default: 128 for glue, 384 for squad)')
        .option('--doc-stride <n>', 'squad: stride between context windows', '128')
        .option('--max-query-length <n>', 'squad: question tokens kept', '64')
        .option('--max-answer-length <n>', 'squad: longest answer decoded, in tokens', '30')
        .option('--n-best <n>', 'squad: start and end candidates per window', '20'),
    ),
  ).action(async (o) => {
    const task = oneOf(o.task, ['glue', 'squad'] as const, '--task');
    const maxLength = o.maxLength === undefined ? undefined : parseInteger(o.maxLength, '--max-length');
    if (task === 'squad') {
      const r = await finetuneSquad({
        ...parseTrainingFlags(o),
        ...parseEarlyBirdFlags(o),
        model: o.model,
        data: o.data,
        maxLength,
        docStride: parseInteger(o.docStride, '--doc-stride'),
        maxQueryLength: parseInteger(o.maxQueryLength, '--max-query-length'),
        maxAnswerLength: parseInteger(o.maxAnswerLength, '--max-answer-length'),
        nBest: parseInteger(o.nBest, '--n-best'),
      });
      printRunSummary(o, r.outDir, r.result, r.ticket);
      if (!o.json) process.stdout.write(`SQuAD dev: exact match ${r.exactMatch.toFixed(2)}, F1 ${r.f1.toFixed(2)}\n`);
      return;
    }
    const { outDir, result, ticket } = await finetuneBert({
      ...parseTrainingFlags(o),
      ...parseEarlyBirdFlags(o),
      model: o.model,
      data: o.data,
      textColumn: o.textColumn,
      pairColumn: o.pairColumn,
      labelColumn: o.labelColumn,
      maxLength,
    });
    printRunSummary(o, outDir, result, ticket);
  });
  earlyBirdFlags(
    trainingFlags(
      cmd
        .command('vit')
        .description("ViT on CIFAR-10 ('cifar10:DIR') or the embedded MNIST, resized to the model's image_size; defaults: AdamW 3e-5, batch 64, 3 epochs.")
        .option('--model <dir>', 'Hugging Face ViT folder')
        .option('--data <spec>', "'cifar10:DIR' or 'mnist'", 'mnist')
        .option('--limit <n>', 'use only the first n training and test images'),
    ),
  ).action(async (o) => {
    const { outDir, result, ticket } = await finetuneVit({
      ...parseTrainingFlags(o),
      ...parseEarlyBirdFlags(o),
      model: o.model,
      data: o.data,
      limit: o.limit === undefined ? undefined : parseInteger(o.limit, '--limit'),
    });
    printRunSummary(o, outDir, result, ticket);
  });
  return cmd;
}

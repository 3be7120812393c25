import { Command } from 'commander';
import { finetuneBert, finetuneVit } from '@ebt/finetune';
import { parseInteger } from '../input';
import { earlyBirdFlags, parseEarlyBirdFlags, parseTrainingFlags, printRunSummary, trainingFlags } from './flags';

export function finetuneCommand(): Command {
  const cmd = new Command('finetune').description('Fine-tune a Hugging Face checkpoint with network slimming.');
  earlyBirdFlags(trainingFlags(
    cmd
      .command('bert')
      .description('BERT on a GLUE-style TSV task (DIR/train.tsv, DIR/dev.tsv); defaults: AdamW 2e-5, batch 32, 128 tokens, 3 epochs.')
      .option('--model <dir>', 'Hugging Face BERT folder with tokenizer.json')
      .option('--data <dir>', 'folder with train.tsv and dev.tsv')
      .option('--text-column <name>', 'text column', 'sentence')
      .option('--pair-column <name>', 'second text column (pair tasks)')
      .option('--label-column <name>', 'label column', 'label')
      .option('--max-length <n>', 'tokens per example', '128'),
  )).action(async (o) => {
    const { outDir, result, ticket } = await finetuneBert({
      ...parseTrainingFlags(o),
      ...parseEarlyBirdFlags(o),
      model: o.model,
      data: o.data,
      textColumn: o.textColumn,
      pairColumn: o.pairColumn,
      labelColumn: o.labelColumn,
      maxLength: parseInteger(o.maxLength, '--max-length'),
    });
    printRunSummary(o, outDir, result, ticket);
  });
  earlyBirdFlags(trainingFlags(
    cmd
      .command('vit')
      .description("ViT on CIFAR-10 ('cifar10:DIR') or the embedded MNIST, resized to the model's image_size; defaults: AdamW 3e-5, batch 64, 3 epochs.")
      .option('--model <dir>', 'Hugging Face ViT folder')
      .option('--data <spec>', "'cifar10:DIR' or 'mnist'", 'mnist')
      .option('--limit <n>', 'use only the first n training and test images'),
  )).action(async (o) => {
    const { outDir, result, ticket } = await finetuneVit({ ...parseTrainingFlags(o),
      ...parseEarlyBirdFlags(o), model: o.model, data: o.data, limit: o.limit === undefined ? undefined : parseInteger(o.limit, '--limit') });
    printRunSummary(o, outDir, result, ticket);
  });
  return cmd;
}

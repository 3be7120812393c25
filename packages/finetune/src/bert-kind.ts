/**
 * The run kind `finetune bert`: BERT on a GLUE-style task (finetune-bert.ts) or SQuAD v1.1 (finetune-squad.ts),
 * its flags, its dense run and how its tickets are retrained.
 */
import { decodeAnswers, squadFeatures, squadMetrics } from '@ebt/data';
import { oneOf, optionalInteger, parseInteger } from '@ebt/errors';
import { RunKind, RetrainTask, scoredResult } from '@ebt/experiment';
import { BERT_OPTIONS, BertRunOptions } from './bert-options';
import { loadPretrained, QuestionAnswerer, TextTokenizer } from '@ebt/models';
import { countFlops, countParameters } from '@ebt/pruning';
import { finetuneBert, FinetuneBertOptions, glueTraining, textForward } from './finetune-bert';
import { featureSource, finetuneSquad, FinetuneSquadOptions, predictSpans, qaForward } from './finetune-squad';
import { loadGlueData, problemTypeOf } from './glue-data';
import { loadSquadData, SQUAD_BY_NAME } from './squad-data';
import { GLUE_DEFAULTS, SQUAD_DEFAULTS } from './defaults';

export type BertKindOptions = (FinetuneBertOptions | FinetuneSquadOptions) & { task?: 'glue' | 'squad' };

type BertRun = BertRunOptions;

export const runKind: RunKind<BertKindOptions> = {
  name: 'bert',
  command: 'finetune bert',
  description: `BERT on a text task by name (glue:<task>, squad, spam-assassin, brown-genre) or a folder (GLUE's TSVs, SQuAD v1.1's JSON); defaults for GLUE-style tasks: AdamW ${GLUE_DEFAULTS.lr.toExponential()}, batch ${GLUE_DEFAULTS.batchSize}, ${GLUE_DEFAULTS.maxLength} tokens, ${GLUE_DEFAULTS.epochs} epochs (SQuAD: ${SQUAD_DEFAULTS.lr.toExponential()}, ${SQUAD_DEFAULTS.batchSize}, ${SQUAD_DEFAULTS.maxLength}, ${SQUAD_DEFAULTS.epochs}).`,
  module: __filename,
  flags: (cmd) =>
    cmd
      .option(
        '--model <dir|id>',
        'Hugging Face BERT folder or hub id (bert-base-uncased), or scratch:bert-tiny|bert-mini|bert-small|bert-medium (a BERT built from scratch, WordPiece vocabulary from the training split); default: scratch:bert-mini with --data spam-assassin, else the embedded tiny BERT on datasets/sst2-tiny',
      )
      .option('--revision <rev>', 'hub branch, tag or commit of --model (default main)')
      .option(
        '--data <dir>',
        "glue:<task> (the hub's nyu-mll/glue parquet), squad (the hub's rajpurkar/squad), spam-assassin[:N] (npm's SpamAssassin corpus, ham or spam; N messages per group), brown-genre[:N] and brown-genre-15[:N] (Brown Corpus passages by section or by genre, split by text), a folder with train.tsv and dev.tsv (GLUE), or train-v1.1.json and dev-v1.1.json (SQuAD)",
      )
      .option(
        '--glue-task <name>',
        'a GLUE task (cola, sst2, mrpc, qqp, stsb, mnli, qnli, rte, wnli): its columns, label names and official metrics; stsb trains a regression head',
      )
      .option('--text-column <name>', "text column (default: the GLUE task's, else sentence)")
      .option('--pair-column <name>', 'second text column (pair tasks)')
      .option('--label-column <name>', 'label column', 'label')
      .option('--task <name>', 'glue or squad (default: squad with --data squad, else glue)')
      .option('--max-length <n>', 'tokens per example (default: 128 for glue, 384 for squad)')
      .option('--doc-stride <n>', 'squad: stride between context windows', String(SQUAD_DEFAULTS.docStride))
      .option('--max-query-length <n>', 'squad: question tokens kept', String(SQUAD_DEFAULTS.maxQueryLength))
      .option('--max-answer-length <n>', 'squad: longest answer decoded, in tokens', String(SQUAD_DEFAULTS.maxAnswerLength))
      .option('--n-best <n>', 'squad: start and end candidates per window', String(SQUAD_DEFAULTS.nBest)),
  parse: (o) => {
    const task = oneOf(o.task ?? (o.data === SQUAD_BY_NAME ? 'squad' : 'glue'), ['glue', 'squad'] as const, '--task');
    const common = { model: o.model, data: o.data, maxLength: optionalInteger(o.maxLength, '--max-length'), task };
    if (task === 'glue') return { ...common, glueTask: o.glueTask, textColumn: o.textColumn, pairColumn: o.pairColumn, labelColumn: o.labelColumn };
    return {
      ...common,
      docStride: parseInteger(o.docStride, '--doc-stride'),
      maxQueryLength: parseInteger(o.maxQueryLength, '--max-query-length'),
      maxAnswerLength: parseInteger(o.maxAnswerLength, '--max-answer-length'),
      nBest: parseInteger(o.nBest, '--n-best'),
    };
  },
  run: async ({ task, ...options }) => {
    if (task === 'squad') {
      const r = await finetuneSquad(options as FinetuneSquadOptions);
      return { ...r, notes: [`SQuAD dev: exact match ${r.exactMatch.toFixed(2)}, F1 ${r.f1.toFixed(2)}`] };
    }
    const { glue, ...r } = await finetuneBert(options as FinetuneBertOptions);
    const notes = Object.entries(glue?.metrics ?? {}).map(
      ([split, metrics]) =>
        `GLUE ${glue!.task} ${split}: ${Object.entries(metrics)
          .map(([m, v]) => `${m} ${(v as number).toFixed(4)}`)
          .join(', ')}`,
    );
    return { ...r, notes };
  },
  options: BERT_OPTIONS,
  initDir: (_runDir, run) => BERT_OPTIONS.parse(run.options).model,
  retrain: async (_runDir, run) => {
    const o = BERT_OPTIONS.parse(run.options);
    return o.task === 'glue' ? retrainGlue(o) : retrainSquad(o);
  },
};

async function retrainGlue(o: BertRun): Promise<RetrainTask> {
  const { train: trainSet, dev, objective } = await loadGlueData(o.data, o);
  const devSet = Object.values(dev)[0];
  const tokenizer = await TextTokenizer.fromPretrained(o.model);
  const { model } = loadPretrained(o.model, {
    task: 'text-classification',
    numLabels: trainSet.numClasses,
    problemType: problemTypeOf(objective),
    seed: o.seed,
    log: null,
  });
  return {
    model,
    setup: (m) => ({ forward: textForward(m), ...glueTraining(o, { train: trainSet, dev: devSet, objective }, tokenizer) }),
    score: async (m, r) => scoredResult(r.finalTest?.score ?? null, countParameters(m.config), countFlops(m.config, o.maxLength), objective.metric),
  };
}

async function retrainSquad(o: BertRun): Promise<RetrainTask> {
  const tokenizer = await TextTokenizer.fromPretrained(o.model);
  const tok = { tokenize: (t: string) => tokenizer.tokenize(t), ...tokenizer.specialIds };
  const featureOptions = { maxLength: o.maxLength, docStride: o.docStride!, maxQueryLength: o.maxQueryLength! };
  const { train: trainExamples, dev: devExamples } = await loadSquadData(o.data);
  const trainFeatures = squadFeatures(trainExamples, tok, featureOptions);
  const devFeatures = squadFeatures(devExamples, tok, featureOptions);
  const { model } = loadPretrained(o.model, { task: 'question-answering', seed: o.seed, log: null });
  return {
    model,
    setup: (m) => ({
      forward: qaForward(m),
      train: featureSource(trainFeatures),
      test: featureSource(devFeatures),
      batchSize: o.batchSize,
      optimizer: { kind: 'adamw', weightDecay: o.weightDecay },
      schedule: { lr: o.lr, decay: 'linear' },
      clipNorm: o.clipNorm,
    }),
    score: async (m) => {
      const spans = await predictSpans(m as QuestionAnswerer, devFeatures, o.batchSize);
      const m1 = squadMetrics(devExamples, decodeAnswers(devExamples, devFeatures, spans, { nBest: o.nBest!, maxAnswerLength: o.maxAnswerLength! }));
      const flops = countFlops(m.config, o.maxLength);
      return { metric: 'f1', score: m1.f1, metrics: { f1: m1.f1, exact_match: m1.exactMatch }, parameters: countParameters(m.config), flops };
    },
  };
}

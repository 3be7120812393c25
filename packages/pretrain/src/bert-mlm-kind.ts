/** The run kind `pretrain bert`: masked-LM pretraining (pretrain-bert.ts), its flags, and how its tickets are retrained. */
import { optionalInteger } from '@ebt/errors';
import { RunKind, scoredResult } from '@ebt/experiment';
import { loadPretrained } from '@ebt/models';
import { countFlops, countParameters } from '@ebt/pruning';
import { BERT_PRESETS } from './bert-presets';
import { BERT_MLM_OPTIONS, mlmDataOf, mlmForward, mlmTraining, pretrainBert, PretrainBertOptions } from './pretrain-bert';

export const runKind: RunKind<PretrainBertOptions> = {
  name: 'bert',
  studyName: 'bert-mlm',
  command: 'pretrain bert',
  description:
    'Masked-language-model pretraining of a BERT (BertForMaskedLM) on a text corpus, with slimming and EB-train; the score is the masked-token accuracy on held-out texts. Default: scratch:bert-mini on the Brown Corpus.',
  module: __filename,
  flags: (cmd) =>
    cmd
      .option('--preset <name>', `one of ${Object.keys(BERT_PRESETS).join(', ')} (default: default)`)
      .option(
        '--model <spec>',
        "scratch:bert-tiny|bert-mini|bert-small|bert-medium (a new BERT, its vocabulary trained on the training texts), or a BERT folder to continue (default: the preset's)",
      )
      .option('--data <spec>', "'brown' (npm's Brown Corpus; the default), 'spam-assassin', or 'text:DIR' (.txt files, a line a sentence)")
      .option('--max-length <n>', "tokens per sequence (default: the preset's, 128)")
      .option('--vocab-size <n>', "WordPiece vocabulary of a scratch model (default: the preset's, 8192)"),
  parse: (o) => ({
    preset: o.preset,
    model: o.model,
    data: o.data,
    maxLength: optionalInteger(o.maxLength, '--max-length'),
    vocabSize: optionalInteger(o.vocabSize, '--vocab-size'),
  }),
  run: async (options) => {
    const r = await pretrainBert(options);
    return { ...r, notes: [`masked-token accuracy of always guessing the most frequent token: ${(100 * r.unigramAccuracy).toFixed(2)}%`] };
  },
  options: BERT_MLM_OPTIONS,
  initDir: (_runDir, run) => BERT_MLM_OPTIONS.parse(run.options).model,
  retrain: async (_runDir, run) => {
    const o = BERT_MLM_OPTIONS.parse(run.options);
    const batches = await mlmDataOf(o);
    const { model } = loadPretrained(o.model, { task: 'fill-mask', seed: o.seed, log: null });
    return {
      model,
      setup: (m) => ({ forward: mlmForward(m), ...mlmTraining(o, batches) }),
      score: async (m, r) => scoredResult(r.finalTest?.score ?? null, countParameters(m.config), countFlops(m.config, o.maxLength)),
    };
  },
};

import { runKind as SMALL_VIT } from './small-vit-kind';
import { runKind as BERT_MLM } from './bert-mlm-kind';

export { pretrainSmallVit, resolvePreset } from './pretrain';
export type { PretrainOptions } from './pretrain';
export { PRESETS } from './presets';
export type { SmallVitPreset } from './presets';
/** The run kinds of this app (`ebt pretrain NAME`, `ebt study NAME`). */
export const PRETRAIN_KINDS = [SMALL_VIT, BERT_MLM];
export { BERT_MLM, SMALL_VIT };
export { mlmForward, pretrainBert, resolveBertPreset } from './pretrain-bert';
export { maskSequence, MLM_PROBABILITY, mlmSource, packSequences, unigramBaseline } from './mlm-data';
export type { MlmVocabulary } from './mlm-data';
export type { PretrainBertOptions } from './pretrain-bert';
export { BERT_PRESETS } from './bert-presets';

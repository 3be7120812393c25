import { runKind as SMALL_VIT } from './small-vit-kind';

export { pretrainSmallVit, resolvePreset } from './pretrain';
export type { PretrainOptions } from './pretrain';
export { PRESETS } from './presets';
export type { SmallVitPreset } from './presets';
/** The run kinds of this app (`ebt pretrain NAME`, `ebt study NAME`). */
export const PRETRAIN_KINDS = [SMALL_VIT];
export { SMALL_VIT };

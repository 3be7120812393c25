export { pretrainSmallVit, resolvePreset } from './pretrain';
export type { PretrainOptions } from './pretrain';
export { PRESETS } from './presets';
export type { SmallVitPreset } from './presets';
export { sweep } from './sweep';
export type { SweepOptions, SweepRow } from './sweep';

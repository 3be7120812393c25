export { pretrainSmallVit, resolvePreset } from './pretrain';
export type { PretrainOptions } from './pretrain';
export { PRESETS } from './presets';
export type { SmallVitPreset } from './presets';

export { pretrainSmallVit, resolvePreset } from './pretrain';
export type { PretrainOptions } from './pretrain';
export { PRESETS } from './presets';
export type { SmallVitPreset } from './presets';
/** The module that retrains one sweep cell of a small-ViT run (for @ebt/training's sweep). */
export const SWEEP_RUNNER = require.resolve('./sweep-cell');

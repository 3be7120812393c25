export { pretrainSmallVit, resolvePreset } from './pretrain';
export type { PretrainOptions } from './pretrain';
export { PRESETS } from './presets';
export type { SmallVitPreset } from './presets';
/** The module that retrains one sweep or study cell of a small-ViT run. */
export const CELL_RUNNER = require.resolve('./sweep-cell');
/** The module that runs one seed's dense run of `ebt study small-vit`. */
export const STUDY_RUN_RUNNER = require.resolve('./study-run');

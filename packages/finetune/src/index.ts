export { finetuneBert } from './finetune-bert';
export type { FinetuneBertOptions } from './finetune-bert';
export { finetuneVit } from './finetune-vit';
export type { FinetuneVitOptions } from './finetune-vit';
export { finetuneSquad, predictSpans } from './finetune-squad';
export { loadSquadData, SQUAD_BY_NAME } from './squad-data';
export type { FinetuneSquadOptions } from './finetune-squad';
/** The module that retrains one sweep or study cell of a fine-tuning run (GLUE, SQuAD, ViT). */
export const CELL_RUNNER = require.resolve('./cell');
/** The module that runs one seed's dense run of `ebt study bert|vit`. */
export const STUDY_RUN_RUNNER = require.resolve('./study-run');

export { finetuneBert } from './finetune-bert';
export type { FinetuneBertOptions } from './finetune-bert';
export { finetuneVit } from './finetune-vit';
export type { FinetuneVitOptions } from './finetune-vit';
export { finetuneSquad, predictSpans } from './finetune-squad';
export type { FinetuneSquadOptions } from './finetune-squad';
/** The module that retrains one sweep cell of a SQuAD run (for @ebt/training's sweep). */
export const SQUAD_SWEEP_RUNNER = require.resolve('./squad-sweep-cell');

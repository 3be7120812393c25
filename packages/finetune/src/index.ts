export { finetuneBert } from './finetune-bert';
export type { FinetuneBertOptions } from './finetune-bert';
export { finetuneVit } from './finetune-vit';
export type { FinetuneVitOptions } from './finetune-vit';
export { finetuneSquad, predictSpans } from './finetune-squad';
export type { FinetuneSquadOptions } from './finetune-squad';

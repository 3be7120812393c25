import { runKind as BERT } from './bert-kind';
import { runKind as VIT } from './vit-kind';

export { finetuneBert } from './finetune-bert';
export type { FinetuneBertOptions } from './finetune-bert';
export { finetuneVit } from './finetune-vit';
export type { FinetuneVitOptions } from './finetune-vit';
export { finetuneSquad, predictSpans } from './finetune-squad';
export { loadSquadData, SQUAD_BY_NAME } from './squad-data';
export type { FinetuneSquadOptions } from './finetune-squad';
/** The run kinds of this app (`ebt finetune NAME`, `ebt study NAME`). */
export const FINETUNE_KINDS = [BERT, VIT];
export { BERT, VIT };

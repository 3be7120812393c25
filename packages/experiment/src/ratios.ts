/** Pruning ratio pairs (heads, FFN neurons): what a run watches its criteria at, and what a sweep or study prunes at. */
import { MASK_DEFAULTS } from '@ebt/eb-criteria';

export interface RatioPair {
  heads: number;
  ffn: number;
}

/** A pair's key in files and tables: '0.3:0.3'. */
export const ratioKey = (r: { heads: number; ffn: number } | { ratioHeads: number; ratioFfn: number }) =>
  'heads' in r ? `${r.heads}:${r.ffn}` : `${r.ratioHeads}:${r.ratioFfn}`;

/** The pair a run watches (and EB-train prunes at) unless told otherwise: EarlyBERT's heads 1/3, FFN 0.4. */
export const DEFAULT_WATCH_RATIO: Readonly<RatioPair> = { heads: MASK_DEFAULTS.ratioHeads, ffn: MASK_DEFAULTS.ratioFfn };

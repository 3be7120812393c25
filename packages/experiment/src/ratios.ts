/** Pruning ratio pairs (heads, FFN neurons): what a run watches its criteria at, and what a sweep or study prunes at. */
import { MASK_DEFAULTS } from '@ebt/eb-criteria';
import { UsageError } from '@ebt/errors';

export interface RatioPair {
  heads: number;
  ffn: number;
}

/** A pair's key in files and tables: '0.3:0.3'. */
export const ratioKey = (r: { heads: number; ffn: number } | { ratioHeads: number; ratioFfn: number }) =>
  'heads' in r ? `${r.heads}:${r.ffn}` : `${r.ratioHeads}:${r.ratioFfn}`;

/**
 * A share as people read it, in help, tables and figure legends: thirds as 1/3 and 2/3 (EarlyBERT's head
 * ratio), anything else to 4 significant digits - never 0.3333333333333333. Keys in files stay ratioKey's.
 */
export function shareLabel(p: number): string {
  for (const k of [1, 2]) if (Math.abs(p - k / 3) < 1e-12) return `${k}/3`;
  return String(Number(p.toPrecision(4)));
}

/** A pair as people read it: '1/3:0.4'. */
export const ratioLabel = (r: { heads: number; ffn: number } | { ratioHeads: number; ratioFfn: number }) =>
  'heads' in r ? `${shareLabel(r.heads)}:${shareLabel(r.ffn)}` : `${shareLabel(r.ratioHeads)}:${shareLabel(r.ratioFfn)}`;

/** The pair that prunes most (heads + FFN shares the largest; the first of equals): where a mask matters most. */
export const largestRatio = (ratios: readonly RatioPair[]): RatioPair => ratios.reduce((a, b) => (b.heads + b.ffn > a.heads + a.ffn ? b : a), ratios[0]);

/** The pair a run watches (and EB-train prunes at) unless told otherwise: EarlyBERT's heads 1/3, FFN 0.4. */
export const DEFAULT_WATCH_RATIO: Readonly<RatioPair> = { heads: MASK_DEFAULTS.ratioHeads, ffn: MASK_DEFAULTS.ratioFfn };

/** "0.3:0.3,0.8:0.8" (heads:FFN) or "0.3,0.5" (one number for both) - the syntax of --ratios. */
export function parseRatioPairs(text: string, flag = '--ratios'): RatioPair[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError(`${flag} must list at least one ratio (got '${text}').`);
  return items.map((item) => {
    const parts = item.split(':');
    const nums = parts.map(Number);
    if (parts.length > 2 || parts.some((p) => p.trim() === '') || nums.some((v) => !(v >= 0 && v < 1))) {
      throw new UsageError(`${flag}: '${item}' is not a ratio in [0, 1) or a heads:ffn pair of them.`);
    }
    return { heads: nums[0], ffn: nums[nums.length - 1] };
  });
}

/** Ratio pairs given by a program rather than parsed: at least one, each share in [0, 1), none twice. */
export function checkRatioPairs(ratios: readonly RatioPair[], flag = '--ratios'): void {
  if (ratios.length === 0) throw new UsageError(`${flag} must name at least one heads:FFN pair.`);
  for (const r of ratios)
    if (!(r.heads >= 0 && r.heads < 1 && r.ffn >= 0 && r.ffn < 1)) throw new UsageError(`${flag}: each share must lie in [0, 1) (got ${ratioKey(r)}).`);
  if (new Set(ratios.map(ratioKey)).size !== ratios.length) throw new UsageError(`${flag} names a pair twice (${ratios.map(ratioKey).join(',')}).`);
}

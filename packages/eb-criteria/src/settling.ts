/**
 * When a run's masks settled, seen from its end: for each tolerance, the first recorded step after which the
 * mask stays within that normalised Hamming distance of the final mask (docs/method.md section 3.3's
 * distance, heads and FFN each). What a criterion's draw is compared with: a draw before the step of
 * tolerance `delta` is a false positive by the mask rule.
 */
import { MaskOptions, masksAt, Point } from './criterion';
import { maskDistance } from './mask-distance';
import { MASK_RULE_DELTA } from './judge';

/** The tolerances `ebt detect` reports: the mask rule's delta and three stricter ones. */
export const SETTLING_TOLERANCES = [MASK_RULE_DELTA, 0.05, 0.02, 0] as const;

export interface Settling {
  tolerance: number;
  /** first steps from which the head mask, the FFN mask, and both stay within `tolerance` of their final masks */
  heads: number;
  ffn: number;
  both: number;
}

/**
 * Settling steps of `points` (in increasing steps) at the mask options `o`. Only the points shaped like the
 * first take part: after EB-train pruned the model, its masks are of another model.
 */
export function settlingSteps(points: Point[], o: Required<MaskOptions>, tolerances: readonly number[] = SETTLING_TOLERANCES): Settling[] {
  const shape = (p: Point) => [...p.heads, ...p.ffn].map((r) => r.length).join(',');
  const dense = points.filter((p) => shape(p) === shape(points[0]));
  if (dense.length === 0) return [];
  const final = masksAt(dense[dense.length - 1], o);
  const distances = dense.map((p) => {
    const m = masksAt(p, o);
    return { heads: maskDistance(m.heads, final.heads), ffn: maskDistance(m.ffn, final.ffn) };
  });
  /** the step of the first point after the last one farther than `tol` */
  const from = (far: (i: number) => boolean) => {
    let i = dense.length;
    while (i > 0 && !far(i - 1)) i--;
    return dense[Math.min(i, dense.length - 1)].step;
  };
  return tolerances.map((tolerance) => ({
    tolerance,
    heads: from((i) => distances[i].heads > tolerance),
    ffn: from((i) => distances[i].ffn > tolerance),
    both: from((i) => distances[i].heads > tolerance || distances[i].ffn > tolerance),
  }));
}

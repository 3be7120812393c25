import { Coefficients, Mask, maskFromCoefficients, MaskScope } from './mask';

/** One evaluation point: the coefficients recorded at a step. */
export interface Point {
  step: number;
  epoch: number;
  heads: Coefficients;
  ffn: Coefficients;
}

export type Verdict = { drawn: false } | { drawn: true; step: number; epoch: number };

/**
 * A criterion reads the trajectory one point at a time and answers "not yet" or "ticket drawn at t";
 * once drawn, it keeps answering with the same point.
 */
export interface Criterion {
  readonly name: string;
  observe(point: Point): Verdict;
  /** everything it computed, for detections.json and the report */
  details(): Record<string, unknown>;
  /** what it must remember to go on after a restart (JSON), and how to take it back */
  saveState(): unknown;
  restoreState(state: unknown): void;
}

export interface MaskOptions {
  ratioHeads?: number;
  ratioFfn?: number;
  scopeHeads?: MaskScope;
  scopeFfn?: MaskScope;
}

/** EarlyBERT's defaults: heads layerwise at 1/3, FFN neurons global at 0.4. */
export const MASK_DEFAULTS: Readonly<Required<MaskOptions>> = { ratioHeads: 1 / 3, ratioFfn: 0.4, scopeHeads: 'layerwise', scopeFfn: 'global' };

export function resolveMaskOptions(o: MaskOptions): Required<MaskOptions> {
  return {
    ratioHeads: o.ratioHeads ?? MASK_DEFAULTS.ratioHeads,
    ratioFfn: o.ratioFfn ?? MASK_DEFAULTS.ratioFfn,
    scopeHeads: o.scopeHeads ?? MASK_DEFAULTS.scopeHeads,
    scopeFfn: o.scopeFfn ?? MASK_DEFAULTS.scopeFfn,
  };
}

const maskCache = new WeakMap<Point, Map<string, { heads: Mask; ffn: Mask }>>();

/** The point's masks; both criteria ask for the same ones, so they are computed once per point and options. */
export function masksAt(point: Point, o: Required<MaskOptions>): { heads: Mask; ffn: Mask } {
  const key = `${o.ratioHeads}|${o.scopeHeads}|${o.ratioFfn}|${o.scopeFfn}`;
  let byOptions = maskCache.get(point);
  if (!byOptions) maskCache.set(point, (byOptions = new Map()));
  let masks = byOptions.get(key);
  if (!masks) {
    masks = { heads: maskFromCoefficients(point.heads, o.ratioHeads, o.scopeHeads), ffn: maskFromCoefficients(point.ffn, o.ratioFfn, o.scopeFfn) };
    byOptions.set(key, masks);
  }
  return masks;
}

/** Offline: feeds a finished trajectory's points to a fresh criterion; the same answer as online. */
export function replay(criterion: Criterion, points: Iterable<Point>): Verdict {
  let verdict: Verdict = { drawn: false };
  for (const p of points) {
    verdict = criterion.observe(p);
    if (verdict.drawn) break;
  }
  return verdict;
}

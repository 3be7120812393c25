import { CriterionOptionsError } from './errors';

/** A 0/1 pruning mask, one row per layer (rows may differ in length in a pruned model). */
export type Mask = Uint8Array[];
/** Slimming coefficients, one row per layer. */
export type Coefficients = ArrayLike<number>[];
export type MaskScope = 'global' | 'layerwise';

/** The two kinds of mask a transformer has: attention heads and FFN neurons (as a criterion's `kinds` names them). */
export const MASK_KINDS = ['head', 'ffn'] as const;
export type MaskKind = (typeof MASK_KINDS)[number];

/**
 * Keeps the structures with the largest |c| (docs/method.md section 2). `global`: the round(ratio * N) smallest of
 * the whole model are pruned; `layerwise`: round(ratio * n_l) inside each layer. Ties are broken by index
 * (the earlier structure is pruned first), and a layer never loses its last structure: if every one was
 * pruned, its largest is kept. Linear time: a selection finds the threshold, no sort.
 */
export function maskFromCoefficients(coefficients: Coefficients, ratio: number, scope: MaskScope): Mask {
  if (!(ratio >= 0 && ratio <= 1)) throw new CriterionOptionsError(`pruning ratio must lie in [0, 1] (got ${ratio}).`);
  if (scope !== 'global' && scope !== 'layerwise') throw new CriterionOptionsError(`scope must be 'global' or 'layerwise' (got '${scope}').`);
  const mask: Mask = coefficients.map((row) => new Uint8Array(row.length).fill(1));
  if (scope === 'global') {
    const total = coefficients.reduce((s, r) => s + r.length, 0);
    const scores = new Float64Array(total);
    let k = 0;
    for (const row of coefficients) for (let i = 0; i < row.length; i++) scores[k++] = Math.abs(row[i]);
    const pruned = pruneSmallest(scores, Math.round(ratio * total));
    k = 0;
    for (const m of mask) for (let i = 0; i < m.length; i++) m[i] = pruned[k++] ? 0 : 1;
  } else {
    coefficients.forEach((row, l) => {
      const pruned = pruneSmallest(Float64Array.from(row, Math.abs), Math.round(ratio * row.length));
      for (let i = 0; i < row.length; i++) mask[l][i] = pruned[i] ? 0 : 1;
    });
  }
  coefficients.forEach((row, l) => {
    if (row.length > 0 && mask[l].every((v) => v === 0)) {
      let best = 0;
      for (let i = 1; i < row.length; i++) if (Math.abs(row[i]) > Math.abs(row[best])) best = i;
      mask[l][best] = 1;
    }
  });
  return mask;
}

/** Flags the `count` smallest scores, ties broken by index: all below the count-th value, then the earliest equal ones. */
function pruneSmallest(scores: Float64Array, count: number): Uint8Array {
  const flags = new Uint8Array(scores.length);
  if (count <= 0) return flags;
  if (count >= scores.length) return flags.fill(1);
  const threshold = kthSmallest(Float64Array.from(scores), count - 1);
  let below = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i] < threshold) below++;
  let equalToTake = count - below;
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] < threshold) flags[i] = 1;
    else if (scores[i] === threshold && equalToTake > 0) {
      flags[i] = 1;
      equalToTake--;
    }
  }
  return flags;
}

/** The k-th smallest value (0-based), by Hoare's selection on a scratch copy. */
function kthSmallest(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/** A 0/1 pruning mask, one row per layer (rows may differ in length in a pruned model). */
export type Mask = Uint8Array[];
/** Slimming coefficients, one row per layer. */
export type Coefficients = ArrayLike<number>[];
export type MaskScope = 'global' | 'layerwise';

/**
 * Keeps the structures with the largest |c| (SPEC section 2). `global`: the round(ratio * N) smallest of
 * the whole model are pruned; `layerwise`: round(ratio * n_l) inside each layer. Ties are broken by index
 * (the earlier structure is pruned first), and a layer never loses its last structure: if every one was
 * pruned, its largest is kept.
 */
export function maskFromCoefficients(coefficients: Coefficients, ratio: number, scope: MaskScope): Mask {
  if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`pruning ratio must lie in [0, 1] (got ${ratio}).`);
  const mask: Mask = coefficients.map((row) => new Uint8Array(row.length).fill(1));
  const entries = (layers: number[]) =>
    layers.flatMap((l) => Array.from(coefficients[l], (c, i) => ({ layer: l, index: i, score: Math.abs(c) })));
  const prune = (list: ReturnType<typeof entries>, count: number) => {
    list.sort((a, b) => a.score - b.score || a.layer - b.layer || a.index - b.index);
    for (let i = 0; i < count; i++) mask[list[i].layer][list[i].index] = 0;
  };
  const layers = coefficients.map((_, l) => l);
  if (scope === 'global') {
    const all = entries(layers);
    prune(all, Math.round(ratio * all.length));
  } else if (scope === 'layerwise') {
    for (const l of layers) prune(entries([l]), Math.round(ratio * coefficients[l].length));
  } else {
    throw new RangeError(`scope must be 'global' or 'layerwise' (got '${scope}').`);
  }
  for (const l of layers) {
    const row = coefficients[l];
    if (row.length > 0 && mask[l].every((v) => v === 0)) {
      let best = 0;
      for (let i = 1; i < row.length; i++) if (Math.abs(row[i]) > Math.abs(row[best])) best = i;
      mask[l][best] = 1;
    }
  }
  return mask;
}

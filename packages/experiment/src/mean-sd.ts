/** A mean and its sample standard deviation over seeds (sd null for one value, both null for none). */
export interface MeanSd {
  mean: number | null;
  sd: number | null;
  n: number;
}

export function meanSd(values: Array<number | null>): MeanSd {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length === 0) return { mean: null, sd: null, n: 0 };
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  const sd = v.length > 1 ? Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (v.length - 1)) : null;
  return { mean, sd, n: v.length };
}

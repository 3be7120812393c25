import { checkPaired } from './matthews';

/** Pearson's r, as scipy.stats.pearsonr's statistic (NaN when either input is constant, where scipy warns and returns NaN). */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = checkPaired(x, y);
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i] / n;
    my += y[i] / n;
  }
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const [dx, dy] = [x[i] - mx, y[i] - my];
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  // scipy clips the statistic into [-1, 1] against rounding
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

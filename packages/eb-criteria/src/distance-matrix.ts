import { Mask } from './mask';
import { maskDistance } from './mask-distance';

/** Pairwise normalised Hamming distances between masks (symmetric, zero diagonal), for the report's plot. */
export function distanceMatrix(masks: Mask[]): Float64Array[] {
  const n = masks.length;
  const out = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = maskDistance(masks[i], masks[j]);
      out[i][j] = d;
      out[j][i] = d;
    }
  }
  return out;
}

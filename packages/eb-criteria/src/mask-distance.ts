import { Mask } from './mask';

/** Normalised Hamming distance: the share of positions where the two masks differ. */
export function maskDistance(a: Mask, b: Mask): number {
  if (a.length !== b.length) throw new RangeError(`masks have ${a.length} and ${b.length} layers.`);
  let differ = 0;
  let size = 0;
  for (let l = 0; l < a.length; l++) {
    if (a[l].length !== b[l].length) throw new RangeError(`layer ${l} has ${a[l].length} and ${b[l].length} entries.`);
    for (let i = 0; i < a[l].length; i++) if (a[l][i] !== b[l][i]) differ++;
    size += a[l].length;
  }
  return size === 0 ? 0 : differ / size;
}

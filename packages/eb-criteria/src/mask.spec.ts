import { maskDistance, maskFromCoefficients } from './index';

const rows = (m: Uint8Array[]) => m.map((r) => Array.from(r));

describe('maskFromCoefficients', () => {
  test('layerwise prunes round(p * n) smallest |c| per layer', () => {
    const c = [
      [0.9, -0.1, 0.5],
      [0.2, 0.8, -0.7],
    ];
    expect(rows(maskFromCoefficients(c, 1 / 3, 'layerwise'))).toEqual([
      [1, 0, 1],
      [0, 1, 1],
    ]);
  });

  test('global prunes round(p * N) smallest over the whole model', () => {
    const c = [
      [0.9, 0.05, 0.5],
      [0.2, 0.8, -0.1],
    ];
    // N = 6, p = 0.5 -> 3 pruned: 0.05, -0.1, 0.2
    expect(rows(maskFromCoefficients(c, 0.5, 'global'))).toEqual([
      [1, 0, 1],
      [0, 1, 0],
    ]);
  });

  test('ties are broken by index: the earlier structure goes first', () => {
    expect(rows(maskFromCoefficients([[1, 1, 1, 1]], 0.5, 'layerwise'))).toEqual([[0, 0, 1, 1]]);
  });

  test('a layer keeps its largest structure even when the ratio would remove all', () => {
    const c = [
      [0.01, 0.02],
      [0.9, 0.8],
    ];
    expect(rows(maskFromCoefficients(c, 0.5, 'global'))).toEqual([
      [0, 1],
      [1, 1],
    ]);
    expect(rows(maskFromCoefficients([[0.3, -0.6]], 1, 'layerwise'))).toEqual([[0, 1]]);
  });
});

describe('maskDistance', () => {
  test('is the share of differing positions', () => {
    const a = [Uint8Array.from([1, 0, 1]), Uint8Array.from([1, 1])];
    const b = [Uint8Array.from([1, 1, 1]), Uint8Array.from([0, 1])];
    expect(maskDistance(a, b)).toBeCloseTo(2 / 5, 15);
    expect(maskDistance(a, a)).toBe(0);
  });
  test('refuses masks of different shapes', () => {
    expect(() => maskDistance([Uint8Array.from([1])], [Uint8Array.from([1, 0])])).toThrow(/layer 0/);
  });
});

test('selection gives exactly what a full sort (score, then index) gives, with ties and both scopes', () => {
  let seed = 11;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const bySort = (c: number[][], ratio: number, scope: 'global' | 'layerwise') => {
    const mask: number[][] = c.map((r) => r.map(() => 1));
    const groups =
      scope === 'global' ? [c.flatMap((r, l) => r.map((v, i) => ({ l, i, s: Math.abs(v) })))] : c.map((r, l) => r.map((v, i) => ({ l, i, s: Math.abs(v) })));
    for (const g of groups) {
      g.sort((a, b) => a.s - b.s || a.l - b.l || a.i - b.i);
      g.slice(0, Math.round(ratio * g.length)).forEach((e) => (mask[e.l][e.i] = 0));
    }
    mask.forEach((m, l) => {
      if (!m.some((v) => v !== 0)) {
        let best = 0;
        c[l].forEach((v, i) => {
          if (Math.abs(v) > Math.abs(c[l][best])) best = i;
        });
        m[best] = 1;
      }
    });
    return mask;
  };
  for (let trial = 0; trial < 50; trial++) {
    const c = Array.from({ length: 1 + Math.floor(rand() * 4) }, () =>
      Array.from({ length: 1 + Math.floor(rand() * 30) }, () => Math.round((rand() - 0.5) * 8) / 4),
    );
    for (const ratio of [0, 0.1, 1 / 3, 0.5, 0.9, 1]) {
      for (const scope of ['global', 'layerwise'] as const) {
        expect(rows(maskFromCoefficients(c, ratio, scope))).toEqual(bySort(c, ratio, scope));
      }
    }
  }
});

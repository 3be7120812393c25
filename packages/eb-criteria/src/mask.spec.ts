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

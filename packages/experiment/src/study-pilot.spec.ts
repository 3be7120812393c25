import { pilotGate } from './study-pilot';
import type { StudySummary } from './study-types';

/** A study summary with only what the gate reads: E0a and E0b's mean differences at each ratio pair. */
function summary(byRatio: Record<string, { heads: number; ffn: number; e0a: number | null; e0b: number | null }>): StudySummary {
  const entry = ({ heads, ffn, e0a, e0b }: { heads: number; ffn: number; e0a: number | null; e0b: number | null }) => ({
    ratio: { heads, ffn },
    endpoints: [
      { id: 'E0a', difference: e0a === null ? null : { mean: e0a } },
      { id: 'E0b', difference: e0b === null ? null : { mean: e0b } },
    ],
  });
  const entries = Object.entries(byRatio).map(([k, v]) => [k, entry(v)]);
  return { seeds: [101, 102], endpoints: { byRatio: Object.fromEntries(entries) } } as unknown as StudySummary;
}

describe('pilotGate', () => {
  test('reads the largest pair (heads + FFN), whatever its place in the study', () => {
    const s = summary({
      '0.5:0.5': { heads: 0.5, ffn: 0.5, e0a: 0.1, e0b: 0.2 },
      '0.75:0.9': { heads: 0.75, ffn: 0.9, e0a: 4.12, e0b: 2.07 },
    });
    expect(pilotGate(s)).toEqual({
      seeds: [101, 102],
      ratio: '0.75:0.9',
      lateMinusRandom: 4.12,
      lateMinusEarliest: 2.07,
      thresholdPoints: 2,
      passed: true,
    });
  });

  test('passes only when both differences reach 2 points; a missing difference fails it', () => {
    const gate = (e0a: number | null, e0b: number | null) => pilotGate(summary({ '0.8:0.8': { heads: 0.8, ffn: 0.8, e0a, e0b } })).passed;
    expect(gate(2, 2)).toBe(true);
    expect(gate(2, 1.99)).toBe(false);
    expect(gate(-0.31, 1.44)).toBe(false); // BERT pilot B
    expect(gate(null, 5)).toBe(false);
  });

  test('two pairs of the same size: the first listed is read', () => {
    const s = summary({ '0.6:0.8': { heads: 0.6, ffn: 0.8, e0a: 3, e0b: 3 }, '0.8:0.6': { heads: 0.8, ffn: 0.6, e0a: 0, e0b: 0 } });
    expect(pilotGate(s).ratio).toBe('0.6:0.8');
  });
});

import {
  scaledWindows,
  distanceMatrix,
  judgeDetection,
  MaskDistanceCriterion,
  maskFromCoefficients,
  NuclearStationarityCriterion,
  nuclearNorm,
  Point,
  replay,
  testWindow,
  DEFAULT_THRESHOLDS,
} from './index';
import fixture from '../test/fixtures/nuclear-norms.json';

describe('nuclearNorm', () => {
  test('agrees with numpy on masks and real matrices', () => {
    for (const c of fixture.cases) expect(nuclearNorm(c.matrix)).toBeCloseTo(c.nuclear_norm, 8);
  });
  test('hand cases; zero padding of ragged rows changes nothing', () => {
    expect(
      nuclearNorm([
        [3, 0],
        [0, 4],
      ]),
    ).toBeCloseTo(7, 12);
    expect(
      nuclearNorm([
        [1, 1, 1],
        [1, 1, 1],
      ]),
    ).toBeCloseTo(Math.sqrt(6), 12);
    expect(nuclearNorm([[1, 2], [3]])).toBeCloseTo(
      nuclearNorm([
        [1, 2],
        [3, 0],
      ]),
      12,
    );
  });
});

test('distanceMatrix is symmetric with the pairwise Hamming distances', () => {
  const m = (...rows: number[][]) => rows.map((r) => Uint8Array.from(r));
  const d = distanceMatrix([m([1, 1, 0, 0]), m([1, 0, 0, 0]), m([0, 0, 1, 1])]);
  expect(d.map((r) => Array.from(r))).toEqual([
    [0, 0.25, 1],
    [0.25, 0, 0.75],
    [1, 0.75, 0],
  ]);
});

/** A point whose head coefficients make head `drop` the smallest of each layer (2 layers x 3 heads). */
function point(step: number, drop: number, ffnDrop = 0): Point {
  const heads = [0, 1].map(() => [1, 1, 1].map((v, h) => (h === drop ? 0.1 : v + 0.01 * h)));
  const ffn = [0, 1].map(() => [1, 2, 3, 4].map((v, j) => (j === ffnDrop ? 0.05 : v)));
  return { step, epoch: 0, heads, ffn };
}

describe('MaskDistanceCriterion', () => {
  test('draws when the newest mask is within epsilon of every mask in the full queue', () => {
    const seq = [point(1, 0), point(2, 1), point(3, 2), point(4, 2), point(5, 2), point(6, 2)];
    const c = new MaskDistanceCriterion({ queue: 3, epsilon: 0, ratioHeads: 1 / 3, ratioFfn: 0.25, scopeFfn: 'layerwise' });
    const verdicts = seq.map((p) => c.observe(p));
    // queue of 3: at step 5 the queue holds steps 3, 4, 5, all with head 2 pruned
    expect(verdicts.map((v) => v.drawn)).toEqual([false, false, false, false, true, true]);
    expect(verdicts[5]).toEqual({ drawn: true, step: 5, epoch: 0 });
    expect(replay(new MaskDistanceCriterion({ queue: 3, epsilon: 0, ratioHeads: 1 / 3, ratioFfn: 0.25, scopeFfn: 'layerwise' }), seq)).toEqual(verdicts[4]);
  });

  test('kinds: heads only ignores FFN flips', () => {
    const seq = [1, 2, 3, 4].map((s) => point(s, 0, s % 4));
    const both = replay(new MaskDistanceCriterion({ queue: 2, epsilon: 0, ratioFfn: 0.25, scopeFfn: 'layerwise' }), seq);
    const heads = replay(new MaskDistanceCriterion({ queue: 2, epsilon: 0, ratioFfn: 0.25, scopeFfn: 'layerwise', kinds: ['head'] }), seq);
    expect(both.drawn).toBe(false);
    expect(heads).toEqual({ drawn: true, step: 2, epoch: 0 });
  });
});

describe('NuclearStationarityCriterion', () => {
  /** coefficients decaying towards a fixed pattern: masks flip early, then settle */
  function decaying(n: number): Point[] {
    const points: Point[] = [];
    for (let t = 0; t < n; t++) {
      const settle = Math.exp(-t / 15);
      const noise = (i: number) => Math.sin(7 * t + 3 * i) * settle;
      const heads = [0, 1, 2].map((l) => [0, 1, 2, 3].map((h) => 0.5 + 0.1 * h * (1 - settle) + 0.3 * noise(l * 4 + h)));
      const ffn = [0, 1, 2].map((l) => Array.from({ length: 10 }, (_, j) => 0.5 + 0.05 * j * (1 - settle) + 0.4 * noise(100 + l * 10 + j)));
      points.push({ step: 10 * (t + 1), epoch: Math.floor(t / 20), heads, ffn });
    }
    return points;
  }

  test('draws only after the signal has settled, and offline replay gives the online answer', () => {
    const options = { smooth: 5, window: 20, every: 5, tests: ['dejong', 'mk'] as const };
    const points = decaying(150);
    const online = new NuclearStationarityCriterion({ ...options, tests: [...options.tests] });
    let first: { step: number } | undefined;
    for (const p of points) {
      const v = online.observe(p);
      if (v.drawn && !first) first = v;
    }
    expect(first).toBeDefined();
    // the masks keep changing while exp(-t/15) is large; nothing may be drawn in the first 40 points
    expect(first!.step).toBeGreaterThan(400);
    expect(replay(new NuclearStationarityCriterion({ ...options, tests: [...options.tests] }), points)).toEqual({
      drawn: true,
      step: first!.step,
      epoch: points.find((p) => p.step === first!.step)!.epoch,
    });
    const details = online.details() as any;
    expect(details.signal.nuclearNorm.heads).toHaveLength(points.findIndex((p) => p.step === first!.step) + 1);
    // smoothed values exist from point 5, 20 of them at point 24: tested at 25, 30, ... up to the draw, which
    // is the first window that passes (confirm 1)
    const drawIndex = points.findIndex((p) => p.step === first!.step) + 1;
    const expected = Array.from({ length: (drawIndex - 25) / 5 + 1 }, (_, k) => 25 + 5 * k);
    expect(details.tests.map((t: { index: number }) => t.index)).toEqual(expected);
    expect(details.tests.map((t: { pass: boolean }) => t.pass)).toEqual(expected.map((i) => i === drawIndex));
  });

  test('nothing is tested before window smoothed points exist; tested points are multiples of every', () => {
    const c = new NuclearStationarityCriterion({ smooth: 4, window: 6, every: 3, tests: ['mk'] });
    decaying(20).forEach((p) => c.observe(p));
    const tested = (c.details() as any).tests.map((t: any) => t.index);
    // smoothed points exist from point 4 on; 6 of them at point 9; tested at 9, 12, 15, 18 (or until drawn)
    expect(tested[0]).toBe(9);
    expect(tested.every((i: number) => i % 3 === 0)).toBe(true);
  });

  test('a flat window counts as stationary without testing; a trend fails dejong and mk', () => {
    const flat = testWindow(new Float64Array(50).fill(3), ['dejong', 'mk', 'adf'], DEFAULT_THRESHOLDS, 1e-9);
    expect(flat).toMatchObject({ pass: true, flat: true });
    const trend = testWindow(
      Float64Array.from({ length: 50 }, (_, i) => i + Math.sin(i)),
      ['dejong', 'mk'],
      DEFAULT_THRESHOLDS,
      1e-9,
    );
    expect(trend.pass).toBe(false);
    expect(trend.pvalues.mk).toBeLessThan(0.2);
  });

  test('signal trajectories: each coefficient tested, drawn when the share passes', () => {
    // Mann-Kendall is scale-free: a trajectory still converging by 1e-5 per step is a "trend". A flatness
    // tolerance relative to the level is what lets converged coefficients count as settled.
    const strict = replay(
      new NuclearStationarityCriterion({ signal: 'trajectories', smooth: 3, window: 10, every: 5, tests: ['mk'], share: 0.9 }),
      decaying(150),
    );
    expect(strict.drawn).toBe(false);
    const tolerant = replay(
      new NuclearStationarityCriterion({ signal: 'trajectories', smooth: 3, window: 10, every: 5, tests: ['mk'], share: 0.9, flatTol: 1e-3 }),
      decaying(150),
    );
    expect(tolerant.drawn).toBe(true);
    expect((tolerant as { step: number }).step).toBeGreaterThan(400);
  });
});

test('judgeDetection: a draw whose mask is far from the final one is a false positive', () => {
  const mask = (rows: number[][]) => rows.map((r) => Uint8Array.from(r));
  const final = { heads: mask([[1, 1, 0, 0]]), ffn: mask([[1, 0]]) };
  const early = judgeDetection({
    detection: { step: 10, epoch: 0 },
    masksAtDetection: { heads: mask([[0, 0, 1, 1]]), ffn: mask([[1, 0]]) },
    finalMasks: final,
    totalSteps: 100,
  });
  expect(early).toMatchObject({ fractionSaved: 0.9, distanceToFinal: { heads: 1, ffn: 0 }, falsePositive: true });
  const good = judgeDetection({
    detection: { step: 40, epoch: 1 },
    masksAtDetection: final,
    finalMasks: final,
    totalSteps: 100,
    ticketAccuracy: 0.95,
    denseAccuracy: 0.955,
  });
  expect(good).toMatchObject({ fractionSaved: 0.6, falsePositive: false });
  const lossy = judgeDetection({
    detection: { step: 40, epoch: 1 },
    masksAtDetection: final,
    finalMasks: final,
    totalSteps: 100,
    ticketAccuracy: 0.9,
    denseAccuracy: 0.95,
  });
  expect(lossy.falsePositive).toBe(true);
  expect(judgeDetection({ detection: null, finalMasks: final, totalSteps: 100 }).falsePositive).toBeNull();
  expect(maskFromCoefficients([[1]], 0, 'global')[0][0]).toBe(1);
});

test("scaledWindows: the seed's sizes for long runs, proportionally smaller for short ones", () => {
  expect(scaledWindows(14774)).toEqual({ smooth: 200, window: 300, every: 100 });
  expect(scaledWindows(150)).toEqual({ smooth: 10, window: 30, every: 5 });
  expect(scaledWindows(10)).toEqual({ smooth: 2, window: 5, every: 1 });
});

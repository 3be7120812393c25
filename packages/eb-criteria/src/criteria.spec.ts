import {
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
    // windows in steps; the points come every 10 steps (10, 20, ...)
    const options = { smooth: 50, window: 200, every: 50, tests: ['dejong', 'mk'] as const };
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
    // the average of the last 50 steps is defined once 50 steps have passed since the first point (step 10):
    // from step 60; the smoothed series spans 200 steps at step 259; so the tests run at the multiples of 50
    // from 300 up to the draw, which is the first window that passes (confirm 1)
    const expected = Array.from({ length: (first!.step - 300) / 50 + 1 }, (_, k) => 300 + 50 * k);
    expect(details.signal.smoothedSteps[0]).toBe(60);
    expect(details.tests.map((t: { step: number }) => t.step)).toEqual(expected);
    expect(details.tests.map((t: { pass: boolean }) => t.pass)).toEqual(expected.map((s) => s === first!.step));
  });

  test('nothing is tested before the smoothed series spans the window; tested steps are multiples of every', () => {
    const c = new NuclearStationarityCriterion({ smooth: 40, window: 60, every: 30, tests: ['mk'] });
    decaying(20).forEach((p) => c.observe(p));
    const tested = (c.details() as any).tests.map((t: any) => t.step);
    // smoothed from step 50 (40 steps after the first point, step 10), spanning 60 steps at step 109: tested at
    // 120, 150, 180 (or until drawn)
    expect(tested[0]).toBe(120);
    expect(tested.every((s: number) => s % 30 === 0)).toBe(true);
  });

  test('the same windows in steps on a run observed at every step and on its trajectory every 10 steps', () => {
    // a signal that settles: the step-based windows test the same stretch of training either way
    const every = decaying(300).map((p, t) => ({ ...p, step: t + 1 }));
    const sparse = every.filter((p) => p.step % 10 === 0);
    const options = { smooth: 20, window: 60, every: 20, tests: ['dejong' as const, 'mk' as const] };
    const dense = replay(new NuclearStationarityCriterion(options), every);
    const coarse = replay(new NuclearStationarityCriterion(options), sparse);
    expect(dense.drawn && coarse.drawn).toBe(true);
    expect(Math.abs((dense as { step: number }).step - (coarse as { step: number }).step)).toBeLessThanOrEqual(40);
  });

  test('a window holding fewer than 3 points is not tested', () => {
    // points every 10 steps: a 25-step window holds at most 3 of them, a 15-step one at most 2
    const tested = (window: number) => {
      const c = new NuclearStationarityCriterion({ smooth: 1, window, every: 10, tests: ['mk'] });
      decaying(30).forEach((p) => c.observe(p));
      return (c.details() as { tests: unknown[] }).tests.length;
    };
    expect(tested(15)).toBe(0);
    expect(tested(25)).toBeGreaterThan(0);
  });

  test('points must come in increasing steps', () => {
    const c = new NuclearStationarityCriterion({ smooth: 2, window: 3, every: 1 });
    const [a, b] = decaying(2);
    c.observe(b);
    expect(() => c.observe(a)).toThrow('points must come in increasing steps (got step 10 after 20).');
  });

  test('saved state restores a criterion that then gives the unbroken answer', () => {
    const points = decaying(150);
    const options = { smooth: 50, window: 200, every: 50, tests: ['dejong' as const, 'mk' as const] };
    const unbroken = new NuclearStationarityCriterion(options);
    const verdict = replay(unbroken, points);
    const first = new NuclearStationarityCriterion(options);
    points.slice(0, 37).forEach((p) => first.observe(p));
    const second = new NuclearStationarityCriterion(options);
    second.restoreState(JSON.parse(JSON.stringify(first.saveState())));
    expect(replay(second, points.slice(37))).toEqual(verdict);
    expect(second.details()).toEqual(unbroken.details());
    const md = new MaskDistanceCriterion({ queue: 3, epsilon: 0.05 });
    const mdUnbroken = replay(new MaskDistanceCriterion({ queue: 3, epsilon: 0.05 }), points);
    points.slice(0, 37).forEach((p) => md.observe(p));
    const md2 = new MaskDistanceCriterion({ queue: 3, epsilon: 0.05 });
    md2.restoreState(JSON.parse(JSON.stringify(md.saveState())));
    expect(replay(md2, points.slice(37))).toEqual(mdUnbroken);
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
      new NuclearStationarityCriterion({ signal: 'trajectories', smooth: 30, window: 100, every: 50, tests: ['mk'], share: 0.9 }),
      decaying(150),
    );
    expect(strict.drawn).toBe(false);
    const tolerant = replay(
      new NuclearStationarityCriterion({ signal: 'trajectories', smooth: 30, window: 100, every: 50, tests: ['mk'], share: 0.9, flatTol: 1e-3 }),
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

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
  CriterionOptionsError,
} from './index';
import type { WindowRule } from './index';
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

/** The rule of mode all, as testWindow takes it. */
const ALL: WindowRule = {
  tests: ['dejong', 'mk', 'adf'],
  thresholds: { ...DEFAULT_THRESHOLDS },
  flatTol: 1e-9,
  combine: 'all',
  errorsHold: false,
  tolerance: 0.02,
};

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
    const options = { mode: 'all' as const, smooth: 50, window: 200, every: 50, tests: ['dejong', 'mk'] as const };
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
    const c = new NuclearStationarityCriterion({ mode: 'all', smooth: 40, window: 60, every: 30, tests: ['mk'] });
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
    const options = { mode: 'all' as const, smooth: 20, window: 60, every: 20, tests: ['dejong' as const, 'mk' as const] };
    const dense = replay(new NuclearStationarityCriterion(options), every);
    const coarse = replay(new NuclearStationarityCriterion(options), sparse);
    expect(dense.drawn && coarse.drawn).toBe(true);
    expect(Math.abs((dense as { step: number }).step - (coarse as { step: number }).step)).toBeLessThanOrEqual(40);
  });

  test('a window holding fewer than 3 points is not tested', () => {
    // points every 10 steps: a 25-step window holds at most 3 of them, a 15-step one at most 2
    const tested = (window: number) => {
      const c = new NuclearStationarityCriterion({ mode: 'all', smooth: 1, window, every: 10, tests: ['mk'] });
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
    for (const options of [
      { mode: 'all' as const, smooth: 50, window: 200, every: 50, tests: ['dejong' as const, 'mk' as const] },
      { mode: 'calibrated' as const, smooth: 50, window: 200, every: 50 },
    ]) {
      const unbroken = new NuclearStationarityCriterion(options);
      const verdict = replay(unbroken, points);
      const first = new NuclearStationarityCriterion(options);
      points.slice(0, 37).forEach((p) => first.observe(p));
      const second = new NuclearStationarityCriterion(options);
      second.restoreState(JSON.parse(JSON.stringify(first.saveState())));
      expect(replay(second, points.slice(37))).toEqual(verdict);
      expect(second.details()).toEqual(unbroken.details());
    }
    const md = new MaskDistanceCriterion({ queue: 3, epsilon: 0.05 });
    const mdUnbroken = replay(new MaskDistanceCriterion({ queue: 3, epsilon: 0.05 }), points);
    points.slice(0, 37).forEach((p) => md.observe(p));
    const md2 = new MaskDistanceCriterion({ queue: 3, epsilon: 0.05 });
    md2.restoreState(JSON.parse(JSON.stringify(md.saveState())));
    expect(replay(md2, points.slice(37))).toEqual(mdUnbroken);
  });

  test('a flat window counts as stationary without testing; a trend fails dejong and mk', () => {
    const flat = testWindow(new Float64Array(50).fill(3), { ...ALL, tests: ['dejong', 'mk', 'adf'] });
    expect(flat).toMatchObject({ pass: true, flat: true });
    const trend = testWindow(
      Float64Array.from({ length: 50 }, (_, i) => i + Math.sin(i)),
      { ...ALL, tests: ['dejong', 'mk'] },
    );
    expect(trend.pass).toBe(false);
    expect(trend.pvalues.mk).toBeLessThan(0.2);
  });

  test('signal trajectories: each coefficient tested, drawn when the share passes', () => {
    // Mann-Kendall is scale-free: a trajectory still converging by 1e-5 per step is a "trend". A flatness
    // tolerance relative to the level is what lets converged coefficients count as settled.
    const strict = replay(
      new NuclearStationarityCriterion({ mode: 'all', signal: 'trajectories', smooth: 30, window: 100, every: 50, tests: ['mk'], share: 0.9 }),
      decaying(150),
    );
    expect(strict.drawn).toBe(false);
    const tolerant = replay(
      new NuclearStationarityCriterion({ mode: 'all', signal: 'trajectories', smooth: 30, window: 100, every: 50, tests: ['mk'], share: 0.9, flatTol: 1e-3 }),
      decaying(150),
    );
    expect(tolerant.drawn).toBe(true);
    expect((tolerant as { step: number }).step).toBeGreaterThan(400);
  });
});

describe('NuclearStationarityCriterion modes', () => {
  /**
   * Two layers of three heads, one head pruned globally: head 0 of layer 0 or of layer 1 is the smallest. The two
   * masks are a row permutation of each other, so their nuclear norms are equal; the FFN never changes.
   */
  function swapping(n: number, settleAt: number, halfPeriod: number): Point[] {
    return Array.from({ length: n }, (_, t) => {
      const layer = t < settleAt ? Math.floor(t / halfPeriod) % 2 : 1;
      const heads = [0, 1].map((l) => [l === layer ? 0.1 : 0.9, 1, 1.1]);
      return { step: t, epoch: 0, heads, ffn: [[1, 2, 3, 4]] };
    });
  }
  const masks = { ratioHeads: 1 / 6, scopeHeads: 'global' as const, ratioFfn: 0.25 };

  test('a mask that swaps at equal nuclear norm: mode all reads a flat signal as settled, calibrated waits until the swaps stop', () => {
    // the swaps stop at step 270 on layer 1's head: the first window that starts after them ends at 300
    const points = swapping(400, 270, 30);
    const windows = { smooth: 10, window: 30, every: 10 };
    const all = replay(new NuclearStationarityCriterion({ ...masks, ...windows, mode: 'all' }), points);
    // the norm never moves: the first window (smoothed from step 9, spanning 30 steps at 38) is flat
    expect(all).toEqual({ drawn: true, step: 40, epoch: 0 });
    const calibrated = new NuclearStationarityCriterion({ ...masks, ...windows });
    expect(replay(calibrated, points)).toEqual({ drawn: true, step: 300, epoch: 0 });
    // every earlier window saw the head mask 2/6 away from the window's first
    const tests = (calibrated.details() as { tests: Array<{ step: number; motion: { head: number }; pass: boolean }> }).tests;
    expect(tests.filter((t) => t.step < 300).every((t) => !t.pass && Math.abs(t.motion.head - 1 / 3) < 1e-12)).toBe(true);
  });

  test('kinds: watching the FFN alone ignores the head swaps', () => {
    const points = swapping(400, 300, 30);
    const ffnOnly = replay(new NuclearStationarityCriterion({ ...masks, smooth: 10, window: 30, every: 10, kinds: ['ffn'] }), points);
    expect(ffnOnly).toEqual({ drawn: true, step: 40, epoch: 0 });
  });

  test('calibrated: a slow drift of the norm above the tolerance is not settled, the same drift below it is', () => {
    // the FFN's coefficients drift so that one neuron after another drops below the pruned share
    const drifting = (perStep: number) =>
      Array.from({ length: 600 }, (_, t) => ({ step: t, epoch: 0, heads: [[1, 2, 3]], ffn: [[1 + perStep * t, 1.5, 2, 2.5]] }));
    const o = { smooth: 10, window: 100, every: 25, ratioHeads: 0, ratioFfn: 0, signal: 'coefficients' as const };
    // the nuclear norm of |C| for one row is its Euclidean norm, 3.67 at t = 0: a drift of 2e-4 per step moves it
    // by at most 0.15% per 100-step window, one of 1e-2 by 7% to 14%, against 2% tolerated
    expect(replay(new NuclearStationarityCriterion({ ...o }), drifting(0.0002)).drawn).toBe(true);
    expect(replay(new NuclearStationarityCriterion({ ...o }), drifting(0.01)).drawn).toBe(false);
    expect(replay(new NuclearStationarityCriterion({ ...o, tolerance: 0.5 }), drifting(0.01)).drawn).toBe(true);
  });

  test("testWindow: 'any' holds when one rule holds, and errorsHold reads a failed test as holding (the seed's reading)", () => {
    const trend = Float64Array.from({ length: 60 }, (_, i) => i + 3 * Math.sin(i));
    const rule = { ...ALL, tests: ['mk', 'adf'] as const };
    const mk = testWindow(trend, { ...rule, tests: ['mk'] });
    expect(mk.pass).toBe(false);
    // ADF on a trend around noise: p decides it; 'any' passes iff one of the two does
    const both = testWindow(trend, rule);
    const any = testWindow(trend, { ...rule, combine: 'any' });
    expect(any.pass).toBe(both.pvalues.adf! < 0.05 || both.pvalues.mk! > 0.2);
    // two distinct values: ADF's lag search runs out of degrees of freedom and throws
    const tiny = Float64Array.from([1, 2, 1]);
    expect(testWindow(tiny, { ...rule, tests: ['adf'] }).errors.adf).toBeDefined();
    expect(testWindow(tiny, { ...rule, tests: ['adf'] }).pass).toBe(false);
    expect(testWindow(tiny, { ...rule, tests: ['adf'], errorsHold: true }).pass).toBe(true);
  });

  test('bad options name the flag', () => {
    expect(() => new NuclearStationarityCriterion({ mode: 'bogus' as never })).toThrow(CriterionOptionsError);
    expect(() => new NuclearStationarityCriterion({ mode: 'bogus' as never })).toThrow(/--mode.*calibrated, all, seed.*'bogus'/);
    expect(() => new NuclearStationarityCriterion({ tolerance: 0 })).toThrow(/--tolerance/);
    expect(() => new NuclearStationarityCriterion({ maskDelta: 2 })).toThrow(/--mask-delta/);
    expect(() => new NuclearStationarityCriterion({ kinds: [] })).toThrow(/--kinds/);
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

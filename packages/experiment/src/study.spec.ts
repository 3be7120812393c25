import { resolveMaskOptions } from '@ebt/eb-criteria';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { planSeedCells, randomCoefficients, SeedDraw, SeedRun, seedDraws, shuffledCoefficients, slotsPerSeed } from './study-plan';
import { baselineDraws, matchedQueue } from './study-baselines';
import type { CriterionVerdict, StudyRow } from './study-types';
import { criterionVerdict, ratioVerdict } from './study-verdicts';
import { criterionStatistics, vsLatestGrid } from './study-statistics';
import { cellMasks, gridPoint } from './sweep';
import { ratioKey } from './ratios';
import { meanSd } from './index';

// one layer, 4 heads and 8 FFN neurons; the order of the coefficients settles at step 30 and stays
const settled = { heads: [[4, 3, 2, 1]], ffn: [[8, 7, 6, 5, 4, 3, 2, 1]] };
const early = { heads: [[1, 2, 3, 4]], ffn: [[1, 2, 3, 4, 5, 6, 7, 8]] };
const points = [0, 10, 20, 30, 40, 60, 80, 100].map((step) => ({ step, epoch: Math.floor(step / 50), ...(step < 30 ? early : settled) }));
const options = resolveMaskOptions({ ratioHeads: 0.5, ratioFfn: 0.5 });

const half = { heads: 0.5, ffn: 0.5 };
/** Criterion `criterion`'s draw at `point` (null: it never drew), watched at `ratio`. */
const drawAt = (criterion: string, point: SeedDraw['point'], ratio = half, maskOptions = options): SeedDraw => ({ criterion, ratio, point, maskOptions });

function seedRun(draws: SeedDraw[]): SeedRun {
  return {
    seed: 7,
    dir: '/study/seed-7',
    run: { options: { epochs: 2 } } as never,
    totalSteps: 100,
    points: points as never,
    draws: Object.fromEntries(draws.map((d) => [`${d.criterion}@${d.ratio.heads}:${d.ratio.ffn}`, d])),
  };
}

const row = (kind: StudyRow['kind'], step: number | null, score: number, extra: Partial<StudyRow> = {}): StudyRow => ({
  seed: 7,
  kind,
  criterion: kind === 'draw' ? 'a' : null,
  step,
  fraction: step === null ? null : step / 100,
  ratioHeads: 0.5,
  ratioFfn: 0.5,
  metric: 'accuracy',
  score,
  parameters: 100,
  flops: 1000,
  seconds: 10,
  ...extra,
});

// the dense run's clock: 20 s at step 50, 40 s at step 100, 45 s with the last evaluation
const clock = {
  points: [
    { step: 50, seconds: 20 },
    { step: 100, seconds: 40 },
  ],
  totalSeconds: 45,
};
const ratios = [{ heads: 0.5, ffn: 0.5 }];

describe("the study's verdicts", () => {
  test('a draw on the settled mask: compute and wall clock saved, by hand; no false positive within a point of the latest grid ticket', () => {
    const rows = [row('dense', null, 0.9), row('grid', 20, 0.86), row('grid', 80, 0.88), row('draw', 30, 0.875)];
    const v = criterionVerdict(seedRun([drawAt('a', points[3])]), 'a@0.5:0.5', rows, clock);
    expect(v.draw).toEqual({ step: 30, fraction: 0.3 });
    expect(v.computeSaved).toBeCloseTo(0.7, 12);
    expect(v.maskDistanceToFinal).toEqual({ heads: 0, ffn: 0 });
    // 12 s to step 30 (linear in 0..50: 20 s), then the ticket's 10 s: 22 s of the dense run's 45
    expect(v.wallClock).toEqual({
      denseSeconds: 45,
      toDrawSeconds: 12,
      byRatio: { '0.5:0.5': { ticketSeconds: 10, ebTrainSeconds: 22, secondsSaved: 23, fractionSaved: 23 / 45 } },
    });
    expect(v.falsePositive).toEqual({ mask: false, score: false, any: false });
    expect(v.byRatio['0.5:0.5'].latestGrid).toBe(0.88); // step 80's, not step 20's
    expect(v.byRatio['0.5:0.5'].gapToDensePoints).toBeCloseTo(2.5, 10);
  });

  test('a draw before the mask settled is a false positive by mask; 1.5 points below the latest grid ticket, by score', () => {
    const rows = [row('dense', null, 0.9), row('grid', 80, 0.88), row('draw', 10, 0.865)];
    const v = criterionVerdict(seedRun([drawAt('a', points[1])]), 'a@0.5:0.5', rows, clock);
    expect(v.maskDistanceToFinal).toEqual({ heads: 1, ffn: 1 }); // every kept structure swapped
    expect(v.falsePositive).toEqual({ mask: true, score: true, any: true });
  });

  test('F1 is already in percent: 0.5 points below the latest grid ticket is within tolerance', () => {
    const f1 = { metric: 'f1' as const };
    const r = ratioVerdict({ draw: row('draw', 30, 80.5, f1), latestGrid: row('grid', 80, 81, f1), dense: row('dense', null, 82, f1) }, 12, 45);
    expect(r.scoreFalsePositive).toBe(false);
    expect(r.scores.gapToDensePoints).toBeCloseTo(1.5, 12);
    expect(ratioVerdict({ draw: row('draw', 30, 79.5, f1), latestGrid: row('grid', 80, 81, f1) }, 12, 45).scoreFalsePositive).toBe(true);
  });

  test('a criterion that never drew has no verdict but its rows of nulls', () => {
    const v = criterionVerdict(seedRun([drawAt('a', null)]), 'a@0.5:0.5', [row('dense', null, 0.9)], clock);
    expect(v).toEqual({
      seed: 7,
      draw: null,
      computeSaved: null,
      wallClock: null,
      maskDistanceToFinal: null,
      falsePositive: null,
      byRatio: { '0.5:0.5': { score: null, latestGrid: null, gapToDensePoints: null } },
    });
  });

  test('a seed whose run did not learn: its draw is left out, saying why, and counts neither as a draw nor as never drawn', () => {
    const rows = [row('dense', null, 0.12), row('grid', 80, 0.11), row('draw', 30, 0.1)];
    const s = {
      ...seedRun([drawAt('a', points[3])]),
      learning: { learned: false, reasons: ['the training loss rose from 2.3 (epoch 1) to 1.00e+5 (epoch 3)'] },
    };
    const v = criterionVerdict(s, 'a@0.5:0.5', rows, clock);
    expect(v).toMatchObject({
      seed: 7,
      draw: null,
      falsePositive: null,
      excluded: 'the run did not learn: the training loss rose from 2.3 (epoch 1) to 1.00e+5 (epoch 3)',
    });
    // the same seed with a run that learned is judged as usual
    expect(criterionVerdict({ ...s, learning: { learned: true, reasons: [] } }, 'a@0.5:0.5', rows, clock).draw).toEqual({ step: 30, fraction: 0.3 });
  });

  test('meanSd: sample standard deviation over the values present', () => {
    expect(meanSd([1, 2, null, 3])).toEqual({ mean: 2, sd: 1, n: 3 });
    expect(meanSd([null])).toEqual({ mean: null, sd: null, n: 0 });
  });
});

test("a seed's cells: dense, each fraction x ratio, the controls (random, shuffle) x ratio, each draw x ratio, a draw on a grid point retrained once", () => {
  const s = seedRun([drawAt('a', points[6]), drawAt('b', points[3])]); // a draws at step 80, which is also fraction 0.8's point
  const { cells, rows } = planSeedCells('/study', s, { kind: 'k', fractions: [0.3, 0.8], ratios, retrainEpochs: 2 });
  expect(rows.map((r) => [r.kind, r.criterion, r.step])).toEqual([
    ['dense', null, null],
    ['grid', null, 30],
    ['grid', null, 80],
    ['random', null, null],
    ['shuffle', null, null],
    ['draw', 'a', 80],
    ['draw', 'b', 30],
  ]);
  expect(cells.map((c) => c.file)).toEqual([
    '/study/cells/seed7-dense-e2.json',
    '/study/cells/seed7-step30-r0.5_0.5-e2.json',
    '/study/cells/seed7-step80-r0.5_0.5-e2.json',
    '/study/cells/seed7-random-r0.5_0.5-e2.json',
    '/study/cells/seed7-shuffle-r0.5_0.5-e2.json',
  ]);
  expect(rows[5].file).toBe(cells[2].file);
});

test("the pilot's gate-only plan: dense, the earliest fraction after 0 and the latest at the largest pair, the random mask; no draw, no shuffle", () => {
  const s = seedRun([drawAt('a', points[6]), drawAt('b', points[3])]);
  const quarter = { heads: 0.25, ffn: 0.25 };
  const o = { kind: 'k', fractions: [0, 0.3, 0.5, 0.8], ratios: [quarter, half], retrainEpochs: 2, gateOnly: true };
  const { cells, rows } = planSeedCells('/study', s, o);
  expect(rows.map((r) => [r.kind, r.criterion, r.step, r.ratio && ratioKey(r.ratio)])).toEqual([
    ['dense', null, null, null],
    ['grid', null, 30, '0.5:0.5'],
    ['grid', null, 80, '0.5:0.5'],
    ['random', null, null, '0.5:0.5'],
  ]);
  expect(cells).toHaveLength(slotsPerSeed(o));
  // the full plan's cells at the same points are these very files: a pilot and a study share nothing else
  const full = planSeedCells('/study', s, { ...o, gateOnly: false }).cells.map((c) => c.file);
  expect(full).toEqual(expect.arrayContaining(cells.map((c) => c.file)));
});

describe('the random-mask control', () => {
  // two layers of 4 heads, 2 x 6 FFN neurons, as the final point's shapes
  const like = { heads: [new Float32Array(4), new Float32Array(4)], ffn: [new Float32Array(6), new Float32Array(6)] };

  test('is the same for a seed and ratio on every call, and differs between seeds', () => {
    expect(randomCoefficients(like, 3, half)).toEqual(randomCoefficients(like, 3, half));
    expect(randomCoefficients(like, 4, half)).not.toEqual(randomCoefficients(like, 3, half));
    expect(randomCoefficients(like, 3, { heads: 0.25, ffn: 0.25 })).not.toEqual(randomCoefficients(like, 3, half));
  });

  test("prunes as many heads per layer and FFN neurons in all as the ratio's ticket, at places that vary with the seed", () => {
    const kept = (m: Uint8Array[]) => m.map((x) => x.reduce((a, b) => a + b, 0));
    const cellOf = (seed: number) => {
      const c = randomCoefficients(like, seed, half);
      return cellMasks({ kind: 'k', runDir: '', at: 0, step: null, ratioHeads: 0.5, ratioFfn: 0.5, retrainEpochs: 1, file: '', ...c })!;
    };
    const masks = [1, 2, 3, 4, 5, 6].map(cellOf);
    for (const m of masks) {
      expect(kept(m.heads)).toEqual([2, 2]);
      expect(kept(m.ffn).reduce((a, b) => a + b)).toBe(6);
    }
    // six seeds do not all keep the same heads of layer 0
    expect(new Set(masks.map((m) => Array.from(m.heads[0]).join(''))).size).toBeGreaterThan(1);
  });
});

test('grid points: a fraction above 0 never lands on step 0 (the tie-break mask); fraction 0 is step 0 itself', () => {
  // 0.4% of 1,000 steps is nearer step 0 than step 10, but step 0's coefficients have not moved
  const at = (f: number) => gridPoint(points, f, 1000).step;
  expect([at(0), at(0.004), at(0.01), at(0.05)]).toEqual([0, 10, 10, 40]);
  const { rows } = planSeedCells('/study', seedRun([]), { kind: 'k', fractions: [0, 0.005], ratios, retrainEpochs: 2 });
  expect(rows.filter((r) => r.kind === 'grid').map((r) => r.step)).toEqual([0, 10]);
});

describe('the layerwise shuffle', () => {
  // three layers: 4 heads each, FFN rows of 6, 3 and 9 neurons; distinct learned coefficients
  const learned = {
    heads: [
      [0.9, 0.1, 0.5, 0.7],
      [0.2, 0.3, 0.8, 0.4],
      [0.6, 0.05, 0.15, 0.95],
    ],
    ffn: [[0.11, 0.52, 0.33, 0.94, 0.25, 0.76], [0.47, 0.18, 0.69], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9].map((x) => x + 0.001)],
  };
  const kept = (m: Uint8Array[]) => m.map((x) => x.reduce((a, b) => a + b, 0));
  const masks = (c: { heads: number[][]; ffn: number[][] }, r: { heads: number; ffn: number }) =>
    cellMasks({ kind: 'k', runDir: '', at: 0, step: null, ratioHeads: r.heads, ratioFfn: r.ffn, retrainEpochs: 1, file: '', ...c })!;

  test("keeps the learned mask's widths in every layer (FFN pruned globally), with other units, varying with the seed", () => {
    for (const r of [half, { heads: 0.25, ffn: 0.7 }]) {
      const mine = masks(learned, r);
      const shuffled = [1, 2, 3, 4, 5].map((seed) => masks(shuffledCoefficients(learned, seed, r), r));
      for (const m of shuffled) {
        expect(kept(m.heads)).toEqual(kept(mine.heads));
        expect(kept(m.ffn)).toEqual(kept(mine.ffn));
      }
      const units = (m: { ffn: Uint8Array[] }) => m.ffn.map((x) => Array.from(x).join('')).join('|');
      expect(new Set(shuffled.map(units)).size).toBeGreaterThan(1);
    }
    expect(shuffledCoefficients(learned, 3, half)).toEqual(shuffledCoefficients(learned, 3, half));
  });
});

describe('the baselines, replayed on the trajectory', () => {
  const run = (window: number, recordEvery: number, queue?: number) =>
    ({
      options: {
        recordEvery,
        maskDistance: queue ? { queue } : {},
        nuclearStationarity: { windows: 'smoke', mode: 'calibrated', smooth: 10, window, every: 10, flatTol: 1e-3 },
      },
    }) as never;

  test("mask distance's queue spans the nuclear window: window / recordEvery + 1 masks", () => {
    expect(matchedQueue(run(300, 1))).toBe(301);
    expect(matchedQueue(run(30, 10))).toBe(4);
  });

  test('mask distance with the matched queue draws where a queue of that many settled masks first fills', () => {
    // masks settle at step 30 (points 30, 40, 60, 80, 100); a window of 30 steps at one point per 10 steps: 4 masks,
    // the fourth settled one is step 80's
    const draws = baselineDraws(run(30, 10), points as never, [half]);
    expect(draws['mask-distance:matched@0.5:0.5'].point!.step).toBe(80);
    expect(draws['mask-distance:matched@0.5:0.5'].criterion).toBe('mask-distance:matched');
    // the seed's reading of the nuclear norm is drawn too, beside it
    expect(Object.keys(draws)).toEqual(['mask-distance:matched@0.5:0.5', 'nuclear-stationarity:seed@0.5:0.5']);
    // a run whose queue already matched has no matched baseline: its own mask distance is that
    expect(Object.keys(baselineDraws(run(30, 10, 4), points as never, [half]))).toEqual(['nuclear-stationarity:seed@0.5:0.5']);
  });
});

describe("the study's statistics", () => {
  // scipy / statsmodels reference values of @ebt/intervals
  const { cases } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'intervals', 'test', 'fixtures', 'intervals-cases.json'), 'utf8'));
  const five = cases.t.find((c: { values: number[]; alpha: number }) => c.values.length === 5 && c.alpha === 0.05);
  const cp25 = cases.clopperPearson.find((c: Record<string, number>) => c.successes === 2 && c.trials === 5 && c.alpha === 0.05);
  const latest = [0.86, 0.87, 0.85, 0.88, 0.84];
  // five seeds that drew (their ticket = latest + five.values points) and one that never did
  const verdicts: CriterionVerdict[] = [
    ...latest.map((l, i) => ({
      seed: i + 1,
      draw: { step: 20 + 10 * i, fraction: (20 + 10 * i) / 100 },
      computeSaved: 1 - (20 + 10 * i) / 100,
      wallClock: null,
      maskDistanceToFinal: null,
      falsePositive: { mask: i < 2, score: i === 4, any: i < 2 || i === 4 },
      byRatio: { '0.5:0.5': { score: l + five.values[i] / 100, latestGrid: l, gapToDensePoints: null } },
    })),
    { seed: 6, draw: null, computeSaved: null, wallClock: null, maskDistanceToFinal: null, falsePositive: null, byRatio: {} },
  ];
  const seedRows = latest.flatMap((l, i) => [
    row('grid', 80, l, { seed: i + 1 }),
    row('grid', 40, l - 0.01 * (i + 1), { seed: i + 1 }),
    row('random', null, l - 0.05, { seed: i + 1 }),
  ]);

  test('false-positive rates over the draws judged, with Clopper-Pearson intervals; draw step, fraction and saving over seeds that drew', () => {
    const st = criterionStatistics(verdicts, seedRows, half);
    expect(st.falsePositiveRate.mask).toMatchObject({ count: 2, of: 5 });
    expect(st.falsePositiveRate.mask.interval!.lower).toBeCloseTo(cp25.lower, 10);
    expect(st.falsePositiveRate.mask.interval!.upper).toBeCloseTo(cp25.upper, 10);
    expect(st.falsePositiveRate.score).toMatchObject({ count: 1, of: 5 });
    expect(st.falsePositiveRate.any).toMatchObject({ count: 3, of: 5 });
    expect(st.drawStep).toEqual(meanSd([20, 30, 40, 50, 60]));
    expect(st.drawFraction.mean).toBeCloseTo(0.4, 12);
    expect(st.computeSaved.mean).toBeCloseTo(0.6, 12);
  });

  test("the ticket at the draw minus the latest grid ticket, paired by seed, in points: scipy's t interval of the differences", () => {
    const d = criterionStatistics(verdicts, seedRows, half).vsLatestGridPoints;
    expect(d.n).toBe(5);
    expect(d.mean).toBeCloseTo(five.estimate, 9);
    expect(d.t!.lower).toBeCloseTo(five.lower, 7);
    expect(d.t!.upper).toBeCloseTo(five.upper, 7);
    expect(d.bootstrap!.method).toBe('exact');
    // against the random mask of each seed, 5 points below its latest grid ticket
    const r = criterionStatistics(verdicts, seedRows, half).vsRandomPoints;
    expect(r.mean).toBeCloseTo(five.estimate + 5, 9);
  });

  test("a grid row against each seed's latest grid ticket; with no intervals for no draws", () => {
    const at40 = seedRows.filter((r) => r.kind === 'grid' && r.step === 40);
    const d = vsLatestGrid(at40, seedRows, half);
    expect(d.mean).toBeCloseTo(-3, 9); // -1, -2, ..., -5 points
    expect(d.sd).toBeCloseTo(Math.sqrt(2.5), 9);
    const none = criterionStatistics([verdicts[5]], seedRows, half);
    expect(none.falsePositiveRate.mask).toEqual({ count: 0, of: 0, interval: null });
    expect(none.vsLatestGridPoints).toEqual({ n: 0, mean: null, sd: null, t: null, bootstrap: null });
  });
});

describe('one criterion per ratio pair', () => {
  const quarter = { heads: 0.25, ffn: 0.25 };
  // at 0.25 (one head of 4 pruned), step 10's mask prunes head 0 and the final one head 3: a swap; so is 0.5's
  const quarterOptions = resolveMaskOptions({ ratioHeads: 0.25, ratioFfn: 0.25 });

  test("each draw is pruned at its own pair only, and judged by that pair's masks", () => {
    const s = seedRun([drawAt('a', points[3]), drawAt('a', points[1], quarter, quarterOptions)]);
    const { rows } = planSeedCells('/study', s, { kind: 'k', fractions: [0.8], ratios: [half, quarter], retrainEpochs: 2 });
    expect(rows.map((r) => [r.kind, r.criterion, r.step, r.ratio && `${r.ratio.heads}:${r.ratio.ffn}`])).toEqual([
      ['dense', null, null, null],
      ['grid', null, 80, '0.5:0.5'],
      ['grid', null, 80, '0.25:0.25'],
      ['random', null, null, '0.5:0.5'],
      ['random', null, null, '0.25:0.25'],
      ['shuffle', null, null, '0.5:0.5'],
      ['shuffle', null, null, '0.25:0.25'],
      ['draw', 'a', 30, '0.5:0.5'],
      ['draw', 'a', 10, '0.25:0.25'],
    ]);
    const studyRows = [
      row('dense', null, 0.9),
      row('grid', 80, 0.88),
      row('draw', 30, 0.88),
      row('grid', 80, 0.87, { ratioHeads: 0.25, ratioFfn: 0.25 }),
      row('draw', 10, 0.87, { ratioHeads: 0.25, ratioFfn: 0.25 }),
    ];
    const atHalf = criterionVerdict(s, 'a@0.5:0.5', studyRows, clock);
    const atQuarter = criterionVerdict(s, 'a@0.25:0.25', studyRows, clock);
    expect([atHalf.draw?.step, atHalf.falsePositive?.mask, Object.keys(atHalf.byRatio)]).toEqual([30, false, ['0.5:0.5']]);
    expect([atQuarter.draw?.step, atQuarter.falsePositive?.mask, Object.keys(atQuarter.byRatio)]).toEqual([10, true, ['0.25:0.25']]);
    expect(atQuarter.byRatio['0.25:0.25'].score).toBe(0.87);
  });

  test("detections.json's entries: each at its ratio; an entry of ebt before (no ratio) stands for every pair, judged by its own masks", () => {
    const at = { step: 30, epoch: 0, ...settled };
    const entry = (ratio: { heads: number; ffn: number } | null, details: { options: Record<string, number> }) => ({
      criterion: 'mask-distance' as const,
      ratio,
      drawnAt: at,
      coefficientsAtDraw: at,
      details,
    });
    const now = seedDraws(
      { criteria: [entry(half, { options: { ratioHeads: 0.5, ratioFfn: 0.5 } }), entry(quarter, { options: { ratioHeads: 0.25, ratioFfn: 0.25 } })] },
      [half],
    );
    expect(Object.keys(now)).toEqual(['mask-distance@0.5:0.5']); // the study's pairs only
    const before = seedDraws({ criteria: [entry(null, { options: { ratioHeads: 1 / 3, ratioFfn: 0.4 } })] }, [half, quarter]);
    expect(Object.keys(before)).toEqual(['mask-distance@0.5:0.5', 'mask-distance@0.25:0.25']);
    expect(before['mask-distance@0.25:0.25'].maskOptions).toMatchObject({ ratioHeads: 1 / 3, ratioFfn: 0.4 });
  });
});

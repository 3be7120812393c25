import * as fs from 'node:fs';
import * as path from 'node:path';
import { studyEndpoints } from './study-endpoints';
import type { StudyRow, StudySummary } from './study-types';

// scipy / statsmodels reference p-values of @ebt/intervals (make-tests.py)
const { cases } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'intervals', 'test', 'fixtures', 'tests-cases.json'), 'utf8'));
const sample: number[] = [1.2, 0.4, -0.3, 2.1, 0.9];
const scipyP = (popmean: number) =>
  cases.t.find(
    (c: { values: number[]; popmean: number; alternative: string }) =>
      c.values.join() === sample.join() && c.popmean === popmean && c.alternative === 'greater',
  ).p;

const half = { heads: 0.5, ffn: 0.5 };
const seeds = [1, 2, 3, 4, 5];
const row = (seed: number, kind: StudyRow['kind'], step: number | null, score: number, criterion: string | null = null): StudyRow => ({
  seed,
  kind,
  criterion,
  step,
  fraction: step === null ? null : step / 1000,
  ratioHeads: kind === 'dense' ? 0 : 0.5,
  ratioFfn: kind === 'dense' ? 0 : 0.5,
  metric: 'accuracy',
  score,
  parameters: 1,
  flops: 1,
  seconds: 1,
});

/** Five seeds: the late ticket at 90%; the other cells `points` points away from it, per seed. */
function rowsWith(o: { random: number[]; earliest: number[]; draw: number[]; baseline: number[]; middle?: number[] }): StudyRow[] {
  return seeds.flatMap((seed, i) => [
    row(seed, 'dense', null, 0.92),
    row(seed, 'grid', 5, 0.9 + o.earliest[i] / 100),
    row(seed, 'grid', 100, 0.9 + (o.middle ?? o.earliest)[i] / 100),
    row(seed, 'grid', 800, 0.9),
    row(seed, 'random', null, 0.9 + o.random[i] / 100),
    row(seed, 'shuffle', null, 0.9 + o.random[i] / 100),
    row(seed, 'draw', 200 + 10 * i, 0.9 + o.draw[i] / 100, 'nuclear-stationarity'),
    row(seed, 'draw', 50, 0.9 + o.baseline[i] / 100, 'mask-distance:matched'),
  ]);
}

const verdicts = (falsePositives: boolean[]) => ({
  verdicts: falsePositives.map((any, i) => ({ seed: seeds[i], falsePositive: { mask: any, score: false, any } })),
});
const criteria = (mine: boolean[], theirs: boolean[]) =>
  ({ 'nuclear-stationarity@0.5:0.5': verdicts(mine), 'mask-distance:matched@0.5:0.5': verdicts(theirs) }) as unknown as StudySummary['criteria'];
const none = [false, false, false, false, false];

describe('the endpoints', () => {
  test("E0a is scipy's one-sided t test of late minus random, Holm-adjusted over the family; when E0 fails no criterion is judged", () => {
    // late minus random = the sample; every other difference is large, so E0a's p is the family's largest
    const rows = rowsWith({ random: sample.map((d) => -d), earliest: [-9, -8, -10, -9, -11], draw: [3, 4, 3, 5, 4], baseline: [-6, -7, -5, -6, -8] });
    const e = studyEndpoints(rows, criteria(none, none), [half]).byRatio['0.5:0.5'];
    const [e0a, e0b, e1, e2, e3] = e.endpoints;
    expect(e0a.p).toBeCloseTo(scipyP(0), 10);
    expect(e0a.difference!.mean).toBeCloseTo(0.86, 10);
    // Holm: the largest of five p-values, the others far smaller, is multiplied by 1
    expect(e0a.adjustedP).toBeCloseTo(scipyP(0), 10);
    expect([e0a.holds, e0b.holds]).toEqual([true, true]);
    expect(e.seesMasks).toBe(true);
    // no discordant false positives: E3 cannot be tested
    expect([e3.p, e3.holds, e3.discordant]).toEqual([null, false, { b: 0, c: 0 }]);
    expect([e1.holds, e2.holds]).toEqual([true, true]);

    // the same differences against the earliest grid ticket too: now two p-values of 0.049 in a family of five
    const weak = studyEndpoints(
      rowsWith({ random: sample.map((d) => -d), earliest: sample.map((d) => -d), draw: [3, 4, 3, 5, 4], baseline: [-6, -7, -5, -6, -8] }),
      criteria(none, none),
      [half],
    ).byRatio['0.5:0.5'];
    expect(weak.endpoints[0].adjustedP).toBeCloseTo(Math.min(1, 2 * scipyP(0)), 10);
    expect(weak.seesMasks).toBe(false);
    expect(weak.endpoints.slice(2).map((x) => x.holds)).toEqual([null, null, null]);
    expect(weak.verdict).toBe('this setting cannot tell masks apart: no verdict on the criteria (E0 fails)');
  });

  test("E1 is non-inferiority at 1 point: scipy's t test of draw minus late against -1", () => {
    // draw minus late = sample - 1.5: above -1 point exactly when the sample is above 0.5
    const rows = rowsWith({
      random: [-9, -8, -10, -9, -11],
      earliest: [-9, -8, -10, -9, -11],
      draw: sample.map((d) => d - 0.5 - 1),
      baseline: [-6, -7, -5, -6, -8],
    });
    const e1 = studyEndpoints(rows, criteria(none, none), [half]).byRatio['0.5:0.5'].endpoints[2];
    // t of (x - 1.5) against -1 is t of x against 0.5; scipy's p of the sample against 0 shifted: check against the definition
    const shifted = sample.map((d) => d - 1.5);
    expect(e1.difference!.mean).toBeCloseTo(shifted.reduce((a, b) => a + b) / 5, 10);
    expect(e1.p).toBeGreaterThan(0.05);
    expect(e1.holds).toBe(false);
  });

  test('E3 is the exact McNemar test over the seeds where both drew; E4 finds the earliest grid point as good as late', () => {
    const rows = rowsWith({
      random: [-9, -8, -10, -9, -11],
      earliest: [-9, -8, -10, -9, -11],
      middle: [-0.2, 0.1, -0.3, 0, -0.1],
      draw: [0, 0, 0, 0, 0],
      baseline: [0, 0, 0, 0, 0],
    });
    const e = studyEndpoints(rows, criteria(none, [true, true, true, true, false]), [half]).byRatio['0.5:0.5'];
    // b = 0 of n = 4 discordant seeds: P[X <= 0] = 1/16
    expect(e.endpoints[4].discordant).toEqual({ b: 0, c: 4 });
    expect(e.endpoints[4].p).toBeCloseTo(1 / 16, 12);
    // step 100 (10% of training) is within a point of late; the draws at steps 200..240 come 12 points of training later
    expect(e.howEarly.earliestEquivalentFraction).toBeCloseTo(0.1, 12);
    expect(e.howEarly.drawMinusEarliestPercent!.mean).toBeCloseTo(12, 10);
    expect(e.verdict).toMatch(/^E1 holds; E2 fails; E3 fails; E4 the draw comes 12.0 points of training after the earliest equivalent grid point$/);
  });
});

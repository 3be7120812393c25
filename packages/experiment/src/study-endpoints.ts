/**
 * The endpoints a study declares before its data (docs/study.md "Endpoints"), at each ratio pair, for the default
 * criterion's draw against the fair mask-distance baseline; differences in points, paired by seed:
 * - E0 the assay can see a mask: the late ticket (latest grid fraction) minus the random mask (E0a), and minus
 *   the earliest grid ticket (E0b), both above 0;
 * - E1 as good as late: the draw's ticket minus the late ticket, above -1 point (non-inferiority);
 * - E2 better than mask distance: the draw's ticket minus the baseline's draw's ticket, above 0;
 * - E3 fewer false positives than mask distance: exact McNemar over the seeds where both drew;
 * - E4 how early (described, not tested): the draw's share of training minus the earliest grid fraction whose
 *   ticket is as good as late (E1's test on that grid point).
 * E0a-E3 are one-sided tests at alpha 0.05, Holm-corrected as one family at each ratio (those with too few seeds
 * to test are left out of it and hold for no one). When E0 fails the study
 * says the setting cannot tell masks apart and judges no criterion.
 */
import { DEFAULT_CRITERION, MASK_DISTANCE } from '@ebt/eb-criteria';
import { holm, mcnemarExact, pairedDifference, tTest } from '@ebt/intervals';
import { RatioPair, ratioKey } from './ratios';
import { pointsPerUnit, seedRow } from './study-statistics';
import { MATCHED_MASK_DISTANCE } from './study-baselines';
import type { Endpoint, RatioEndpoints, StudyEndpoints, StudyRow, StudySummary } from './study-types';

export const ENDPOINT_ALPHA = 0.05;
/** E1's and E4's margin: a ticket within 1 point of the late ticket is as good as late */
export const EQUIVALENCE_MARGIN_POINTS = 1;
/** the pilot gate: E0's differences at the largest ratio must reach this many points (docs/study.md "Pilot") */
export const PILOT_GATE_POINTS = 2;

type Criteria = StudySummary['criteria'];

export function studyEndpoints(rows: StudyRow[], criteria: Criteria, ratios: RatioPair[]): StudyEndpoints {
  return {
    alpha: ENDPOINT_ALPHA,
    marginPoints: EQUIVALENCE_MARGIN_POINTS,
    byRatio: Object.fromEntries(ratios.map((r) => [ratioKey(r), ratioEndpoints(rows, criteria, r)])),
  };
}

/** The baseline E2 and E3 compare with: the matched mask distance, or the run's own where its queue already matched. */
export const baselineOf = (criteria: Criteria, r: RatioPair) => (criteria[`${MATCHED_MASK_DISTANCE}@${ratioKey(r)}`] ? MATCHED_MASK_DISTANCE : MASK_DISTANCE);

function ratioEndpoints(rows: StudyRow[], criteria: Criteria, r: RatioPair): RatioEndpoints {
  const perUnit = pointsPerUnit(rows[0]?.metric ?? 'accuracy');
  const baseline = baselineOf(criteria, r);
  const seeds = [...new Set(rows.filter((x) => x.kind === 'dense').map((x) => x.seed))];
  const of = (seed: number, pick: (x: StudyRow) => boolean) => rows.find((x) => x.seed === seed && ratioKey(x) === ratioKey(r) && pick(x));
  // each seed's grid tickets at this pair by step, gathered once: every endpoint and E4's search read them
  const grids = new Map(
    seeds.map((seed) => [seed, rows.filter((x) => x.seed === seed && x.kind === 'grid' && ratioKey(x) === ratioKey(r)).sort((a, b) => a.step! - b.step!)]),
  );
  const gridOf = (seed: number) => grids.get(seed)!;
  const earliest = (seed: number) => gridOf(seed).find((x) => x.step! > 0) ?? gridOf(seed)[0];
  const late = (seed: number) => seedRow(rows, seed, r, 'grid');
  const drawOf = (name: string) => (seed: number) => of(seed, (x) => x.kind === 'draw' && x.criterion === name);
  const diff = (a: (s: number) => StudyRow | undefined, b: (s: number) => StudyRow | undefined) => {
    const both = seeds.filter((s) => a(s)?.score != null && b(s)?.score != null);
    const [x, y] = [both.map((s) => perUnit * a(s)!.score!), both.map((s) => perUnit * b(s)!.score!)];
    return { values: x.map((v, i) => v - y[i]), difference: pairedDifference(x, y) };
  };
  const above = (d: { values: number[] }, bound: number) => (d.values.length >= 2 ? tTest(d.values, { popmean: bound, alternative: 'greater' }) : null);
  const e0a = diff(late, (s) => seedRow(rows, s, r, 'random'));
  const e0b = diff(late, earliest);
  const e1 = diff(drawOf(DEFAULT_CRITERION), late);
  const e2 = diff(drawOf(DEFAULT_CRITERION), drawOf(baseline));
  const fp = falsePositivePairs(criteria, `${DEFAULT_CRITERION}@${ratioKey(r)}`, `${baseline}@${ratioKey(r)}`);
  const tests: Array<Omit<Endpoint, 'adjustedP' | 'holds'>> = [
    { id: 'E0a', claim: 'the late ticket beats a random mask of its size', difference: e0a.difference, discordant: null, p: above(e0a, 0) },
    { id: 'E0b', claim: 'the late ticket beats the earliest grid ticket', difference: e0b.difference, discordant: null, p: above(e0b, 0) },
    {
      id: 'E1',
      claim: `the draw's ticket is as good as the late ticket (within ${EQUIVALENCE_MARGIN_POINTS} point)`,
      difference: e1.difference,
      discordant: null,
      p: above(e1, -EQUIVALENCE_MARGIN_POINTS),
    },
    { id: 'E2', claim: `the draw's ticket beats ${baseline}'s`, difference: e2.difference, discordant: null, p: above(e2, 0) },
    {
      id: 'E3',
      claim: `fewer false positives than ${baseline}`,
      difference: null,
      discordant: fp,
      p: fp && fp.b + fp.c > 0 ? mcnemarExact(fp.b, fp.c, { alternative: 'less' }) : null,
    },
  ];
  // the family is the endpoints that could be tested (an endpoint without a p-value holds for no one)
  const tested = tests.flatMap((t, i) => (t.p === null ? [] : [i]));
  const family = holm(
    tested.map((i) => tests[i].p!),
    { alpha: ENDPOINT_ALPHA },
  );
  const adjusted = (i: number) => (tested.includes(i) ? family.adjusted[tested.indexOf(i)] : null);
  const reject = (i: number) => tested.includes(i) && family.reject[tested.indexOf(i)];
  const seesMasks = reject(0) && reject(1);
  const endpoints = tests.map((t, i) => ({ ...t, adjustedP: adjusted(i), holds: i < 2 || seesMasks ? reject(i) : null }));
  const howEarly = earliestEquivalent(seeds, gridOf, late, drawOf(DEFAULT_CRITERION), perUnit);
  return { ratio: r, criterion: DEFAULT_CRITERION, baseline, seesMasks, endpoints, howEarly, verdict: verdictLine(seesMasks, endpoints, howEarly) };
}

/** b: seeds where only the criterion's draw was a false positive; c: only the baseline's; over the seeds where both drew. */
function falsePositivePairs(criteria: Criteria, mine: string, theirs: string): { b: number; c: number } | null {
  const [a, b] = [criteria[mine], criteria[theirs]];
  if (!a || !b) return null;
  const fp = new Map(b.verdicts.filter((v) => v.falsePositive).map((v) => [v.seed, v.falsePositive!.any]));
  const both = a.verdicts.filter((v) => v.falsePositive && fp.has(v.seed));
  return { b: both.filter((v) => v.falsePositive!.any && !fp.get(v.seed)).length, c: both.filter((v) => !v.falsePositive!.any && fp.get(v.seed)).length };
}

/** E4: the earliest grid rank whose tickets are within the margin of late, and each seed's draw fraction minus its fraction. */
function earliestEquivalent(
  seeds: number[],
  gridOf: (seed: number) => StudyRow[],
  late: (seed: number) => StudyRow | undefined,
  draw: (seed: number) => StudyRow | undefined,
  perUnit: number,
): RatioEndpoints['howEarly'] {
  const ranks = Math.max(0, ...seeds.map((s) => gridOf(s).length));
  for (let k = 0; k < ranks; k++) {
    const both = seeds.filter((s) => gridOf(s)[k]?.score != null && late(s)?.score != null);
    if (both.length < 2) continue;
    const d = both.map((s) => perUnit * (gridOf(s)[k].score! - late(s)!.score!));
    if (tTest(d, { popmean: -EQUIVALENCE_MARGIN_POINTS, alternative: 'greater' }) >= ENDPOINT_ALPHA) continue;
    const drew = both.filter((s) => draw(s)?.fraction != null);
    const fraction = both.reduce((sum, s) => sum + gridOf(s)[k].fraction!, 0) / both.length;
    return {
      earliestEquivalentFraction: fraction,
      drawMinusEarliestPercent: pairedDifference(
        drew.map((s) => 100 * draw(s)!.fraction!),
        drew.map((s) => 100 * gridOf(s)[k].fraction!),
      ),
    };
  }
  return { earliestEquivalentFraction: null, drawMinusEarliestPercent: null };
}

/** What an endpoint came to, in the words of the verdict line and the study page. */
export function endpointResult(e: Pick<Endpoint, 'holds' | 'p'>): string {
  if (e.holds === null) return 'not judged (E0 fails)';
  return e.holds ? 'holds' : e.p === null ? 'cannot be told (too few seeds)' : 'fails';
}

function verdictLine(seesMasks: boolean, endpoints: Endpoint[], howEarly: RatioEndpoints['howEarly']): string {
  if (!seesMasks) return 'this setting cannot tell masks apart: no verdict on the criteria (E0 fails)';
  const early = howEarly.drawMinusEarliestPercent?.mean;
  const e4 =
    early == null
      ? 'E4 n/a'
      : `E4 the draw comes ${Math.abs(early).toFixed(1)} points of training ${early < 0 ? 'before' : 'after'} the earliest equivalent grid point`;
  return [...endpoints.slice(2).map((e) => `${e.id} ${endpointResult(e)}`), e4].join('; ');
}

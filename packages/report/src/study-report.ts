/**
 * The study's page (`ebt study`): the verdict and the endpoints declared before the data first, then the seed's
 * table (ticket accuracy by prune point and ratio, mean ± sd over seeds), the compute-vs-accuracy figure, each
 * criterion's statistics and the controls, accuracy against the prune step with each criterion's draws, the
 * verdicts, and each seed's signals.
 */
import { readJsonFile } from '@ebt/files';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as aq from 'arquero';
import { CriterionStatistics, endpointResult, ratioKey, ratioLabel, Rate, readStudySummary, seedDir, StudySummary } from '@ebt/experiment';
import type { PairedDifference } from '@ebt/intervals';

import { nuclearNormSeries } from './charts';
import { DetectionEntry } from './load-run';
import { writePage } from './page';
import { VegaLiteSpec } from './render';

const WIDTH = 640;

export function writeStudyReport(dir: string): { file: string; figures: string[] } {
  const s = readStudySummary(path.join(dir, 'study.json'));
  const pct = s.metric === 'accuracy' ? (x: number) => 100 * x : (x: number) => x;
  const fmt = (m: { mean: number | null; sd: number | null }) =>
    m.mean === null ? 'n/a' : `${pct(m.mean).toFixed(2)}${m.sd === null ? '' : ` ± ${pct(m.sd).toFixed(2)}`}`;
  const specs: Record<string, VegaLiteSpec> = { 'compute-vs-accuracy': computeVsAccuracy(s), 'accuracy-by-step': accuracyByStep(s) };
  for (const seed of s.seeds) {
    const file = path.join(seedDir(dir, seed), 'detections.json');
    if (!fs.existsSync(file)) continue;
    const spec = nuclearNormSeries(readJsonFile<{ criteria: DetectionEntry[] }>(file).criteria);
    if (spec) specs[`signal-seed-${seed}`] = { ...spec, title: `Seed ${seed}: ${spec.title}` };
  }
  const ratios = [...new Set(s.table.map((t) => ratioKey(t)))];
  const fractions = [...new Set(s.table.map((t) => t.fraction))];
  const seedTable = aq.from(
    ratios.map((r) => ({
      'pruned (heads:FFN)': ratioLabel(s.table.find((t) => ratioKey(t) === r)!),
      ...Object.fromEntries(
        fractions.map((f) => {
          const cell = s.table.find((t) => t.fraction === f && ratioKey(t) === r);
          return [`${percentLabel(f)}${cell?.tieBreak ? ' (tie-break mask)' : ''}`, cell ? fmt(cell.score) : '-'];
        }),
      ),
    })),
  );
  const verdicts = aq.from(
    Object.entries(s.criteria).flatMap(([name, c]) =>
      c.verdicts.map((v) => ({
        criterion: name,
        seed: v.seed,
        'drawn at': v.draw ? `step ${v.draw.step} (${(100 * v.draw.fraction).toFixed(1)}%)` : 'never',
        'compute saved': v.computeSaved === null ? '-' : `${(100 * v.computeSaved).toFixed(1)}%`,
        'wall clock saved': wallClockSaved(v),
        'distance to final mask': v.maskDistanceToFinal ? `${v.maskDistanceToFinal.heads.toFixed(3)} / ${v.maskDistanceToFinal.ffn.toFixed(3)}` : '-',
        'false positive': v.falsePositive
          ? v.falsePositive.any
            ? `yes (${[v.falsePositive.mask && 'mask', v.falsePositive.score && 'score'].filter(Boolean).join(', ')})`
            : 'no'
          : 'never drew',
        // one ratio per criterion key: a column per ratio would leave the other ratios' rows undefined
        ticket: Object.values(v.byRatio)
          .map((b) => (b.score === null ? '-' : `${pct(b.score).toFixed(2)} (dense gap ${b.gapToDensePoints === null ? '-' : b.gapToDensePoints.toFixed(2)})`))
          .join('; '),
      })),
    ),
  );
  const statistics = aq.from(Object.entries(s.criteria).map(([name, c]) => statisticsRow(name, c.statistics)));
  const controls = aq.from(
    s.controls.map((c) => ({
      control: `${c.kind === 'random' ? 'random mask' : 'layerwise shuffle of the late mask'} ${ratioLabel(c)}`,
      [s.metric]: fmt(c.score),
      'minus the latest grid ticket (points, 95% t CI)': difference(c.vsLatestGridPoints),
    })),
  );
  const endpoints = aq.from(endpointRows(s));
  const summary = aq.from([
    ...Object.entries(s.endpoints?.byRatio ?? {}).map(([r, e]) => ({ item: `verdict at ${r}`, value: e.verdict })),
    { item: 'seeds', value: s.seeds.join(', ') },
    { item: `dense ${s.metric} (retrained, no L1)`, value: fmt(s.dense.score) },
    ...Object.entries(s.criteria).map(([name, c]) => ({
      item: name,
      value: `drew in ${c.draws.length - c.neverDrew} of ${c.draws.length} seeds, ${c.falsePositives} false positives; ticket ${s.metric} ${fmt(c.ticketScore)}`,
    })),
  ]);
  return writePage(path.join(dir, 'report'), `ebt study: ${path.basename(path.resolve(dir))}`, specs, [
    { table: 'Summary', data: summary },
    ...(s.endpoints
      ? [
          {
            table: `Endpoints, declared before the data (paired by seed, points; one-sided tests at alpha ${s.endpoints.alpha}, Holm-corrected at each ratio)`,
            data: endpoints,
          },
        ]
      : []),
    { table: `Ticket ${s.metric} by prune point and ratio (mean ± sd over seeds)`, data: seedTable },
    {
      figure: 'compute-vs-accuracy',
      caption: `Share of training before the draw against the ticket's ${s.metric}: each seed's draw per criterion (points), the fixed prune points as a curve (mean ± sd over seeds), the random mask of the same size dashed`,
    },
    {
      table: 'Statistics per criterion and ratio (paired by seed; intervals 95%: t and exact bootstrap for means, Clopper-Pearson for rates)',
      data: statistics,
    },
    ...(s.controls.length
      ? [
          {
            table: "Controls, retrained as the tickets are: a random mask of each ratio, and the late mask's widths per layer with random units",
            data: controls,
          },
        ]
      : []),
    { figure: 'accuracy-by-step', caption: `Ticket ${s.metric} against the prune point; vertical rules: each criterion's draws` },
    { table: 'Verdicts per criterion and seed', data: verdicts },
    ...s.seeds.map((seed) => ({ figure: `signal-seed-${seed}`, caption: `Seed ${seed}: the nuclear-norm signal, its tests and the draws` })),
  ]);
}

/** A share of training as the table's column: 0.5%, 4%, 80%. */
const percentLabel = (f: number) => `${Number((100 * f).toPrecision(2))}%`;

/** The endpoints table: one row per ratio and endpoint, E4 described after E0-E3. */
function endpointRows(s: StudySummary): Array<Record<string, string>> {
  const p = (x: number | null) => (x === null ? '-' : x < 1e-4 ? '< 0.0001' : x.toFixed(4));
  return Object.entries(s.endpoints?.byRatio ?? {}).flatMap(([r, e]) => [
    ...e.endpoints.map((x) => ({
      ratio: r,
      endpoint: x.id,
      claim: x.claim,
      'difference (points, 95% t CI)': x.difference
        ? difference(x.difference)
        : x.discordant
          ? `only ${e.criterion}: ${x.discordant.b}, only ${e.baseline}: ${x.discordant.c}`
          : '-',
      p: p(x.p),
      'Holm p': p(x.adjustedP),
      result: endpointResult(x),
    })),
    {
      ratio: r,
      endpoint: 'E4',
      claim: 'how early: the draw minus the earliest grid fraction as good as late (points of 100% training)',
      'difference (points, 95% t CI)': e.howEarly.drawMinusEarliestPercent ? difference(e.howEarly.drawMinusEarliestPercent) : '-',
      p: '-',
      'Holm p': '-',
      result:
        e.howEarly.earliestEquivalentFraction === null
          ? 'no grid point as good as late'
          : `earliest equivalent: ${percentLabel(e.howEarly.earliestEquivalentFraction)}`,
    },
  ]);
}

/** A paired difference in points: "-0.31 [-0.92, 0.30] (t; bootstrap [-0.70, 0.05]), n 5". */
function difference(d: PairedDifference): string {
  if (d.mean === null) return '-';
  const ci = (i: { lower: number; upper: number } | null) => (i ? `[${i.lower.toFixed(2)}, ${i.upper.toFixed(2)}]` : '');
  return `${d.mean.toFixed(2)} ${ci(d.t)}${d.bootstrap ? ` (bootstrap ${ci(d.bootstrap)})` : ''}, n ${d.n}`;
}

const rateText = (r: Rate) => `${r.count}/${r.of}${r.interval ? ` [${(100 * r.interval.lower).toFixed(0)}%, ${(100 * r.interval.upper).toFixed(0)}%]` : ''}`;

function statisticsRow(name: string, st: CriterionStatistics): Record<string, string> {
  const m = (x: { mean: number | null; sd: number | null }, f: (v: number) => string) =>
    x.mean === null ? '-' : `${f(x.mean)}${x.sd === null ? '' : ` ± ${f(x.sd)}`}`;
  return {
    criterion: name,
    'draw step': m(st.drawStep, (v) => v.toFixed(0)),
    'draw (% of training)': m(st.drawFraction, (v) => (100 * v).toFixed(1)),
    'training saved': m(st.computeSaved, (v) => `${(100 * v).toFixed(1)}%`),
    'false positives: mask': rateText(st.falsePositiveRate.mask),
    'false positives: score': rateText(st.falsePositiveRate.score),
    'ticket minus latest grid ticket (points)': difference(st.vsLatestGridPoints),
    'ticket minus random mask (points)': difference(st.vsRandomPoints),
  };
}

/**
 * The study's figure: per ratio, the share of training before the draw against the ticket's score - each seed's
 * draw per criterion, the grid's fixed fractions as the curve (mean, band: sd over seeds), the random mask dashed.
 */
function computeVsAccuracy(s: StudySummary): VegaLiteSpec {
  const scale = s.metric === 'accuracy' ? 100 : 1;
  const values = [
    ...s.grid
      .filter((g) => g.kind === 'grid' && g.score !== null)
      .map((g) => ({ series: 'fixed fraction', ratio: ratioLabel(g), percent: 100 * g.fraction!, score: scale * g.score!, seed: g.seed })),
    ...s.grid
      .filter((g) => g.kind === 'draw' && g.score !== null)
      .map((g) => ({ series: g.criterion!, ratio: ratioLabel(g), percent: 100 * g.fraction!, score: scale * g.score!, seed: g.seed })),
    ...s.grid
      .filter((g) => g.kind === 'random' && g.score !== null)
      .map((g) => ({ series: 'random mask', ratio: ratioLabel(g), score: scale * g.score!, seed: g.seed })),
  ];
  const x = { field: 'percent', type: 'quantitative', title: 'share of training before the draw (%)' };
  const y = { field: 'score', type: 'quantitative', scale: { zero: false }, title: s.metric === 'accuracy' ? 'ticket accuracy (%)' : `ticket ${s.metric}` };
  const only = (test: string) => [{ filter: test }];
  return {
    title: `Compute against ticket ${s.metric}, by ratio (heads:FFN)`,
    data: { values },
    facet: { column: { field: 'ratio', type: 'nominal', title: null } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: WIDTH / 2,
      height: 260,
      layer: [
        { transform: only("datum.series === 'fixed fraction'"), mark: { type: 'errorband', extent: 'stdev', opacity: 0.2, color: 'grey' }, encoding: { x, y } },
        {
          transform: only("datum.series === 'fixed fraction'"),
          mark: { type: 'line', point: { color: 'grey' }, color: 'grey' },
          encoding: { x, y: { ...y, aggregate: 'mean' } },
        },
        {
          transform: only("datum.series === 'random mask'"),
          mark: { type: 'rule', strokeDash: [4, 3], color: 'black' },
          encoding: { y: { ...y, aggregate: 'mean' } },
        },
        {
          transform: only("datum.series !== 'fixed fraction' && datum.series !== 'random mask'"),
          mark: { type: 'point', filled: true, size: 60 },
          encoding: {
            x,
            y,
            color: { field: 'series', type: 'nominal', title: 'criterion', legend: { labelLimit: 400 } },
            shape: { field: 'series', type: 'nominal', title: 'criterion' },
          },
        },
      ],
    },
  };
}

function accuracyByStep(s: StudySummary): VegaLiteSpec {
  const points = s.grid
    .filter((g) => g.kind !== 'dense' && g.kind !== 'random' && g.score !== null)
    .map((g) => ({ ...g, ratio: ratioLabel(g), percent: 100 * g.fraction! }));
  const draws = Object.entries(s.criteria).flatMap(([name, c]) =>
    c.draws.flatMap((d) => (d ? [{ criterion: name, seed: d.seed, percent: 100 * d.fraction }] : [])),
  );
  return {
    title: `Ticket ${s.metric} by prune point (dots: cells, line: mean over seeds)`,
    width: WIDTH,
    height: 260,
    layer: [
      {
        data: { values: points.filter((p) => p.kind === 'grid') },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'percent', type: 'quantitative', aggregate: undefined, title: 'prune point (% of training)' },
          y: { field: 'score', type: 'quantitative', aggregate: 'mean', scale: { zero: false }, title: s.metric },
          color: { field: 'ratio', type: 'nominal' },
        },
      },
      {
        data: { values: points },
        mark: { type: 'point', filled: true, opacity: 0.5 },
        encoding: {
          x: { field: 'percent', type: 'quantitative' },
          y: { field: 'score', type: 'quantitative' },
          color: { field: 'ratio', type: 'nominal' },
          shape: { field: 'kind', type: 'nominal' },
        },
      },
      {
        data: { values: draws },
        mark: { type: 'rule', strokeDash: [4, 3] },
        encoding: { x: { field: 'percent', type: 'quantitative' }, strokeDash: { field: 'criterion', type: 'nominal' } },
      },
    ],
  };
}

/** EB-train's wall-clock saving against the dense run, per ratio pair: "0.3:0.3 12.1 s (21%)". */
function wallClockSaved(v: StudySummary['criteria'][string]['verdicts'][number]): string {
  if (!v.wallClock) return '-';
  return Object.entries(v.wallClock.byRatio)
    .map(([r, c]) => (c.secondsSaved === null ? `${r} -` : `${r} ${c.secondsSaved.toFixed(1)} s (${(100 * c.fractionSaved!).toFixed(0)}%)`))
    .join('; ');
}

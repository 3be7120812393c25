/**
 * The study's page (`ebt study`): the seed's table (ticket accuracy by prune point and ratio, mean ± sd over
 * seeds), accuracy against the prune step with each criterion's draws, the verdicts, and each seed's signals.
 */
import { readJsonFile } from '@ebt/files';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as aq from 'arquero';
import { ratioKey, seedDir, StudySummary } from '@ebt/experiment';

import { nuclearNormSeries } from './charts';
import { DetectionEntry } from './load-run';
import { writePage } from './page';
import { VegaLiteSpec } from './render';

const WIDTH = 640;

export function writeStudyReport(dir: string): { file: string; figures: string[] } {
  const s = readJsonFile<StudySummary>(path.join(dir, 'study.json'));
  const pct = s.metric === 'accuracy' ? (x: number) => 100 * x : (x: number) => x;
  const fmt = (m: { mean: number | null; sd: number | null }) =>
    m.mean === null ? 'n/a' : `${pct(m.mean).toFixed(2)}${m.sd === null ? '' : ` ± ${pct(m.sd).toFixed(2)}`}`;
  const specs: Record<string, VegaLiteSpec> = { 'accuracy-by-step': accuracyByStep(s) };
  for (const seed of s.seeds) {
    const file = path.join(seedDir(dir, seed), 'detections.json');
    if (!fs.existsSync(file)) continue;
    const spec = nuclearNormSeries(readJsonFile<{ criteria: DetectionEntry[] }>(file).criteria);
    if (spec) specs[`signal-seed-${seed}`] = { ...spec, title: `Seed ${seed}: ${spec.title}` };
  }
  const ratios = [...new Set(s.table.map((t) => `${t.ratioHeads}:${t.ratioFfn}`))];
  const fractions = [...new Set(s.table.map((t) => t.fraction))];
  const seedTable = aq.from(
    ratios.map((r) => ({
      'pruned (heads:FFN)': r,
      ...Object.fromEntries(
        fractions.map((f) => [`${(100 * f).toFixed(0)}%`, fmt(s.table.find((t) => t.fraction === f && `${t.ratioHeads}:${t.ratioFfn}` === r)!.accuracy)]),
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
            ? `yes (${[v.falsePositive.mask && 'mask', v.falsePositive.accuracy && 'accuracy'].filter(Boolean).join(', ')})`
            : 'no'
          : 'never drew',
        ...Object.fromEntries(
          Object.entries(v.byRatio).map(([r, b]) => [
            `ticket ${r}`,
            b.accuracy === null ? '-' : `${pct(b.accuracy).toFixed(2)} (dense gap ${b.gapToDensePoints?.toFixed(2)})`,
          ]),
        ),
      })),
    ),
  );
  const summary = aq.from([
    { item: 'seeds', value: s.seeds.join(', ') },
    { item: `dense ${s.metric} (retrained, no L1)`, value: fmt(s.dense.accuracy) },
    ...Object.entries(s.criteria).map(([name, c]) => ({
      item: name,
      value: `drew in ${c.draws.length - c.neverDrew} of ${c.draws.length} seeds, ${c.falsePositives} false positives; ticket ${s.metric} ${fmt(c.ticketAccuracy)}`,
    })),
  ]);
  return writePage(path.join(dir, 'report'), `ebt study: ${path.basename(path.resolve(dir))}`, specs, [
    { table: 'Summary', data: summary },
    { table: `Ticket ${s.metric} by prune point and ratio (mean ± sd over seeds)`, data: seedTable },
    { figure: 'accuracy-by-step', caption: `Ticket ${s.metric} against the prune point; vertical rules: each criterion's draws` },
    { table: 'Verdicts per criterion and seed', data: verdicts },
    ...s.seeds.map((seed) => ({ figure: `signal-seed-${seed}`, caption: `Seed ${seed}: the nuclear-norm signal, its tests and the draws` })),
  ]);
}

function accuracyByStep(s: StudySummary): VegaLiteSpec {
  const points = s.grid.filter((g) => g.kind !== 'dense' && g.accuracy !== null).map((g) => ({ ...g, ratio: ratioKey(g), percent: 100 * g.fraction! }));
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
          y: { field: 'accuracy', type: 'quantitative', aggregate: 'mean', scale: { zero: false }, title: s.metric },
          color: { field: 'ratio', type: 'nominal' },
        },
      },
      {
        data: { values: points },
        mark: { type: 'point', filled: true, opacity: 0.5 },
        encoding: {
          x: { field: 'percent', type: 'quantitative' },
          y: { field: 'accuracy', type: 'quantitative' },
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

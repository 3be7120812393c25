/** The report's figures as vega-lite specs (rendered by render.ts). */
import { distanceMatrix, masksAt, NUCLEAR_STATIONARITY, Point, resolveMaskOptions } from '@ebt/eb-criteria';
import { shapeKey } from '@ebt/slimming';
import { ratioLabel } from '@ebt/experiment';
import { DetectionEntry, MetricsRow } from './load-run';
import { VegaLiteSpec } from './render';

const WIDTH = 560;

/** At most `n` items, evenly spaced, always keeping the last. */
export function sample<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(items[Math.round((i * (items.length - 1)) / (n - 1))]);
  return out;
}

/** Loss and the score column (`accuracy`, or a regression run's `pearson`) of metrics.csv, per epoch. */
export function trainingCurves(metrics: MetricsRow[], score: 'accuracy' | 'pearson' = 'accuracy'): VegaLiteSpec {
  const values = metrics.flatMap((m) => [
    { step: m.step, split: m.split, metric: 'loss', value: m.loss },
    { step: m.step, split: m.split, metric: score, value: m.score },
  ]);
  return {
    title: 'Training curves (per epoch)',
    data: { values },
    facet: { column: { field: 'metric', type: 'nominal', title: null } },
    spec: {
      width: 260,
      height: 200,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'step', type: 'quantitative' },
        y: { field: 'value', type: 'quantitative', scale: { zero: false } },
        color: { field: 'split', type: 'nominal' },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

export function headHeatmap(points: Point[]): VegaLiteSpec {
  const values = sample(points, 60).flatMap((p) => p.heads.flatMap((row, l) => Array.from(row, (v, h) => ({ step: p.step, head: `L${l}.H${h}`, value: v }))));
  return {
    title: 'Head coefficients over training',
    data: { values },
    width: WIDTH,
    height: { step: 10 },
    mark: 'rect',
    encoding: {
      x: { field: 'step', type: 'ordinal', axis: { labelOverlap: true } },
      y: { field: 'head', type: 'ordinal', sort: null },
      color: { field: 'value', type: 'quantitative', scale: { scheme: 'viridis' } },
    },
  };
}

export function ffnDistribution(points: Point[]): VegaLiteSpec {
  // the last point of each epoch: the FFN coefficients' quartiles and range, per epoch
  const lastOfEpoch = new Map<number, Point>();
  for (const p of points) lastOfEpoch.set(p.epoch, p);
  const values = [...lastOfEpoch.values()].flatMap((p) => {
    const all = Float64Array.from(p.ffn.flatMap((row) => Array.from(row))).sort();
    const q = (f: number) => all[Math.min(all.length - 1, Math.floor(f * (all.length - 1)))];
    return [{ epoch: p.epoch + 1, min: all[0], q1: q(0.25), median: q(0.5), q3: q(0.75), max: all[all.length - 1] }];
  });
  return {
    title: 'FFN coefficients by epoch (quartiles and range)',
    data: { values },
    width: WIDTH,
    height: 220,
    layer: [
      {
        mark: { type: 'rule' },
        encoding: { x: { field: 'epoch', type: 'ordinal' }, y: { field: 'min', type: 'quantitative', title: 'coefficient' }, y2: { field: 'max' } },
      },
      { mark: { type: 'bar', size: 14 }, encoding: { x: { field: 'epoch', type: 'ordinal' }, y: { field: 'q1', type: 'quantitative' }, y2: { field: 'q3' } } },
      { mark: { type: 'tick', color: 'white', size: 14 }, encoding: { x: { field: 'epoch', type: 'ordinal' }, y: { field: 'median', type: 'quantitative' } } },
    ],
  };
}

export function maskDistanceMatrix(points: Point[], maskOptions = resolveMaskOptions({})): VegaLiteSpec {
  // only points of one shape (a pruned continuation changes the mask's size)
  const first = points.length ? shapeKey(points[0]) : '';
  const chosen = sample(
    points.filter((p) => shapeKey(p) === first),
    40,
  );
  const masks = chosen.map((p) => {
    const m = masksAt(p, maskOptions);
    return [...m.heads, ...m.ffn];
  });
  const d = distanceMatrix(masks);
  const values = chosen.flatMap((a, i) => chosen.map((b, j) => ({ a: a.step, b: b.step, distance: d[i][j] })));
  return {
    title: 'Pairwise mask distance (normalised Hamming, heads and FFN)',
    data: { values },
    width: 420,
    height: 420,
    mark: 'rect',
    encoding: {
      x: { field: 'a', type: 'ordinal', title: 'step', axis: { labelOverlap: true } },
      y: { field: 'b', type: 'ordinal', title: 'step', sort: 'descending', axis: { labelOverlap: true } },
      color: { field: 'distance', type: 'quantitative', scale: { scheme: 'magma', reverse: true } },
    },
  };
}

export function nuclearNormSeries(detections: DetectionEntry[]): VegaLiteSpec | null {
  const ns = detections.find((d) => d.criterion === NUCLEAR_STATIONARITY);
  const details = ns?.details as Record<string, any> | undefined; // the nuclear-norm criterion's own shape
  const signal = details?.signal;
  if (!details || !signal) return null;
  const steps: Array<{ step: number }> = signal.steps;
  const smoothedSteps: number[] = signal.smoothedSteps;
  const values: Array<Record<string, unknown>> = [];
  for (const kind of ['heads', 'ffn'] as const) {
    signal.nuclearNorm[kind].forEach((v: number, i: number) => values.push({ step: steps[i].step, kind, series: 'nuclear norm', value: v }));
    signal.smoothed[kind].forEach((v: number, i: number) => values.push({ step: smoothedSteps[i], kind, series: 'smoothed', value: v }));
  }
  const tests = (details.tests as Array<{ step: number; pass: boolean }>).map((t) => ({ step: t.step, result: t.pass ? 'stationary' : 'not yet' }));
  const draws = detections.filter((d) => d.drawnAt).map((d) => ({ step: d.drawnAt!.step, criterion: d.criterion }));
  return {
    title: 'Nuclear norm of the masks, smoothed, with the stationarity tests and the draws',
    width: WIDTH,
    height: 160,
    facet: { row: { field: 'kind', type: 'nominal', title: null } },
    data: {
      values: [
        ...values,
        ...tests.map((t) => ({ ...t, kind: 'heads', series: 'test' })),
        ...tests.map((t) => ({ ...t, kind: 'ffn', series: 'test' })),
        ...draws.flatMap((d) => ['heads', 'ffn'].map((kind) => ({ ...d, kind, series: 'draw' }))),
      ],
    },
    spec: {
      width: WIDTH,
      height: 160,
      layer: [
        {
          transform: [{ filter: "datum.series === 'nuclear norm' || datum.series === 'smoothed'" }],
          mark: 'line',
          encoding: {
            x: { field: 'step', type: 'quantitative' },
            y: { field: 'value', type: 'quantitative', scale: { zero: false }, title: '||M||*' },
            color: { field: 'series', type: 'nominal' },
          },
        },
        {
          transform: [{ filter: "datum.series === 'test'" }],
          mark: { type: 'tick', thickness: 2 },
          encoding: {
            x: { field: 'step', type: 'quantitative' },
            color: { field: 'result', type: 'nominal', scale: { domain: ['stationary', 'not yet'], range: ['#2ca02c', '#d62728'] } },
          },
        },
        {
          transform: [{ filter: "datum.series === 'draw'" }],
          mark: { type: 'rule', strokeDash: [4, 3], strokeWidth: 2 },
          encoding: { x: { field: 'step', type: 'quantitative' }, color: { field: 'criterion', type: 'nominal', scale: { scheme: 'dark2' } } },
        },
      ],
      // three legends: the series, the test results, the criteria
      resolve: { scale: { color: 'independent' } },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** Each row's `score` is its task's metric (`metric`: accuracy, f1, ...). */
export function sweepAccuracy(sweep: Array<Record<string, any>>, denseScore: number | null): VegaLiteSpec {
  const metric = String(sweep[0]?.metric ?? 'accuracy');
  const ratio = (r: Record<string, any>) => ratioLabel({ ratioHeads: r.ratioHeads, ratioFfn: r.ratioFfn });
  // one line per ratio through the grid (epochs, fractions); each criterion's draw a point of its own shape
  const grid = sweep.filter((r) => r.source !== 'draw').map((r) => ({ ...r, ratio: ratio(r) }));
  const draws = sweep.filter((r) => r.source === 'draw').map((r) => ({ ...r, ratio: ratio(r), drawn: `${r.criterion}'s draw` }));
  const x = { field: 'step', type: 'quantitative', title: 'prune step' };
  const y = { field: 'score', type: 'quantitative', title: metric, scale: { zero: false } };
  const layers: VegaLiteSpec[] = [
    { data: { values: grid }, mark: { type: 'line', point: true }, encoding: { x, y, color: { field: 'ratio', type: 'nominal', title: 'ratio (heads:FFN)' } } },
  ];
  if (draws.length)
    layers.push({
      data: { values: draws },
      mark: { type: 'point', size: 90, filled: true },
      encoding: { x, y, color: { field: 'ratio', type: 'nominal' }, shape: { field: 'drawn', type: 'nominal', title: 'draw' } },
    });
  if (denseScore !== null)
    layers.push({
      data: { values: [{ dense: denseScore }] },
      mark: { type: 'rule', strokeDash: [6, 3] },
      encoding: { y: { field: 'dense', type: 'quantitative' } },
    });
  return {
    title: `Ticket ${metric} after retraining, by prune step and ratio (dashed: dense)`,
    width: WIDTH,
    height: 240,
    layer: layers,
    config: { legend: { labelLimit: 400 } }, // criterion names whole
  };
}

/** A share as a label: 1/3 as 0.33, never 0.3333333333333333. */

/**
 * `ebt report RUN_DIR`: RUN_DIR/report/index.html - one self-contained page (SVG figures inlined, PNG copies
 * beside them in report/figures/) with the run's curves, coefficient trajectories, mask distances, the
 * nuclear-norm series and the criteria's verdicts, the FLOP/parameter table, and the sweep when one ran.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as aq from 'arquero';
import { judgeDetection, masksAt, Point, resolveMaskOptions } from '@ebt/eb-criteria';
import { ModelConfig, readConfig } from '@ebt/models';
import { countFlops, countParameters } from '@ebt/pruning';
import { shapeKey } from '@ebt/slimming';
import { ratioLabel } from '@ebt/experiment';
import { ffnDistribution, headHeatmap, maskDistanceMatrix, nuclearNormSeries, sweepAccuracy, trainingCurves } from './charts';
import { loadRun, RunFolder } from './load-run';
import { writePage } from './page';
import { VegaLiteSpec } from './render';

export interface ReportResult {
  file: string;
  figures: string[];
}

function points(run: RunFolder): Point[] {
  return run.trajectory?.points() ?? [];
}

function criteriaTable(run: RunFolder, pts: Point[]): aq.ColumnTable | null {
  if (!run.detections) return null;
  const rows = run.detections.criteria.map((c) => {
    const o = resolveMaskOptions(c.details.options ?? {});
    const at = c.drawnAt ? pts.find((p) => p.step === c.drawnAt!.step) : undefined;
    // the final mask of the same model: the last point whose shape matches (a pruned continuation changes it)
    const final = at ? [...pts].reverse().find((p) => shapeKey(p) === shapeKey(at)) : pts[pts.length - 1];
    const j = judgeDetection({
      detection: c.drawnAt,
      masksAtDetection: at ? masksAt(at, o) : undefined,
      finalMasks: masksAt(final ?? pts[pts.length - 1], o),
      totalSteps: run.detections!.totalSteps,
    });
    // EB-train pruned the model at this draw: there is no later dense mask to judge it against
    const prunedHere = at !== undefined && final === at && pts[pts.length - 1].step > at.step;
    return {
      criterion: c.criterion,
      'drawn at step': c.drawnAt ? c.drawnAt.step : '-',
      epoch: c.drawnAt ? c.drawnAt.epoch + 1 : '-',
      'training saved': c.drawnAt ? `${(100 * j.fractionSaved).toFixed(1)}%` : '-',
      'distance to final mask (heads / FFN)': prunedHere
        ? 'n/a: pruned here (EB-train)'
        : j.distanceToFinal
          ? `${j.distanceToFinal.heads.toFixed(3)} / ${j.distanceToFinal.ffn.toFixed(3)}`
          : '-',
      'false positive': prunedHere ? 'see the sweep' : j.falsePositive === null ? '-' : j.falsePositive ? `yes: ${j.reason}` : 'no',
    };
  });
  return aq.from(rows);
}

function sizeTable(run: RunFolder): aq.ColumnTable | null {
  const denseDir = path.join(run.dir, 'init');
  const o = run.run.options;
  // a run that names its model folder (a checkpoint, or the scratch model it built) is measured on it; a small
  // ViT built from a config keeps its initial weights in init/
  const checkpoint = typeof o.model === 'string' ? o.model : denseDir;
  const dense: ModelConfig | null = fs.existsSync(path.join(checkpoint, 'config.json')) ? readConfig(checkpoint) : null;
  if (!dense) return null;
  const ticketDir = path.join(run.dir, 'ticket');
  const ticket = fs.existsSync(path.join(ticketDir, 'config.json')) ? readConfig(ticketDir) : null;
  const tokens = typeof o.maxLength === 'number' ? o.maxLength : undefined;
  const rows = [{ model: 'dense', parameters: countParameters(dense), 'FLOPs per example': countFlops(dense, tokens) }];
  if (ticket) rows.push({ model: 'ticket', parameters: countParameters(ticket), 'FLOPs per example': countFlops(ticket, tokens) });
  return aq.from(rows).derive({ 'of dense': aq.escape((d: { parameters: number }) => `${((100 * d.parameters) / rows[0].parameters).toFixed(1)}% params`) });
}

/** What metrics.csv's `accuracy` column holds: accuracy, or Pearson's r for a regression head (STS-B). */
const scoreOf = (run: RunFolder): 'accuracy' | 'pearson' =>
  run.run.options.command === 'finetune bert' && run.run.options.problemType === 'regression' ? 'pearson' : 'accuracy';

function summaryTable(run: RunFolder): aq.ColumnTable {
  const tests = run.metrics.filter((m) => m.split === 'test');
  const last = tests[tests.length - 1];
  const o = run.run.options;
  const [label, fmt] = scoreOf(run) === 'pearson' ? ["Pearson's r", (v: number) => v.toFixed(4)] : ['accuracy', (v: number) => `${(100 * v).toFixed(2)}%`];
  const rows: Array<{ item: string; value: string }> = [
    { item: 'command', value: o.command },
    { item: 'data', value: String(o.data ?? '-') },
    { item: 'backend', value: run.run.backend.name },
    { item: 'epochs / batch / lr', value: `${o.epochs} / ${o.batchSize} / ${o.lr}` },
    { item: 'lambda heads / FFN', value: `${o.lambdaHeads} / ${o.lambdaFfn}` },
    { item: `final test ${label}`, value: last ? fmt(last.score) : '-' },
    { item: `best test ${label}`, value: tests.length ? fmt(Math.max(...tests.map((t) => t.score))) : '-' },
    { item: 'wall time', value: last ? `${last.seconds.toFixed(0)} s` : '-' },
  ];
  // run.json's verdict: a run that did not learn is not a result, and the report says so first
  const learning = run.run.learning;
  if (learning) rows.unshift({ item: 'learned', value: learning.learned ? 'yes' : `NO - not a result: ${learning.reasons.join('; ')}` });
  if (run.squad)
    rows.push({ item: 'SQuAD dev exact match / F1', value: `${run.squad.exact_match.toFixed(2)} / ${run.squad.f1.toFixed(2)} (${run.squad.count} questions)` });
  if (run.ticket)
    rows.push({
      item: 'ticket',
      value: `drawn by ${run.ticket.criterion} at step ${run.ticket.step}: heads ${run.ticket.heads.join(' ')}, FFN ${run.ticket.intermediateSizes.join(' ')}`,
    });
  return aq.from(rows);
}

/** The sweep's cells as the page shows them: what was pruned where, at which ratio, and what it scored. */
function sweepTable(sweep: Array<Record<string, any>>): aq.ColumnTable {
  const percent = (v: number | null) => (v === null || v === undefined ? '' : `${(100 * v).toFixed(2)}%`);
  return aq.from(
    sweep.map((r) => ({
      cell: r.kind === 'dense' ? 'dense' : r.source === 'draw' ? `${r.criterion}'s draw` : r.source === 'epoch' ? `after epoch ${r.at}` : 'grid',
      step: r.step,
      'share of training': r.fraction === null || r.fraction === undefined ? '' : `${(100 * r.fraction).toPrecision(2)}%`,
      'ratio (heads:FFN)': r.kind === 'dense' ? '' : ratioLabel({ ratioHeads: r.ratioHeads, ratioFfn: r.ratioFfn }),
      [r.metric === 'accuracy' ? 'accuracy' : r.metric]: r.metric === 'accuracy' ? percent(r.score) : r.score,
      parameters: r.parameters,
      FLOPs: r.flops,
      seconds: r.seconds,
    })),
  );
}

export function writeReport(runDir: string): ReportResult {
  const run = loadRun(runDir);
  const pts = points(run);
  const specs: Record<string, VegaLiteSpec> = {};
  if (run.metrics.length) specs['training-curves'] = trainingCurves(run.metrics, scoreOf(run));
  if (pts.length) {
    specs['head-coefficients'] = headHeatmap(pts);
    specs['ffn-coefficients'] = ffnDistribution(pts);
    specs['mask-distance'] = maskDistanceMatrix(pts);
  }
  const nn = run.detections ? nuclearNormSeries(run.detections.criteria) : null;
  if (nn) specs['nuclear-norm'] = nn;
  if (run.sweep?.length) {
    const tests = run.metrics.filter((m) => m.split === 'test');
    const denseCell = run.sweep.find((r) => r.kind === 'dense');
    specs['sweep-accuracy'] = sweepAccuracy(
      run.sweep.filter((r) => r.kind !== 'dense'),
      denseCell ? denseCell.score : tests.length && run.sweep[0].metric === scoreOf(run) ? tests[tests.length - 1].score : null,
    );
  }
  const name = path.basename(path.resolve(runDir));
  return writePage(path.join(runDir, 'report'), `ebt report: ${name}`, specs, [
    { table: 'Run', data: summaryTable(run) },
    { table: 'Early-bird criteria', data: criteriaTable(run, pts) },
    { table: 'Size', data: sizeTable(run) },
    { figure: 'training-curves', caption: `Loss and ${scoreOf(run) === 'pearson' ? "Pearson's r" : 'accuracy'} per epoch` },
    { figure: 'nuclear-norm', caption: 'The nuclear-norm criterion: raw and smoothed signal, tested points, and where each criterion drew' },
    { figure: 'head-coefficients', caption: 'Every head coefficient over training' },
    { figure: 'ffn-coefficients', caption: 'FFN coefficient distribution at each epoch end' },
    { figure: 'mask-distance', caption: 'Distances between the masks at recorded points' },
    { figure: 'sweep-accuracy', caption: 'Prune-and-retrain sweep' },
    { table: 'Sweep', data: run.sweep?.length ? sweepTable(run.sweep) : null },
  ]);
}

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CellFileError, readCellRow, readSweepResults, writeSweepResults } from './index';
import { densePoints } from '@ebt/slimming';
import { cellMasks, checkRetrainOptions, nearestPoint, pruneCell, scoredResult, sweepCellFile, SweepCell, writeCell } from './sweep';
import { parseRatioPairs } from './ratios';
import { mergeSweepRows } from './sweep-results-file';
import type { SweepRow } from './cell-file';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-sweep-'));
const point = (step: number, epoch: number, widths = [2, 3]) => ({
  step,
  epoch,
  heads: [Float32Array.from({ length: widths[0] }, (_, i) => i + 1)],
  ffn: [Float32Array.from({ length: widths[1] }, (_, i) => 3 - i)],
});

describe('sweep planning', () => {
  test('--ratios: one pair or heads:ffn pairs; out of [0, 1) is refused naming the flag', () => {
    expect(parseRatioPairs('0.3,0.5:0.7')).toEqual([
      { heads: 0.3, ffn: 0.3 },
      { heads: 0.5, ffn: 0.7 },
    ]);
    expect(() => checkRetrainOptions({ ratios: [{ heads: 1, ffn: 0.5 }] })).toThrow('--ratios: each share must lie in [0, 1) (got 1:0.5).');
    expect(() => checkRetrainOptions({ retrainEpochs: 0 })).toThrow('--retrain-epochs must be a positive integer (got 0).');
    expect(() => checkRetrainOptions({ atFractions: [1.5] })).toThrow('--at-fractions must lie in [0, 1] (got 1.5).');
  });

  test('densePoints stops where the layer widths change (EB-train pruned there); nearestPoint takes the first of a tie', () => {
    const points = [point(0, 0), point(10, 0), point(20, 1), point(30, 1, [1, 2])];
    expect(densePoints(points).map((p) => p.step)).toEqual([0, 10, 20]);
    expect(nearestPoint(points, 14).step).toBe(10);
    expect(nearestPoint(points, 15).step).toBe(10);
    expect(nearestPoint(points, 99).step).toBe(30);
  });

  test("a prune cell carries the point's coefficients; its masks keep the largest, heads layerwise and FFN global", () => {
    const cell = pruneCell({ kind: 'k', runDir: '/r', retrainEpochs: 2 }, point(20, 1), { heads: 0.5, ffn: 1 / 3 }, '/r/sweep/cells/x.json');
    expect(cell).toMatchObject({ at: 1, step: 20, ratioHeads: 0.5, ratioFfn: 1 / 3, heads: [[1, 2]], ffn: [[3, 2, 1]] });
    const masks = cellMasks(cell)!;
    expect(masks.heads.map((m) => Array.from(m))).toEqual([[0, 1]]);
    expect(masks.ffn.map((m) => Array.from(m))).toEqual([[1, 1, 0]]);
    expect(cellMasks({ ...cell, at: 'dense', heads: undefined, ffn: undefined })).toBeNull();
  });
});

describe('cell and sweep files', () => {
  test("a cell's row: every metric as a column, the score by the headline one, read back through its schema", () => {
    const dir = tmp();
    const cell: SweepCell = { kind: 'k', runDir: dir, at: 2, step: 40, ratioHeads: 0.3, ratioFfn: 0.3, retrainEpochs: 3, file: path.join(dir, 'c.json') };
    writeCell(cell, { ...scoredResult(81.5, 1000, 5e6, 'f1'), metrics: { f1: 81.5, exact_match: 72 }, seconds: 12 });
    expect(readCellRow(cell.file)).toEqual({
      kind: 'ticket',
      source: null,
      at: 2,
      fraction: null,
      criterion: null,
      step: 40,
      ratioHeads: 0.3,
      ratioFfn: 0.3,
      retrainEpochs: 3,
      metric: 'f1',
      score: 81.5,
      parameters: 1000,
      flops: 5e6,
      seconds: 12,
      f1: 81.5,
      exact_match: 72,
    });
    fs.writeFileSync(cell.file, JSON.stringify({ ...readCellRow(cell.file), parameters: 'many' }));
    expect(() => readCellRow(cell.file)).toThrow(CellFileError);
    expect(() => readCellRow(cell.file)).toThrow(
      /c.json': field 'parameters': expected number, received string \(got "many"\); remove it and run the same command again to redo that cell\.$/,
    );
    // cut short or changed by hand: named, never deleted
    fs.writeFileSync(cell.file, '{"kind": "tick');
    expect(() => readCellRow(cell.file)).toThrow(/c\.json' is not valid JSON \(.*\); remove it and run the same command again to redo that cell\.$/);
    expect(fs.existsSync(cell.file)).toBe(true);
  });

  test('results.arrow reads back as written (nulls kept); none before a sweep finished; a foreign table is named', () => {
    const dir = tmp();
    expect(readSweepResults(dir)).toBeNull();
    const row = { kind: 'dense' as const, source: null, at: null, fraction: null, criterion: null, step: null, ratioHeads: 0, ratioFfn: 0, retrainEpochs: 2 };
    const rows = [{ ...row, metric: 'accuracy' as const, score: 0.9, parameters: 10, flops: 20, seconds: 1, accuracy: 0.9 }];
    fs.mkdirSync(path.join(dir, 'sweep'));
    const files = writeSweepResults(dir, rows);
    expect(fs.readFileSync(files.csv, 'utf8').split('\n')[0]).toContain('kind,source,at');
    expect(readSweepResults(dir)).toEqual(rows);
    writeSweepResults(dir, [{ kind: 'dense' }] as never);
    expect(() => readSweepResults(dir)).toThrow(/results.arrow' has no metric, score, parameters, flops, ratioHeads, ratioFfn column/);
  });
});

test("one cell-naming scheme; a sweep folder of ebt before it resumes its equal-share cells where the retrain was the run's whole schedule", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-cells-'));
  const half = { heads: 0.5, ffn: 0.5 };
  expect(path.basename(sweepCellFile(dir, 'step90', half, 3, true))).toBe('step90-r0.5_0.5-e3.json');
  expect(path.basename(sweepCellFile(dir, 'step90', { heads: 0.3, ffn: 0.8 }, 3, true))).toBe('step90-r0.3_0.8-e3.json');
  fs.writeFileSync(path.join(dir, 'step90-r0.5-e3.json'), '{}');
  expect(path.basename(sweepCellFile(dir, 'step90', half, 3, true))).toBe('step90-r0.5-e3.json');
  // a shorter retrain kept the run's warm-up then: its old cell is not taken
  expect(path.basename(sweepCellFile(dir, 'step90', half, 3, false))).toBe('step90-r0.5_0.5-e3.json');
});

test('a sweep call keeps the earlier calls rows it did not redo in results.csv, and replaces those it did', () => {
  const row = (step: number | null, score: number, ratio = 0.3, retrainEpochs = 1): SweepRow => ({
    kind: step === null ? 'dense' : 'ticket',
    source: step === null ? null : 'fraction',
    at: null,
    fraction: null,
    criterion: null,
    step,
    ratioHeads: ratio,
    ratioFfn: ratio,
    metric: 'accuracy',
    score,
    parameters: 1,
    flops: 1,
    seconds: 1,
    retrainEpochs,
  });
  const first = [row(null, 0.9), row(10, 0.8), row(20, 0.85)];
  // a second call at another ratio, and step 20 again
  const second = [row(20, 0.86), row(20, 0.7, 0.8)];
  expect(mergeSweepRows(first, second).map((r) => [r.step, r.ratioHeads, r.score])).toEqual([
    [null, 0.3, 0.9],
    [10, 0.3, 0.8],
    [20, 0.3, 0.86],
    [20, 0.8, 0.7],
  ]);
  // another retrain length is another cell
  expect(mergeSweepRows(first, [row(10, 0.5, 0.3, 3)])).toHaveLength(4);
});

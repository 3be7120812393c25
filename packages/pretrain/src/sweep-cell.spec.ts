import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as aq from 'arquero';
import { sweep } from '@ebt/training';
import { pretrainSmallVit, SWEEP_RUNNER } from './index';

describe('sweep', () => {
  test('retrains tickets at chosen epochs and ratios in worker processes, tabulates them, and resumes without redoing cells', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-sweep-'));
    // a dense slimming run (the criteria never act with --continue dense), one smoke epoch
    await pretrainSmallVit({ preset: 'smoke', epochs: 1, backend: 'wasm', out, progress: false, continueWith: 'dense', sweep: false });
    const first = await sweep(out, { runner: SWEEP_RUNNER, initDir: path.join(out, 'init'), at: [0, 1], ratios: [0.5], retrainEpochs: 1, workers: 2 });
    expect(first.rows.map((r) => [r.kind, r.at, r.ratioHeads])).toEqual([
      ['dense', null, 0],
      ['ticket', 0, 0.5],
      ['ticket', 1, 0.5],
    ]);
    for (const r of first.rows) {
      expect(r.accuracy).toBeGreaterThan(0.1); // better than chance after one epoch
      expect(r.seconds).toBeGreaterThan(0);
    }
    expect(first.rows[1].parameters).toBeLessThan(first.rows[0].parameters);
    const table = aq.fromArrow(fs.readFileSync(first.arrow));
    expect(table.numRows()).toBe(3);
    expect(fs.readFileSync(first.csv, 'utf8').split('\n')[0]).toMatch(/^kind,at,step,ratioHeads,ratioFfn,accuracy/);
    const cellFiles = fs.readdirSync(path.join(out, 'sweep', 'cells'));
    const mtimes = cellFiles.map((f) => fs.statSync(path.join(out, 'sweep', 'cells', f)).mtimeMs);
    const again = await sweep(out, { runner: SWEEP_RUNNER, initDir: path.join(out, 'init'), at: [0, 1], ratios: [0.5], retrainEpochs: 1, workers: 2 });
    expect(again.rows).toEqual(first.rows);
    expect(cellFiles.map((f) => fs.statSync(path.join(out, 'sweep', 'cells', f)).mtimeMs)).toEqual(mtimes);
  }, 180_000);

  test('refuses what is not a small-vit run, and ratios out of range', async () => {
    await expect(sweep(fs.mkdtempSync(path.join(os.tmpdir(), 'x-')), { runner: SWEEP_RUNNER, initDir: '/nonexistent', at: 'all', ratios: [0.3] })).rejects.toThrow(/not a run folder/);
  });
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as aq from 'arquero';
import { localExecutor, sweep } from '@ebt/experiment';
import { pretrainSmallVit, SMALL_VIT } from './index';

describe('sweep', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-sweep-'));
  const half = [{ heads: 0.5, ffn: 0.5 }];

  test('retrains tickets at chosen epochs and ratios in worker processes, tabulates them, and resumes without redoing cells', async () => {
    // a dense slimming run (the criteria never act with --continue dense), one smoke epoch
    await pretrainSmallVit({ preset: 'smoke', epochs: 1, backend: 'wasm', out, progress: false, continueWith: 'dense', sweep: false });
    const first = await sweep(out, {
      kind: SMALL_VIT.module,
      initDir: path.join(out, 'init'),
      at: [0, 1],
      ratios: half,
      retrainEpochs: 1,
      executor: localExecutor({ workers: 2 }),
    });
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
    expect(first.rows.every((r) => r.metric === 'accuracy' && r.score === r.accuracy)).toBe(true);
    expect(first.rows.map((r) => r.source)).toEqual([null, 'epoch', 'epoch']);
    expect(fs.readFileSync(first.csv, 'utf8').split('\n')[0]).toBe(
      'kind,source,at,fraction,criterion,step,ratioHeads,ratioFfn,metric,score,parameters,flops,seconds,accuracy,retrainEpochs',
    );
    const cellFiles = fs.readdirSync(path.join(out, 'sweep', 'cells'));
    const mtimes = cellFiles.map((f) => fs.statSync(path.join(out, 'sweep', 'cells', f)).mtimeMs);
    const again = await sweep(out, {
      kind: SMALL_VIT.module,
      initDir: path.join(out, 'init'),
      at: [0, 1],
      ratios: half,
      retrainEpochs: 1,
      executor: localExecutor({ workers: 2 }),
    });
    expect(again.rows).toEqual(first.rows);
    expect(cellFiles.map((f) => fs.statSync(path.join(out, 'sweep', 'cells', f)).mtimeMs)).toEqual(mtimes);
  }, 180_000);

  test('refuses a folder that is not a run, ratios out of range, and a retraining of 0 epochs', async () => {
    const options = { kind: SMALL_VIT.module, initDir: path.join(out, 'init'), at: [1] };
    await expect(sweep(fs.mkdtempSync(path.join(os.tmpdir(), 'x-')), { ...options, ratios: half })).rejects.toThrow(/not a run folder/);
    await expect(sweep(out, { ...options, ratios: [{ heads: 0.3, ffn: 1.2 }] })).rejects.toThrow('--ratios: each share must lie in [0, 1) (got 0.3:1.2).');
    await expect(sweep(out, { ...options, ratios: half, retrainEpochs: 0 })).rejects.toThrow('--retrain-epochs must be a positive integer (got 0).');
    expect(fs.readdirSync(path.join(out, 'sweep', 'cells'))).toHaveLength(3); // nothing new written
  });
});

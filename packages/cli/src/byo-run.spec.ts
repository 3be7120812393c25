/**
 * Bring your own run (docs/bring-your-own-run.md): a slimming run recorded in PyTorch by the docs' snippet, then
 * `ebt detect` on it as a step-ordered CSV, a per-coefficient-ordered CSV, Parquet and the seed's .npy pair -
 * the same draw from each - and `ebt prune` by it. Needs Debian's python3-torch; EBT_REQUIRE_TORCH (set by
 * .ci/run) makes its absence a failure instead of a skip.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { runCli } from '../test/run-cli';

const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status === 0;
if (!hasTorch && process.env.EBT_REQUIRE_TORCH) throw new Error(`EBT_REQUIRE_TORCH is set but ${PYTHON} cannot import torch and numpy`);
const withTorch = hasTorch ? describe : describe.skip;

withTorch('a PyTorch run brought to ebt', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-byo-'));
  beforeAll(() => {
    const r = spawnSync(PYTHON, [path.join(__dirname, '..', 'test', 'torch_slimming_run.py'), dir, '300'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    // Parquet as pandas' to_parquet writes the long format (int64 positions, float32 values)
    const lines = fs
      .readFileSync(path.join(dir, 'trajectory.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const ints = (j: number) => lines.map((f) => BigInt(f[j]));
    fs.writeFileSync(
      path.join(dir, 'trajectory.parquet'),
      new Uint8Array(
        parquetWriteBuffer({
          columnData: [
            { name: 'step', data: ints(0), type: 'INT64' },
            { name: 'epoch', data: ints(1), type: 'INT64' },
            { name: 'kind', data: lines.map((f) => f[2]), type: 'STRING' },
            { name: 'layer', data: ints(3), type: 'INT64' },
            { name: 'index', data: ints(4), type: 'INT64' },
            { name: 'value', data: lines.map((f) => Number(f[5])), type: 'FLOAT' },
          ],
        }),
      ),
    );
  });

  test('ebt detect draws at the same step from the CSV, the per-coefficient CSV, Parquet and the seed .npy pair', () => {
    const sources = ['trajectory.csv', 'by-coefficient.csv', 'trajectory.parquet', 'self_slimming_coef_records.npy', '.'].map((f) => path.join(dir, f));
    for (const criterion of [
      ['--criterion', 'nuclear-stationarity', '--windows', 'smoke'],
      ['--criterion', 'mask-distance'],
    ]) {
      const answers = sources.map((file) => {
        const r = runCli(['detect', '--trajectory', file, ...criterion]);
        expect({ file, status: r.status, stderr: r.stderr }).toEqual({ file, status: 0, stderr: '' });
        const { drawnAt, points, settling } = JSON.parse(r.stdout);
        return { drawnAt, points, settling };
      });
      expect(answers[0].points).toBe(300);
      expect(answers[0].drawnAt).not.toBeNull(); // the L1 penalty settles the masks within 300 steps
      for (const a of answers.slice(1)) expect(a).toEqual(answers[0]);
    }
  });

  test('the snippet in docs/bring-your-own-run.md is the one this run used', () => {
    const docs = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'bring-your-own-run.md'), 'utf8');
    const script = fs.readFileSync(path.join(__dirname, '..', 'test', 'torch_slimming_run.py'), 'utf8');
    const snippet = script.split('# --- snippet: docs/bring-your-own-run.md ---\n')[1].split('    # --- end of snippet ---')[0];
    const dedented = snippet
      .split('\n')
      .map((l) => l.replace(/^ {4}/, ''))
      .join('\n')
      .trim();
    expect(docs).toContain(dedented);
  });
});

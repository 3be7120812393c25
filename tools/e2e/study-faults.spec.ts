import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ebt, leftovers, writesOf } from './fault-injection';

/**
 * A study's cells: a worker killed mid-study, and a disk that fills up mid-study. Every cell that finished
 * stays as it was; running the same command again redoes only the rest and ends with the study an
 * uninterrupted one writes (seconds aside).
 */
describe('a study interrupted in its cells keeps every finished cell', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-study-faults-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const args = (out: string) => [
    'study',
    'small-vit',
    '--preset',
    'smoke',
    '--seeds',
    '1',
    '--ratios',
    '0.5:0.5',
    '--at-fractions',
    '0.5',
    '--out',
    out,
    '--json',
  ];
  const reference = path.join(root, 'reference');
  let writes: string[] = [];
  let expected: unknown;

  /** study.json without its clock: seconds, wall clock and the like */
  const timeless = (dir: string) =>
    JSON.parse(fs.readFileSync(path.join(dir, 'study.json'), 'utf8'), (k, v) => (/seconds|wallClock|Seconds/.test(k) ? undefined : v));
  /** the cells' files, each without its seconds */
  const cells = (dir: string) =>
    Object.fromEntries(
      fs
        .readdirSync(path.join(dir, 'cells'))
        .filter((f) => f.endsWith('.json'))
        .map((f) => [f, JSON.parse(fs.readFileSync(path.join(dir, 'cells', f), 'utf8'), (k, v) => (k === 'seconds' ? undefined : v))]),
    );

  beforeAll(() => {
    const log = `${reference}.log`;
    expect(ebt(args(reference), { EBT_WRITE_LOG: log }).status).toBe(0);
    writes = writesOf(log);
    expected = timeless(reference);
  }, 900_000);

  const cellWrites = () => writes.map((f, i) => ({ f, n: i + 1 })).filter(({ f }) => /[/\\]cells[/\\][^/\\]+\.json$/.test(f));

  test('a worker killed after its second cell: the study says which cell failed, keeps the finished ones, and finishes when run again', () => {
    const out = path.join(root, 'killed');
    const second = cellWrites()[1].n;
    const killed = ebt(args(out), { EBT_FAILPOINT_WRITE: String(second), EBT_WRITE_LOG: `${out}.log` });
    expect(killed.status).toBe(1);
    expect(killed.stderr).toMatch(/^ebt: failed: cell seed1-\S+: its worker was killed by SIGKILL$/m);
    const kept = cells(out);
    const all = cells(reference);
    expect(Object.keys(kept).length).toBeGreaterThanOrEqual(2);
    for (const [f, cell] of Object.entries(kept)) expect({ f, cell }).toEqual({ f, cell: all[f] });
    const again = ebt(args(out));
    expect({ status: again.status, stderr: again.status === 0 ? '' : again.stderr }).toEqual({ status: 0, stderr: '' });
    expect(again.stderr).toMatch(/ebt study: \d+ prune-and-retrain cells, [1-9]\d* already done/);
    expect(timeless(out)).toEqual(expected);
    expect(cells(out)).toEqual(all);
    expect(leftovers(out)).toEqual([]);
  }, 900_000);

  test('a full disk at the third cell: exit 1 naming the file, the finished cells kept, the same study once there is space', () => {
    const out = path.join(root, 'full');
    const third = cellWrites()[2];
    const full = ebt(args(out), { EBT_FAILPOINT_WRITE: `${third.n}:full`, EBT_WRITE_LOG: `${out}.log` });
    expect(full.status).toBe(1);
    const cell = path.basename(third.f, '.json');
    expect(full.stderr.trim().split('\n').pop()).toBe(
      `ebt: failed: cell ${cell}: Cannot write '${path.join(out, 'cells', `${cell}.json`)}': no space left on the device (ENOSPC). ` +
        'Free some space, then run the same command again (pretrain and finetune with --resume): what was written is kept.',
    );
    const kept = cells(out);
    const all = cells(reference);
    expect(Object.keys(kept).length).toBe(2);
    for (const [f, cell] of Object.entries(kept)) expect({ f, cell }).toEqual({ f, cell: all[f] });
    const again = ebt(args(out));
    expect({ status: again.status, stderr: again.status === 0 ? '' : again.stderr }).toEqual({ status: 0, stderr: '' });
    expect(again.stderr).toMatch(/ebt study: \d+ prune-and-retrain cells, [1-9]\d* already done/);
    expect(timeless(out)).toEqual(expected);
    expect(leftovers(out)).toEqual([]);
  }, 900_000);
});

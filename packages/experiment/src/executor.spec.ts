/** The task protocol between executors and runners: the argument forms, both ways. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CELL_DONE } from './executor';
import { localExecutor, parseTaskArgument, taskArgument } from './index';

test('a list of cells, the K-th of a list, and a cell given inline', () => {
  expect(taskArgument('/runs/x/slurm/stage.cells.json')).toBe('@/runs/x/slurm/stage.cells.json');
  expect(taskArgument('/runs/x/cells.json', 3)).toBe('@/runs/x/cells.json#3');
  // a queue's array index, left for the shell to fill in
  expect(taskArgument('/c.json', '${SLURM_ARRAY_TASK_ID}')).toBe('@/c.json#${SLURM_ARRAY_TASK_ID}');
  expect(parseTaskArgument(taskArgument('/runs/x/cells.json'))).toEqual({ file: '/runs/x/cells.json' });
  expect(parseTaskArgument(taskArgument('/runs/x/cells.json', 3))).toEqual({ file: '/runs/x/cells.json', index: 3 });
  expect(parseTaskArgument('{"file":"/runs/x/cell.json"}')).toBeNull();
});

describe('the local executor leaves nothing in $TMPDIR (issue 34 item 11)', () => {
  const tmp = os.tmpdir();
  // this process's executors' lists only: other test processes (the native run of this suite) run executors beside it
  const shares = () => fs.readdirSync(tmp).filter((f) => f.startsWith(`ebt-cells-${process.pid}-`));

  test("a worker's cell list is removed whether the worker succeeds or dies; a killed executor's lists go at the next start", async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'ebt-exec-'));
    // a runner that does its cells, or kills itself at the one named 'die'
    const runner = path.join(dir, 'runner.js');
    fs.writeFileSync(
      runner,
      `const cells = JSON.parse(require('fs').readFileSync(process.argv[2].slice(1), 'utf8'));
       for (const c of cells) { if (c.file.endsWith('die.json')) process.kill(process.pid, 'SIGKILL'); require('fs').writeFileSync(c.file, '{}'); console.log(${JSON.stringify(CELL_DONE)} + c.file); }
       process.exit(0);`,
    );
    const stale = path.join(tmp, 'ebt-cells-999999999-abcdef'); // an executor that was killed (no such process)
    fs.mkdirSync(stale);
    fs.writeFileSync(path.join(stale, 'cells.json'), '[]');
    expect(shares()).toEqual([]);
    await expect(localExecutor({ workers: 1 }).run([{ file: path.join(dir, 'a.json') }], runner)).resolves.toEqual({ done: true });
    expect(fs.existsSync(stale)).toBe(false);
    await expect(localExecutor({ workers: 1 }).run([{ file: path.join(dir, 'die.json') }], runner)).rejects.toThrow(
      'cell die: its worker was killed by SIGKILL',
    );
    expect(shares()).toEqual([]);
  });
});

test('Ctrl-C during a local stage: the workers are told, the finished cells stay, and the stage says so (exit 130)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-exec-'));
  // a worker that finishes its first cell, then waits; SIGINT stops it as training does (after saving), exit 130
  const runner = path.join(dir, 'runner.js');
  fs.writeFileSync(
    runner,
    `const cells = JSON.parse(require('fs').readFileSync(process.argv[2].slice(1), 'utf8'));
     process.on('SIGINT', () => { process.stderr.write('ebt: interrupted\\n'); process.exit(130); });
     require('fs').writeFileSync(cells[0].file, '{}'); console.log(${JSON.stringify(CELL_DONE)} + cells[0].file);
     setTimeout(() => {}, 60000);`,
  );
  const driver = `require(${JSON.stringify(require.resolve('tsx/cjs'))});
    const { localExecutor } = require(${JSON.stringify(path.join(__dirname, 'index.ts'))});
    localExecutor({ workers: 1 }).run(['a', 'b', 'c'].map((n) => ({ file: ${JSON.stringify(dir)} + '/' + n + '.json' })), ${JSON.stringify(runner)})
      .then(() => process.exit(0), (e) => { process.stderr.write(e.message + '\\n'); process.exit(e.exitCode ?? 1); });`;
  const child = spawn(process.execPath, ['-e', driver], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  // the worker's first cell (a minute at most, under CI's load), then a second for the driver to read its line
  for (let i = 0; i < 1200 && !fs.existsSync(path.join(dir, 'a.json')); i++) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 1000));
  child.kill('SIGINT'); // the driver alone, as `kill -INT` does: it tells its worker
  const code = await new Promise((resolve) => child.on('exit', resolve));
  expect({ code, stderr }).toEqual({
    code: 130,
    stderr: 'Interrupted: 1 of 3 cells of this stage are done and kept; run the same command again to do the rest.\n',
  });
  expect(fs.readdirSync(dir).sort()).toEqual(['a.json', 'runner.js']);
}, 120_000);

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Executor, LOCK_FILE, study } from './index';

/** A run kind that only names itself (the folder is checked and locked before the kind does anything), and an executor that queues and returns. */
function setup() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-study-folder-'));
  const kind = path.join(root, 'kind.js');
  fs.writeFileSync(kind, "exports.runKind = { command: 'test kind' };\n");
  const queued: Executor = { name: 'queue', describe: () => 'a queue', run: async () => ({ done: false, jobs: ['1'], note: 'queued' }) };
  return { dir: path.join(root, 'study'), options: { seeds: [1], kind, runOptions: { lr: 1e-3 }, executor: queued } };
}

describe('a study owns its folder while it runs (issue 34 item 7)', () => {
  test('a second study of a folder in use is refused, naming the process, and writes nothing', async () => {
    const { dir, options } = setup();
    fs.mkdirSync(dir);
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
    try {
      fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: child.pid, host: os.hostname(), started: 'then' }));
      await expect(study(dir, options)).rejects.toThrow(new RegExp(`is in use by process ${child.pid} on ${os.hostname()} \\(since then\\)`));
      expect(fs.readdirSync(dir)).toEqual([LOCK_FILE]);
    } finally {
      child.kill();
      await new Promise((resolve) => child.on('exit', resolve));
    }
  });

  test("a killed study's temporary files are cleared by the next call, which releases the folder when it returns", async () => {
    const { dir, options } = setup();
    const logged: string[] = [];
    expect((await study(dir, { ...options, log: (l) => logged.push(l) })).submitted).toEqual({ jobs: ['1'], note: 'queued' });
    fs.writeFileSync(path.join(dir, '.study.json.123.456.tmp'), '{"half":');
    fs.writeFileSync(path.join(dir, 'cells', '.d1.json.123.456.tmp'), '{');
    fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: 999999999, host: os.hostname(), started: 'then' })); // a dead study's
    await study(dir, { ...options, log: (l) => logged.push(l) });
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp') || f === LOCK_FILE)).toEqual([]);
    expect(fs.readdirSync(path.join(dir, 'cells'))).toEqual([]);
    expect(logged).toContain(`ebt: taking over the lock of '${dir}' from process 999999999, which is no longer running`);
  });
});

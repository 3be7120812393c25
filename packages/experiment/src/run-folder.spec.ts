import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkRunFolder, LOCK_FILE, lockFolder, openRunFolder } from './index';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-folder-'));

describe('run folder ownership', () => {
  test('a folder that holds a run is refused without --resume, and cleared with --overwrite', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'run.json'), '{}');
    expect(() => checkRunFolder(dir)).toThrow(`--out: '${dir}' already holds a run; continue it with --resume, or replace it with --overwrite.`);
    expect(() => openRunFolder(dir, { resume: true, overwrite: true })).toThrow('--resume and --overwrite exclude each other.');
    const lock = openRunFolder(dir, { overwrite: true });
    expect(fs.readdirSync(dir)).toEqual([LOCK_FILE]);
    lock.release();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('a start cut short before run.json (only its scratch model, a temporary file) is started again, not a dead end', () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'scratch-model'));
    fs.writeFileSync(path.join(dir, 'scratch-model', 'vocab.txt'), '[PAD]');
    fs.writeFileSync(path.join(dir, '.run.json.123.456.tmp'), '{');
    expect(() => checkRunFolder(dir, { resume: true })).toThrow(
      `--resume: '${dir}' holds no run: its start was cut short before run.json was written; start it again without --resume.`,
    );
    const lock = openRunFolder(dir);
    expect(fs.readdirSync(dir)).toEqual([LOCK_FILE]); // what the cut start left is cleared
    lock.release();
    // anything else in the folder is not ours to clear
    fs.mkdirSync(path.join(dir, 'scratch-model'));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    expect(() => checkRunFolder(dir)).toThrow(/already holds a run/);
  });

  test('--resume needs a run; --out naming a file is refused', () => {
    const dir = tmp();
    expect(() => checkRunFolder(dir, { resume: true })).toThrow(`--resume: '${dir}' holds no run (run.json is missing).`);
    const file = path.join(dir, 'f');
    fs.writeFileSync(file, 'x');
    expect(() => checkRunFolder(file)).toThrow(`--out: '${file}' is a file, not a folder.`);
  });

  test('a live lock of another process is refused, naming it; a dead one is taken over with a note', async () => {
    const dir = tmp();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
    try {
      fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: child.pid, host: os.hostname(), started: 'then' }));
      expect(() => openRunFolder(dir)).toThrow(new RegExp(`is in use by process ${child.pid} on ${os.hostname()} \\(since then\\)`));
    } finally {
      child.kill();
      await new Promise((resolve) => child.on('exit', resolve));
    }
    const notes: string[] = [];
    const lock = openRunFolder(dir, { log: (l) => notes.push(l) });
    expect(notes).toEqual([`ebt: taking over the lock of '${dir}' from process ${child.pid}, which is no longer running`]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });
});

test("the lock is re-entrant in one process (pretrain's own sweep and report share it); another process's is refused, naming the folder", async () => {
  const dir = tmp();
  const outer = lockFolder(dir);
  const inner = lockFolder(dir, undefined, null);
  inner.release();
  inner.release(); // twice is once
  expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
  outer.release();
  expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
  try {
    fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: child.pid, host: os.hostname(), started: 'then' }));
    expect(() => lockFolder(dir, undefined, null)).toThrow(
      `'${dir}' is in use by process ${child.pid} on ${os.hostname()} (since then); wait for it, or stop it.`,
    );
  } finally {
    child.kill();
    await new Promise((resolve) => child.on('exit', resolve));
  }
});

describe('a refused --resume changes nothing (issue 34 item 5)', () => {
  test('a damaged trajectory, ticket.json or detections.json refuses the resume before the lock or run.json are touched', () => {
    for (const [file, content, message] of [
      ['trajectory.arrow', 'ARROW1 but not really', /trajectory\.arrow' is not an Arrow IPC file/],
      ['ticket/ticket.json', '{"step": ', /ticket\.json/],
      ['detections.json', '{"criteria": [', /detections\.json' is not valid JSON/],
    ] as const) {
      const dir = tmp();
      fs.writeFileSync(path.join(dir, 'run.json'), '{"started": "then"}');
      fs.mkdirSync(path.join(dir, 'ticket'));
      fs.writeFileSync(path.join(dir, file), content);
      const before = fs.readdirSync(dir, { recursive: true }).map(String).sort();
      expect(() => openRunFolder(dir, { resume: true })).toThrow(message);
      expect(fs.readdirSync(dir, { recursive: true }).map(String).sort()).toEqual(before); // no lock, nothing rewritten
      expect(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')).toBe('{"started": "then"}');
    }
  });
});

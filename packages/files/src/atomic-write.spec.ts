import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunError } from '@ebt/errors';
import { isAtomicTemp, writeFileAtomic } from './index';

describe('writeFileAtomic', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-atomic-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('replaces a file whole and leaves no temporary file behind', () => {
    const file = path.join(dir, 'run.json');
    writeFileAtomic(file, 'first');
    writeFileAtomic(file, new TextEncoder().encode('second'));
    expect(fs.readFileSync(file, 'utf8')).toBe('second');
    expect(fs.readdirSync(dir)).toEqual(['run.json']);
  });

  it('names the file it could not write, as a run error (exit 1), and cleans up', () => {
    const file = path.join(dir, 'no-such-folder', 'x.json');
    expect(() => writeFileAtomic(file, 'x')).toThrow(RunError);
    expect(() => writeFileAtomic(file, 'x')).toThrow(new RegExp(file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    expect(fs.readdirSync(dir).filter(isAtomicTemp)).toEqual([]);
  });

  it('tells its temporary files apart from the files it writes', () => {
    expect(isAtomicTemp('.run.json.1234.1700000000000.tmp')).toBe(true);
    expect(isAtomicTemp('run.json')).toBe(false);
  });
});

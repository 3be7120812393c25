import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fromSystemError } from './system-error';
import { RunError, UsageError } from './errors';

const errorOf = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
};

describe('fromSystemError', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-syserr-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('names the path of a real ENOTDIR and exits 2', () => {
    const file = path.join(dir, 'plain');
    fs.writeFileSync(file, 'x');
    const e = fromSystemError(errorOf(() => fs.mkdirSync(path.join(file, 'sub'))));
    expect(e).toBeInstanceOf(UsageError);
    expect(e!.message).toBe(`Cannot create '${path.join(file, 'sub')}': a part of the path is a file, not a folder (ENOTDIR).`);
  });

  it('names the file it was given instead of a temporary one', () => {
    const raw = errorOf(() => fs.readFileSync(path.join(dir, 'missing')));
    expect(fromSystemError(raw, '/runs/a/run.json')!.message).toBe(`Cannot write '/runs/a/run.json': no such file or folder (ENOENT).`);
  });

  it('tells what to do on a full disk, with exit 1', () => {
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
    const e = fromSystemError(full, '/runs/a/checkpoints/last.safetensors');
    expect(e).toBeInstanceOf(RunError);
    expect(e!.message).toBe(
      "Cannot write '/runs/a/checkpoints/last.safetensors': no space left on the device (ENOSPC). Free some space, then run the same command again (pretrain and finetune with --resume): what was written is kept.",
    );
  });

  it('leaves errors that are not system errors alone', () => {
    expect(fromSystemError(new TypeError('x'))).toBeNull();
    expect(fromSystemError(new UsageError('x'))).toBeNull();
    expect(fromSystemError('text')).toBeNull();
  });
});

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fromSystemError } from '@ebt/errors';

/**
 * Fault injection for the crash tests (docs/run-folder.md). EBT_WRITE_LOG=FILE appends one line per atomic
 * write (pid, file) to FILE, from every process of a run (the sweep's workers too). EBT_FAILPOINT_WRITE=N
 * kills the process that makes the N-th write with SIGKILL, after its rename, or before it with `N:before`
 * (the temporary file then stays behind, as after a real crash); `N:full` makes the N-th write and every
 * later one fail as on a full disk (ENOSPC, half the data written first). N counts the lines of
 * EBT_WRITE_LOG when it is set, else this process's writes. Every state change of a run is such a write, so
 * N picks a point anywhere in a run.
 */
const failpoint = (() => {
  const m = /^(\d+)(?::(before|full))?$/.exec(process.env.EBT_FAILPOINT_WRITE ?? '');
  return m ? { at: Number(m[1]), before: m[2] === 'before', full: m[2] === 'full' } : null;
})();
let writes = 0;

function countWrite(file: string): number {
  const log = process.env.EBT_WRITE_LOG;
  if (!log) return ++writes;
  fs.appendFileSync(log, `${process.pid} ${file}\n`);
  return fs.readFileSync(log, 'utf8').split('\n').length - 1;
}

/** Writes a file through a temporary sibling and a rename, so that no reader ever sees half of it. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const n = failpoint || process.env.EBT_WRITE_LOG ? countWrite(file) : 0;
  try {
    if (failpoint?.full && n >= failpoint.at) fillDisk(tmp, data);
    fs.writeFileSync(tmp, data);
    if (failpoint?.before && failpoint.at === n) process.kill(process.pid, 'SIGKILL');
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw fromSystemError(e, file) ?? e;
  }
  if (failpoint && !failpoint.before && failpoint.at === n) process.kill(process.pid, 'SIGKILL');
}

/** A full disk as `write` meets it: part of the data lands, then ENOSPC. */
function fillDisk(tmp: string, data: string | Uint8Array): never {
  fs.writeFileSync(tmp, data.slice(0, Math.floor(data.length / 2)));
  throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC', errno: -28, syscall: 'write' });
}

/** Whether `name` is a temporary file of writeFileAtomic (left behind by a crash; safe to delete once the run folder is locked). */
export const isAtomicTemp = (name: string): boolean => /^\..+\.\d+\.\d+\.tmp$/.test(name);

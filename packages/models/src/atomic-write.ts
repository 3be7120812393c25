import * as fs from 'node:fs';
import * as path from 'node:path';
import { fromSystemError } from '@ebt/errors';

/**
 * Fault injection for the crash tests (docs/run-folder.md): EBT_FAILPOINT_WRITE=N kills this process with
 * SIGKILL at its N-th atomic write, after the rename, or before it with `N:before` (the temporary file
 * then stays behind, as after a real crash). Every state change of a run is such a write, so N picks a
 * point anywhere in a run.
 */
const failpoint = (() => {
  const m = /^(\d+)(:before)?$/.exec(process.env.EBT_FAILPOINT_WRITE ?? '');
  return m ? { at: Number(m[1]), before: Boolean(m[2]) } : null;
})();
let writes = 0;

/** Writes a file through a temporary sibling and a rename, so that no reader ever sees half of it. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  writes += 1;
  try {
    fs.writeFileSync(tmp, data);
    if (failpoint?.before && failpoint.at === writes) process.kill(process.pid, 'SIGKILL');
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw fromSystemError(e, file) ?? e;
  }
  if (failpoint && !failpoint.before && failpoint.at === writes) process.kill(process.pid, 'SIGKILL');
}

/** Whether `name` is a temporary file of writeFileAtomic (left behind by a crash; safe to delete once the run folder is locked). */
export const isAtomicTemp = (name: string): boolean => /^\..+\.\d+\.\d+\.tmp$/.test(name);

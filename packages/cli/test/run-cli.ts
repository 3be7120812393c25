import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export const bin = path.join(__dirname, '..', 'bin', 'ebt.js');

/**
 * How long a test lets one `ebt` process run. It only guards against a hang: CI runs four test processes on two
 * cores, where a run that takes a minute alone can take four or more (speed is the benchmarks' job).
 */
export const HANG_GUARD_MS = 600_000;

/** Runs the real `ebt` binary in a child process. */
export function runCli(args: string[], input?: string, env: Record<string, string> = {}, timeout = HANG_GUARD_MS) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

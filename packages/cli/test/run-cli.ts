import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const bin = path.join(__dirname, '..', 'bin', 'ebt.js');

/**
 * Runs the real `ebt` binary in a child process. The time limit only guards against a hang: CI runs four test
 * processes on two cores, where a run that takes a minute alone can take four or more (speed is the benchmarks' job).
 */
export function runCli(args: string[], input?: string, env: Record<string, string> = {}, timeout = 600_000) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

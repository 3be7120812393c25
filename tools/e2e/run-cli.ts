import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export const bin = path.join(__dirname, '..', '..', 'packages', 'cli', 'bin', 'ebt.js');

/** Runs the real `ebt` binary in a child process. */
export function runCli(args: string[], input?: string, env: Record<string, string> = {}, timeout = 120_000) {
  const r = spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8', env: { ...process.env, ...env }, timeout });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

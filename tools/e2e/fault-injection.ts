/**
 * What the fault-injection specs share: the real binary run without inherited failpoints, a run's writes as
 * EBT_WRITE_LOG logs them (packages/files/src/atomic-write.ts), and what a crash may leave behind.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bin, HANG_GUARD_MS } from './run-cli';

export interface Outcome {
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

export function ebt(args: string[], env: Record<string, string> = {}): Outcome {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('EBT_FAILPOINT') && k !== 'EBT_WRITE_LOG'));
  const r = spawnSync(process.execPath, [bin, ...args], { env: { ...clean, ...env }, encoding: 'utf8', timeout: HANG_GUARD_MS });
  return { status: r.status, signal: r.signal, stderr: r.stderr };
}

/**
 * Everything a run leaves that does not depend on the clock: CSVs without their seconds columns, the report
 * (which shows times) only as present, other files by their sha256.
 */
export function contents(dir: string, files: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of files) {
    const file = path.join(dir, f);
    if (!fs.existsSync(file)) {
      out[f] = '<missing>';
      continue;
    }
    if (f.endsWith('.html')) {
      out[f] = '<present>';
      continue;
    }
    if (!f.endsWith('.csv')) {
      out[f] = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
      continue;
    }
    const [header, ...rows] = fs.readFileSync(file, 'utf8').trim().split('\n');
    const keep = header.split(',').map((c) => c !== 'seconds');
    out[f] = [header, ...rows]
      .map((l) =>
        l
          .split(',')
          .filter((_, i) => keep[i])
          .join(','),
      )
      .join('\n');
  }
  return out;
}

export const leftovers = (dir: string) => fs.readdirSync(dir, { recursive: true }).filter((f) => /\.tmp$|\.ebt-lock$/.test(String(f)));

/** The writes of a run, in order, as logged by EBT_WRITE_LOG (one line per write: pid and file). */
export const writesOf = (log: string) =>
  fs
    .readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.slice(l.indexOf(' ') + 1));

/** A seeded uniform generator (mulberry32): the points a run is killed at are the same on every machine. */
export function seeded(seed: number): { next(): number } {
  let a = seed >>> 0;
  return {
    next() {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

export const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The processes that wrote to a run's log (EBT_WRITE_LOG: one line per write, pid first). */
export const pidsOf = (log: string) => [
  ...new Set(
    fs
      .readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => Number(l.split(' ')[0])),
  ),
];

/** The processes that wrote to a run's log and are still running 30 s after the run ended (a worker sees its parent go between two steps; under CI's load a step can take seconds). */
export async function survivors(log: string): Promise<number[]> {
  const pids = pidsOf(log);
  for (let i = 0; i < 300 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
  return pids.filter(alive);
}

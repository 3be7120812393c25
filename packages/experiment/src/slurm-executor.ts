/**
 * The Slurm executor: the cells of a stage go to the cluster as one job array (`sbatch --array=0-N%M`), each
 * task running one cell by index on the shared filesystem where the run or study folder lives. The batch
 * script is written beside the cells (`slurm/<stage>.sbatch`) so that a user can read and resubmit it. ebt
 * waits, printing progress from `squeue` and the result files; a cell counts as done only when its result
 * file is in place, and the cells a task left undone (cancelled, node failure, time limit) are resubmitted
 * once, then reported with their Slurm state and log.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunError, UsageError } from '@ebt/errors';
import { writeFileAtomic } from '@ebt/models';
import { Executor, ExecutorCell } from './local-executor';

export interface SlurmOptions {
  /** where slurm/ (scripts, cell lists, logs) is written: the run or study folder */
  dir: string;
  partition?: string;
  /** sbatch --time, e.g. 02:00:00 */
  time?: string;
  cpusPerTask?: number;
  /** sbatch --mem, e.g. 8G */
  mem?: string;
  /** sbatch --gres, e.g. gpu:1 */
  gres?: string;
  /** at most this many tasks of an array at once (the %M of --array) */
  maxParallel?: number;
  /** any other sbatch option, as written on its command line */
  args?: string[];
  /** seconds between two looks at the queue (default 2) */
  poll?: number;
  /** environment for the tasks (EBT_BACKEND passes through) */
  env?: Record<string, string | undefined>;
  log?: (line: string) => void;
}

interface TaskState {
  index: number;
  state: string;
}

function slurm(cmd: string, args: string[]): { status: number | null; stdout: string; stderr: string; missing: boolean } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: process.env });
  const missing = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  return { status: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '').trim(), missing };
}

/** The first line of Slurm's own message, for an error sentence. */
const slurmSays = (stderr: string) => stderr.split('\n').find((l) => l.trim()) ?? 'no message';

export function slurmExecutor(o: SlurmOptions): Executor {
  for (const [flag, v] of [
    ['--slurm-cpus-per-task', o.cpusPerTask],
    ['--slurm-max-parallel', o.maxParallel],
  ] as const) {
    if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new UsageError(`${flag} must be a positive integer (got ${v}).`);
  }
  const slurmDir = path.join(o.dir, 'slurm');
  let stage = 0;
  return {
    name: 'slurm',
    describe: () => `Slurm job arrays${o.partition ? ` on partition ${o.partition}` : ''}${o.maxParallel ? `, at most ${o.maxParallel} at once` : ''}`,
    async run(cells, runner) {
      if (cells.length === 0) return;
      const which = slurm('sbatch', ['--version']);
      if (which.missing) throw new UsageError("--executor slurm: sbatch is not on PATH; install Slurm's client commands, or use --executor local.");
      stage += 1;
      const name = `${path.basename(runner).replace(/\.[tj]s$/, '')}-${stage}`;
      fs.mkdirSync(path.join(slurmDir, 'logs'), { recursive: true });
      const list = path.join(slurmDir, `${name}.cells.json`);
      writeFileAtomic(list, JSON.stringify(cells));
      const script = path.join(slurmDir, `${name}.sbatch`);
      writeFileAtomic(script, batchScript(o, name, list, runner));
      fs.chmodSync(script, 0o755);
      let pending = cells.map((_, i) => i);
      const failures: string[] = [];
      for (let attempt = 1; attempt <= 2 && pending.length > 0; attempt++) {
        const job = submit(o, script, pending);
        o.log?.(`ebt: submitted ${pending.length} cells as Slurm job array ${job} (${script})${attempt > 1 ? ', again' : ''}`);
        const states = await waitFor(o, job, cells, pending);
        const undone = pending.filter((i) => !fs.existsSync(cells[i].file));
        if (undone.length === 0) return;
        if (attempt === 2) {
          for (const i of undone) {
            const log = path.join(slurmDir, 'logs', `${name}-${job}_${i}.out`);
            failures.push(`${path.basename(cells[i].file, '.json')} (task ${job}_${i}: ${states.get(i) ?? 'gone'}; log ${log})`);
          }
        } else o.log?.(`ebt: ${undone.length} cells left undone (${undone.map((i) => `${i}: ${states.get(i) ?? 'gone'}`).join(', ')}); resubmitting them once`);
        pending = undone;
      }
      if (failures.length) throw new RunError(`${failures.length} cells failed on Slurm: ${failures.join('; ')}`);
    },
  };
}

function batchScript(o: SlurmOptions, name: string, list: string, runner: string): string {
  const lines = ['#!/bin/bash', `#SBATCH --job-name=ebt-${name}`, `#SBATCH --output=${path.join(path.dirname(list), 'logs', `${name}-%A_%a.out`)}`];
  if (o.partition) lines.push(`#SBATCH --partition=${o.partition}`);
  if (o.time) lines.push(`#SBATCH --time=${o.time}`);
  if (o.cpusPerTask) lines.push(`#SBATCH --cpus-per-task=${o.cpusPerTask}`);
  if (o.mem) lines.push(`#SBATCH --mem=${o.mem}`);
  if (o.gres) lines.push(`#SBATCH --gres=${o.gres}`);
  for (const a of o.args ?? []) lines.push(`#SBATCH ${a}`);
  const env = Object.entries(o.env ?? {}).filter(([, v]) => v !== undefined);
  lines.push(
    '',
    '# one cell per array task; each task uses the CPUs Slurm gave it',
    'export EBT_NATIVE_THREADS="${SLURM_CPUS_PER_TASK:-1}" OMP_NUM_THREADS="${SLURM_CPUS_PER_TASK:-1}"',
    ...env.map(([k, v]) => `export ${k}=${JSON.stringify(v)}`),
    `cd ${JSON.stringify(process.cwd())}`,
    `exec ${JSON.stringify(process.execPath)} --require ${JSON.stringify(require.resolve('tsx/cjs'))} ${JSON.stringify(runner)} "@${list}#\${SLURM_ARRAY_TASK_ID}"`,
    '',
  );
  return lines.join('\n');
}

function submit(o: SlurmOptions, script: string, indices: number[]): string {
  const array = `${indices.join(',')}${o.maxParallel ? `%${o.maxParallel}` : ''}`;
  const r = slurm('sbatch', ['--parsable', `--array=${array}`, script]);
  if (r.status !== 0) throw new UsageError(`--executor slurm: sbatch refused the job (${slurmSays(r.stderr)}); the script is ${script}.`);
  return r.stdout.trim().split(';')[0];
}

/** Polls until no task of the array is queued or running; returns each task's last state seen. */
async function waitFor(o: SlurmOptions, job: string, cells: ExecutorCell[], indices: number[]): Promise<Map<number, string>> {
  const seen = new Map<number, string>();
  let last = '';
  for (;;) {
    const q = slurm('squeue', ['-h', '-r', '-j', job, '-o', '%i %T']);
    const tasks: TaskState[] =
      q.status === 0
        ? q.stdout
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((l) => {
              const [id, state] = l.trim().split(/\s+/);
              return { index: Number(id.split('_')[1]), state };
            })
        : [];
    for (const t of tasks) seen.set(t.index, t.state);
    const done = indices.filter((i) => fs.existsSync(cells[i].file)).length;
    const running = tasks.filter((t) => t.state === 'RUNNING').length;
    const queued = tasks.length - running;
    const line = `ebt: Slurm job ${job}: ${done} done, ${running} running, ${queued} pending, ${indices.length - done - tasks.length} ended without a result`;
    if (line !== last) o.log?.(line);
    last = line;
    if (tasks.length === 0) {
      for (const i of indices) if (!fs.existsSync(cells[i].file)) seen.set(i, finalState(job, i) ?? seen.get(i) ?? 'gone');
      return seen;
    }
    await new Promise((resolve) => setTimeout(resolve, (o.poll ?? 2) * 1000));
  }
}

/** The state Slurm still remembers of a finished task (scontrol keeps it for MinJobAge seconds). */
function finalState(job: string, index: number): string | null {
  const r = slurm('scontrol', ['show', 'job', `${job}_${index}`]);
  const m = /JobState=(\S+)/.exec(r.stdout);
  return m ? m[1] : null;
}

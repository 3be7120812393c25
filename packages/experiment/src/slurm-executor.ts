/**
 * The Slurm executor: the cells of a stage go to the cluster as one job array (`sbatch --array=0-N%M`), each
 * task running one cell by index on the shared filesystem where the run or study folder lives. The batch
 * script is written beside the cells (`slurm/<stage>.sbatch`) so that a user can read and resubmit it. ebt
 * waits, printing progress from `squeue` and the result files; a cell counts as done only when its result
 * file is in place, and the cells a task left undone (cancelled, node failure, time limit) are resubmitted
 * once, then reported with their Slurm state and log.
 */
import { writeFileAtomic } from '@ebt/files';
import { readSubmissions, recordSubmission, Submission } from './jobs-file';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Interrupted, RunError, UsageError } from '@ebt/errors';

import { DeferredStage, Executor, ExecutorCell, runnerArgs, StageOutcome, taskArgument } from './executor';

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
  /** wait for the jobs, printing progress (default true); false: return once they are submitted (--no-wait) */
  wait?: boolean;
  /** Ctrl-C while waiting cancels the jobs (default: they keep running) */
  cancelOnInterrupt?: boolean;
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
  const jobsFile = path.join(slurmDir, 'jobs.json');
  const wait = o.wait ?? true;
  const submissions = () => readSubmissions(jobsFile);
  const record = (s: Submission) => recordSubmission(jobsFile, s);
  const collectHint = 'run the same command again (or add --collect) to collect the results and resubmit what failed';
  return {
    name: 'slurm',
    describe: () => `Slurm job arrays${o.partition ? ` on partition ${o.partition}` : ''}${o.maxParallel ? `, at most ${o.maxParallel} at once` : ''}`,
    async run(cells, runner, then) {
      if (cells.length === 0) return { done: true };
      // Ctrl-C from here on leaves the jobs in the queue (see stopped()); caught before the first sbatch, too
      const ctrlC = catchSigint();
      try {
        return await runStage(cells, runner, then, ctrlC);
      } finally {
        ctrlC.release();
      }
    },
  };

  /** The batch script of array `name` (readable and executable, so a user can resubmit it). */
  function writeScript(name: string, list: string, runner: string): string {
    const script = path.join(slurmDir, `${name}.sbatch`);
    writeFileAtomic(script, batchScript(o, name, list, runner));
    fs.chmodSync(script, 0o755);
    return script;
  }

  /** Submits tasks `indices` of an array (after `dependsOn`, if given) and records it in slurm/jobs.json. */
  function submitRecorded(name: string, script: string, indices: number[], dependsOn: string | null): string {
    const extra = dependsOn ? [`--dependency=afterok:${dependsOn}`, '--kill-on-invalid-dep=yes'] : [];
    const job = submit(o, script, indices, extra);
    record({ job, name, script, tasks: indices.length, dependsOn, submitted: new Date().toISOString() });
    return job;
  }

  async function runStage(cells: ExecutorCell[], runner: string, then: DeferredStage | undefined, ctrlC: SigintWatch): Promise<StageOutcome> {
    const which = slurm('sbatch', ['--version']);
    if (which.missing) throw new UsageError("--executor slurm: sbatch is not on PATH; install Slurm's client commands, or use --executor local.");
    // jobs an earlier call left in the queue run on: wait for them (or say so) rather than submit their cells twice
    const earlier = submissions()
      .map((s) => s.job)
      .filter(isQueued);
    if (earlier.length > 0) {
      if (!wait)
        return { done: false, jobs: earlier, note: `Slurm jobs ${earlier.join(', ')} (submitted earlier) are still queued or running; ${collectHint}` };
      o.log?.(`ebt: waiting for Slurm jobs ${earlier.join(', ')}, submitted by an earlier call`);
      for (const job of earlier) await waitForJob(o, job, earlier, ctrlC);
      cells = cells.filter((c) => !fs.existsSync(c.file));
      if (cells.length === 0) return { done: true };
    }
    const base = moduleName(runner);
    const name = `${base}-${submissions().filter((s) => s.name.startsWith(`${base}-`)).length + 1}`;
    fs.mkdirSync(path.join(slurmDir, 'logs'), { recursive: true });
    const list = path.join(slurmDir, `${name}.cells.json`);
    writeFileAtomic(list, JSON.stringify(cells));
    const script = writeScript(name, list, runner);
    let pending = cells.map((_, i) => i);
    const job = submitRecorded(name, script, pending, null);
    o.log?.(`ebt: submitted ${pending.length} cells as Slurm job array ${job} (${script})`);
    let deferred: string | null = null;
    if (then) {
      const thenName = `${moduleName(then.runner)}-${name}`;
      const thenScript = writeScript(thenName, then.spec, then.runner);
      // the next stage starts when every task of this one succeeded; if one failed, Slurm drops it and the
      // caller plans those cells itself once the failed ones are redone
      deferred = submitRecorded(
        thenName,
        thenScript,
        Array.from({ length: then.tasks }, (_, i) => i),
        job,
      );
      o.log?.(`ebt: submitted the next stage as Slurm job array ${deferred}, to start after ${job} (${thenScript})`);
    }
    const jobs = deferred ? [job, deferred] : [job];
    if (!wait) return { done: false, jobs, note: `submitted Slurm jobs ${jobs.join(', ')} and did not wait (--no-wait); ${collectHint}` };
    const failures: string[] = [];
    for (let attempt = 1; attempt <= 2 && pending.length > 0; attempt++) {
      const current = attempt === 1 ? job : submitRecorded(name, script, pending, null);
      if (attempt > 1) o.log?.(`ebt: submitted ${pending.length} cells as Slurm job array ${current} (${script}), again`);
      const states = await waitFor(o, current, cells, pending, jobs, ctrlC);
      const undone = pending.filter((i) => !fs.existsSync(cells[i].file));
      if (undone.length === 0) break;
      if (attempt === 2) {
        for (const i of undone) {
          const log = path.join(slurmDir, 'logs', `${name}-${current}_${i}.out`);
          failures.push(`${path.basename(cells[i].file, '.json')} (task ${current}_${i}: ${states.get(i) ?? 'gone'}; log ${log})`);
        }
      } else o.log?.(`ebt: ${undone.length} cells left undone (${undone.map((i) => `${i}: ${states.get(i) ?? 'gone'}`).join(', ')}); resubmitting them once`);
      pending = undone;
    }
    if (failures.length) throw new RunError(`${failures.length} cells failed on Slurm: ${failures.join('; ')}`);
    if (deferred) await waitForJob(o, deferred, jobs, ctrlC);
    return { done: true };
  }
}

interface SigintWatch {
  readonly caught: boolean;
  release(): void;
}

function catchSigint(): SigintWatch {
  const watch = { caught: false, release: () => process.removeListener('SIGINT', onSigint) };
  const onSigint = () => (watch.caught = true);
  process.on('SIGINT', onSigint);
  return watch;
}

/** Ctrl-C while waiting: the jobs run on and the user is told how to collect them (or, with --cancel-on-interrupt, they are cancelled). */
function stopped(o: SlurmOptions, jobs: string[]): Interrupted {
  if (o.cancelOnInterrupt) {
    slurm('scancel', jobs);
    return new Interrupted(
      `Interrupted; Slurm jobs ${jobs.join(', ')} were cancelled (--cancel-on-interrupt). Run the same command again to submit what is missing.`,
    );
  }
  return new Interrupted(
    `Interrupted; Slurm jobs ${jobs.join(', ')} keep running (scancel ${jobs.join(' ')} stops them). Run the same command again, or with --collect, to collect their results.`,
  );
}

/** The states of a job's tasks still in Slurm's queue (pending, running, completing); none once it has left. */
function queuedStates(job: string): string[] {
  const q = slurm('squeue', ['-h', '-r', '-j', job, '-o', '%T']);
  return q.status === 0 ? q.stdout.trim().split('\n').filter(Boolean) : [];
}

const isQueued = (job: string) => queuedStates(job).length > 0;

/** Resolves when `job` has left the queue, printing progress; throws Interrupted on Ctrl-C (`all`: the jobs of this call). */
async function waitForJob(o: SlurmOptions, job: string, all: string[], ctrlC: SigintWatch): Promise<void> {
  let last = '';
  for (let states = queuedStates(job); states.length > 0; states = queuedStates(job)) {
    if (ctrlC.caught) throw stopped(o, all);
    const running = states.filter((s) => s === 'RUNNING').length;
    const line = `ebt: Slurm job ${job}: ${running} running, ${states.length - running} pending`;
    if (line !== last) o.log?.(line);
    last = line;
    await sleep(o.poll ?? 2);
  }
}

const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

/** A runner module's name without its extension: the stem of its arrays' names. */
const moduleName = (runner: string) => path.basename(runner).replace(/\.[tj]s$/, '');

/** The batch script of one array: task K runs `runner @LIST#K`; its output goes to slurm/logs/ (slurmd kills a task whose log cannot be opened). */
function batchScript(o: SlurmOptions, name: string, list: string, runner: string): string {
  const lines = ['#!/bin/bash', `#SBATCH --job-name=ebt-${name}`, `#SBATCH --output=${path.join(o.dir, 'slurm', 'logs', `${name}-%A_%a.out`)}`];
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
    `exec ${[process.execPath, ...runnerArgs(runner)].map((a) => JSON.stringify(a)).join(' ')} "${taskArgument(list, '${SLURM_ARRAY_TASK_ID}')}"`,
    '',
  );
  return lines.join('\n');
}

function submit(o: SlurmOptions, script: string, indices: number[], extra: string[] = []): string {
  const array = `${indices.join(',')}${o.maxParallel ? `%${o.maxParallel}` : ''}`;
  const r = slurm('sbatch', ['--parsable', `--array=${array}`, ...extra, script]);
  if (r.status !== 0) throw new UsageError(`--executor slurm: sbatch refused the job (${slurmSays(r.stderr)}); the script is ${script}.`);
  return r.stdout.trim().split(';')[0];
}

/** Polls until no task of the array is queued or running; returns each task's last state seen. */
async function waitFor(
  o: SlurmOptions,
  job: string,
  cells: ExecutorCell[],
  indices: number[],
  all: string[],
  ctrlC: SigintWatch,
): Promise<Map<number, string>> {
  const seen = new Map<number, string>();
  let last = '';
  for (;;) {
    if (ctrlC.caught) throw stopped(o, all);
    const { line, queued } = lookAtQueue(job, cells, indices, seen);
    if (line !== last) o.log?.(line);
    last = line;
    if (!queued) return seen;
    await sleep(o.poll ?? 2);
  }
}

/** One look at an array's tasks: a progress line, and whether any task is left in the queue (once none is, the final states of the tasks without a result). */
function lookAtQueue(job: string, cells: ExecutorCell[], indices: number[], seen: Map<number, string>): { line: string; queued: boolean } {
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
  const line = `ebt: Slurm job ${job}: ${done} done, ${running} running, ${tasks.length - running} pending, ${indices.length - done - tasks.length} ended without a result`;
  if (tasks.length === 0) for (const i of indices) if (!fs.existsSync(cells[i].file)) seen.set(i, finalState(job, i) ?? seen.get(i) ?? 'gone');
  return { line, queued: tasks.length > 0 };
}

/** The state Slurm still remembers of a finished task (scontrol keeps it for MinJobAge seconds). */
function finalState(job: string, index: number): string | null {
  const r = slurm('scontrol', ['show', 'job', `${job}_${index}`]);
  const m = /JobState=(\S+)/.exec(r.stdout);
  return m ? m[1] : null;
}

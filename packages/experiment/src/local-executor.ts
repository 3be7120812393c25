/** The local executor: a pool of worker processes on this machine, each running its share of the cells in turn. */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { Interrupted, RunError, UsageError } from '@ebt/errors';
import { CELL_DONE, Executor, ExecutorCell, runnerArgs, taskArgument } from './executor';
import { processAlive } from './run-folder';

export interface LocalExecutorOptions {
  /** worker processes (default 1: on a CPU machine one process with every core beats two with half each) */
  workers?: number;
  /** cores to share among the workers (default: this machine's) */
  cores?: number;
  log?: (line: string) => void;
}

/**
 * Each worker gets floor(cores / workers) threads for the native backend's kernels (EBT_NATIVE_THREADS,
 * OMP_NUM_THREADS), so the workers' thread pools never oversubscribe the cores: two workers that each
 * spin a pool as wide as the machine run several times slower than one.
 */
export function localExecutor(o: LocalExecutorOptions = {}): Executor {
  const workers = o.workers ?? 1;
  const cores = o.cores ?? os.availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new UsageError(`--workers must be a positive integer (got ${workers}).`);
  const threads = Math.max(1, Math.floor(cores / workers));
  return {
    name: 'local',
    describe: () => `${workers} local worker${workers === 1 ? '' : 's'} of ${threads} thread${threads === 1 ? '' : 's'}`,
    async run(cells, runner) {
      if (cells.length === 0) return { done: true };
      // one process per worker runs its share of the cells in turn: starting tsx and tfjs costs seconds
      const shares = Array.from({ length: Math.min(workers, cells.length) }, (_, w) => cells.filter((_, i) => i % workers === w));
      const env = { ...process.env, EBT_NATIVE_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
      removeDeadShares(); // once a stage, not once a worker
      const children = new Set<ChildProcess>();
      // Ctrl-C: the workers (in the terminal's process group, or told here) save what they can and stop; then
      // the command says so and exits 130, instead of vanishing with its workers mid-cell
      let interrupted = false;
      const onSigint = () => {
        interrupted = true;
        for (const c of children) c.kill('SIGINT');
      };
      process.on('SIGINT', onSigint);
      try {
        const failures = await Promise.all(shares.map((share) => runShare(share, runner, env, children, o.log)));
        const done = cells.filter((c) => fs.existsSync(c.file)).length;
        if (interrupted)
          throw new Interrupted(`Interrupted: ${done} of ${cells.length} cells of this stage are done and kept; run the same command again to do the rest.`);
        const failed = failures.find((f) => f !== null);
        if (failed) throw new RunError(failed);
        return { done: true };
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
    },
  };
}

/** A worker's cell list lives in $TMPDIR/ebt-cells-PID-XXXXXX while PID runs it. */
const SHARE_PREFIX = 'ebt-cells-';

/** The cell lists of executors that were killed (their PID is no longer running): nobody else removes them. */
function removeDeadShares(): void {
  for (const name of fs.readdirSync(os.tmpdir())) {
    const pid = name.startsWith(SHARE_PREFIX) ? Number(name.slice(SHARE_PREFIX.length).split('-')[0]) : NaN;
    if (Number.isInteger(pid) && pid > 0 && !processAlive(pid)) fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}

/** Runs `cells` in one worker process; resolves to null, or to the failure's one-line description. */
function runShare(
  cells: ExecutorCell[],
  runner: string,
  env: NodeJS.ProcessEnv,
  children: Set<ChildProcess>,
  log?: (line: string) => void,
): Promise<string | null> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${SHARE_PREFIX}${process.pid}-`));
  const list = path.join(dir, 'cells.json');
  fs.writeFileSync(list, JSON.stringify(cells));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...runnerArgs(runner), taskArgument(list)], {
      // the IPC channel tells a worker when this process dies, even by SIGKILL (see runCellFromArgv)
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env,
    });
    children.add(child);
    let err = '';
    let current = cells[0];
    child.stderr!.on('data', (d) => (err += d));
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      const done = line.startsWith(CELL_DONE) ? line.slice(CELL_DONE.length) : null;
      if (done === null) return;
      log?.(`ebt: ${path.basename(done, '.json')} done`);
      current = cells[cells.findIndex((c) => c.file === done) + 1] ?? current;
    });
    child.on('close', (code, signal) => {
      children.delete(child);
      fs.rmSync(dir, { recursive: true, force: true });
      // a worker killed (by the OOM killer, say) says nothing itself: its signal or exit code is the reason
      const reason = err.trim().split('\n').pop() || (signal ? `its worker was killed by ${signal}` : `its worker exited with code ${code}`);
      resolve(code === 0 ? null : `cell ${path.basename(current.file, '.json')}: ${reason}`);
    });
  });
}

/** The local executor: a pool of worker processes on this machine, each running its share of the cells in turn. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { RunError, UsageError } from '@ebt/errors';
import { CELL_DONE, Executor, ExecutorCell, runnerArgs, taskArgument } from './executor';

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
      const failures = await Promise.all(shares.map((share) => runShare(share, runner, env, o.log)));
      const failed = failures.find((f) => f !== null);
      if (failed) throw new RunError(failed);
      return { done: true };
    },
  };
}

/** Runs `cells` in one worker process; resolves to null, or to the failure's one-line description. */
function runShare(cells: ExecutorCell[], runner: string, env: NodeJS.ProcessEnv, log?: (line: string) => void): Promise<string | null> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-cells-'));
  const list = path.join(dir, 'cells.json');
  fs.writeFileSync(list, JSON.stringify(cells));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...runnerArgs(runner), taskArgument(list)], {
      // the IPC channel tells a worker when this process dies, even by SIGKILL (see runCellFromArgv)
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env,
    });
    let err = '';
    let current = cells[0];
    child.stderr!.on('data', (d) => (err += d));
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      const done = line.startsWith(CELL_DONE) ? line.slice(CELL_DONE.length) : null;
      if (done === null) return;
      log?.(`ebt: ${path.basename(done, '.json')} done`);
      current = cells[cells.findIndex((c) => c.file === done) + 1] ?? current;
    });
    child.on('close', (code) => {
      fs.rmSync(dir, { recursive: true, force: true });
      resolve(code === 0 ? null : `${path.basename(current.file, '.json')} failed: ${err.trim().split('\n').pop()}`);
    });
  });
}

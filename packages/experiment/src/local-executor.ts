/**
 * Executors run the cells of a sweep (or study): each cell is one retraining in its own process, running
 * the app's cell module (`node --require tsx/cjs RUNNER CELL_JSON`), which writes the cell's result file
 * atomically. The local executor is a pool of worker processes on this machine.
 */
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunError, UsageError } from '@ebt/errors';

/** What an executor runs: a cell is done when its result file is in place. */
export interface ExecutorCell {
  file: string;
}

export interface Executor {
  readonly name: string;
  /** runs every cell through `runner`; rejects with a RunError naming the first cell that failed */
  run(cells: ExecutorCell[], runner: string): Promise<void>;
  describe(): string;
}

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
    run(cells, runner) {
      let next = 0;
      let failed: Error | null = null;
      const env = { ...process.env, EBT_NATIVE_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
      const one = (): Promise<void> => {
        if (failed || next >= cells.length) return Promise.resolve();
        const cell = cells[next++];
        return new Promise<void>((resolve) => {
          const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), runner, JSON.stringify(cell)], {
            stdio: ['ignore', 'ignore', 'pipe'],
            env,
          });
          let err = '';
          child.stderr.on('data', (d) => (err += d));
          child.on('close', (code) => {
            if (code !== 0) failed = new RunError(`cell ${path.basename(cell.file)} failed: ${err.trim().split('\n').pop()}`);
            else o.log?.(`ebt: cell ${path.basename(cell.file, '.json')} done`);
            resolve();
          });
        }).then(one);
      };
      return Promise.all(Array.from({ length: Math.min(workers, Math.max(1, cells.length)) }, one)).then(() => {
        if (failed) throw failed;
      });
    },
  };
}

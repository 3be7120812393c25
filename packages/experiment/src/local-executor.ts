/**
 * Executors run the cells of a sweep (or study): each cell is one retraining in its own process, running
 * the app's cell module (`node --require tsx/cjs RUNNER CELL_JSON`), which writes the cell's result file
 * atomically. The local executor is a pool of worker processes on this machine.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { RunError, UsageError } from '@ebt/errors';

/** What an executor runs: a cell is done when its result file is in place. */
export interface ExecutorCell {
  file: string;
}

/**
 * A stage whose cells are known only once the stage before it has run (a study's prune-and-retrain cells
 * need the dense runs' draw steps): `tasks` tasks of `runner`, each given `@SPEC#K` and planning its own
 * cell. An executor that can queue work behind other work (Slurm: `--dependency=afterok`) submits it with
 * the stage before; the local executor leaves it to the caller, who plans the cells once that stage is done.
 */
export interface DeferredStage {
  tasks: number;
  runner: string;
  /** what each task reads (`@SPEC#K`) */
  spec: string;
}

/** How a stage ended: every cell ran (a result file, or a RunError), or the work was queued and not waited for (--no-wait). */
export type StageOutcome = { done: true } | { done: false; jobs: string[]; note: string };

export interface Executor {
  readonly name: string;
  /** runs every cell through `runner` (and queues `then` behind them, where it can); rejects with a RunError naming the first cell that failed */
  run(cells: ExecutorCell[], runner: string, then?: DeferredStage): Promise<StageOutcome>;
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
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), runner, `@${list}`], {
      // the IPC channel tells a worker when this process dies, even by SIGKILL (see runCellFromArgv)
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env,
    });
    let err = '';
    let current = cells[0];
    child.stderr!.on('data', (d) => (err += d));
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      const done = line.startsWith(DONE) ? line.slice(DONE.length) : null;
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

const DONE = 'ebt-cell-done ';

/**
 * The body of a runner module: argv[2] is one cell as JSON, @FILE with a JSON array of cells, run in turn,
 * or @FILE#K for the K-th of them (a Slurm array task); each finished cell is announced on stdout; exit 1
 * with one line on stderr at the first failure.
 */
export function runCellFromArgv<C extends ExecutorCell>(run: (cell: C) => Promise<void>): void {
  const arg = process.argv[2];
  const [file, index] = arg.startsWith('@') ? arg.slice(1).split('#') : [null, undefined];
  const all: C[] = file ? JSON.parse(fs.readFileSync(file, 'utf8')) : [JSON.parse(arg)];
  const cells = index === undefined ? all : [all[Number(index)]];
  // a local worker dies with the process that started it, rather than training on as an orphan
  if (process.send) {
    process.on('disconnect', () => process.exit(1));
    process.channel?.unref(); // the channel alone must not keep a finished worker alive
  }
  (async () => {
    for (const cell of cells) {
      await run(cell);
      process.stdout.write(`${DONE}${cell.file}\n`);
    }
  })().catch((e) => {
    process.stderr.write(`cell failed: ${(e as Error).message}\n`);
    process.exit(1);
  });
}

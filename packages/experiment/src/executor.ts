/**
 * Executors run the cells of a sweep (or study): each cell is one retraining in its own process, running
 * the app's cell module (`node RUNNER ARG`; a TypeScript runner through tsx, see runnerArgs), which writes the cell's result file
 * atomically. This file is what every executor shares: the interface, and the task protocol between an
 * executor and a runner - ARG is one cell as JSON, `@FILE` (a JSON array of cells, run in turn) or
 * `@FILE#K` (its K-th: a queue's array task), and the runner announces each finished cell on stdout.
 * The executors themselves: local-executor.ts (a pool of workers), slurm-executor.ts (job arrays).
 */
import * as fs from 'node:fs';

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

/** The runner's argument for the cells listed in `file`: all of them, or the `index`-th (a shell expression such as `${SLURM_ARRAY_TASK_ID}` works). */
/**
 * Node's arguments before a runner module: built JavaScript runs as it is; a TypeScript source (the workspace's
 * tests, tools) through tsx.
 */
export function runnerArgs(runner: string): string[] {
  return runner.endsWith('.ts') ? ['--require', require.resolve('tsx/cjs'), runner] : [runner];
}

export const taskArgument = (file: string, index?: number | string): string => (index === undefined ? `@${file}` : `@${file}#${index}`);

/** `@FILE` or `@FILE#K` apart; null for a cell given inline as JSON. */
export function parseTaskArgument(arg: string): { file: string; index?: number } | null {
  if (!arg.startsWith('@')) return null;
  const [file, index] = arg.slice(1).split('#');
  return index === undefined ? { file } : { file, index: Number(index) };
}

/** The line a runner prints for each cell it finished: the worker's parent counts them. */
export const CELL_DONE = 'ebt-cell-done ';

/**
 * The body of a runner module: argv[2] is one cell as JSON, @FILE with a JSON array of cells, run in turn,
 * or @FILE#K for the K-th of them (a Slurm array task); each finished cell is announced on stdout; exit 1
 * with one line on stderr at the first failure.
 */
export function runCellFromArgv<C extends ExecutorCell>(run: (cell: C) => Promise<void>): void {
  const arg = process.argv[2];
  const task = parseTaskArgument(arg);
  const all: C[] = task ? JSON.parse(fs.readFileSync(task.file, 'utf8')) : [JSON.parse(arg)];
  const cells = task?.index === undefined ? all : [all[task.index]];
  // a local worker dies with the process that started it, rather than training on as an orphan
  if (process.send) {
    process.on('disconnect', () => process.exit(1));
    process.channel?.unref(); // the channel alone must not keep a finished worker alive
  }
  (async () => {
    for (const cell of cells) {
      await run(cell);
      process.stdout.write(`${CELL_DONE}${cell.file}\n`);
    }
  })().catch((e) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  });
}

/** Where the cells of a sweep or study run: this machine's worker pool, or a Slurm cluster. */
import { Command } from 'commander';
import { Executor, localExecutor, slurmExecutor } from '@ebt/experiment';
import { UsageError } from '@ebt/errors';
import { oneOf, parseInteger } from '../input';

export function executorFlags(cmd: Command): Command {
  return cmd
    .option('--executor <name>', 'local (worker processes here) or slurm (one job array per stage)', 'local')
    .option('--workers <n>', 'local: processes at once; the cores are shared among them', '1')
    .option('--slurm-partition <name>', 'slurm: partition')
    .option('--slurm-time <t>', 'slurm: time limit per task, e.g. 02:00:00')
    .option('--slurm-cpus-per-task <n>', 'slurm: CPUs per task (its thread count)')
    .option('--slurm-mem <m>', 'slurm: memory per task, e.g. 8G')
    .option('--slurm-gres <g>', 'slurm: generic resources per task, e.g. gpu:1')
    .option('--slurm-max-parallel <n>', 'slurm: at most n tasks of an array at once')
    .option('--slurm-arg <option>', 'slurm: any other sbatch option (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--no-wait', 'slurm: return once the jobs are submitted; the same command again collects the results')
    .option('--collect', 'slurm: collect what is done and resubmit what failed, then return without waiting for the rest', false)
    .option('--cancel-on-interrupt', 'slurm: Ctrl-C while waiting cancels the jobs (by default they keep running)', false);
}

export function makeExecutor(o: Record<string, any>, dir: string, log?: (line: string) => void): Executor {
  const kind = oneOf(o.executor, ['local', 'slurm'] as const, '--executor');
  if (kind === 'local') {
    for (const [flag, set] of [
      ['--no-wait', o.wait === false],
      ['--collect', o.collect],
      ['--cancel-on-interrupt', o.cancelOnInterrupt],
    ] as const)
      if (set) throw new UsageError(`${flag} is for --executor slurm; the local executor always waits for its workers.`);
    return localExecutor({ workers: parseInteger(o.workers, '--workers'), log });
  }
  const int = (v: unknown, flag: string) => (v === undefined ? undefined : parseInteger(v as string, flag));
  return slurmExecutor({
    dir,
    partition: o.slurmPartition,
    time: o.slurmTime,
    cpusPerTask: int(o.slurmCpusPerTask, '--slurm-cpus-per-task'),
    mem: o.slurmMem,
    gres: o.slurmGres,
    maxParallel: int(o.slurmMaxParallel, '--slurm-max-parallel'),
    args: o.slurmArg,
    wait: o.wait !== false && !o.collect,
    cancelOnInterrupt: o.cancelOnInterrupt,
    env: { EBT_BACKEND: o.backend ?? process.env.EBT_BACKEND },
    log,
  });
}

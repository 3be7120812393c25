import { Command } from 'commander';
import { writeReport } from '@ebt/report';
import { printJson } from '../output';

export function reportCommand(): Command {
  return new Command('report')
    .argument('<run-dir>', 'a run folder (run.json, metrics.csv, trajectory.arrow, detections.json, ...)')
    .option('--json', 'machine-readable output', false)
    .action((dir: string, o) => {
      const r = writeReport(dir);
      if (o.json) printJson(r);
      else process.stdout.write(`report: ${r.file} (${r.figures.length} figures)\n`);
    });
}

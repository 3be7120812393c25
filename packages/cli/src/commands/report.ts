import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { writeReport, writeStudyReport } from '@ebt/report';
import { printJson } from '../output';

export function reportCommand(): Command {
  return new Command('report')
    .argument('<dir>', 'a run folder (run.json, metrics.csv, trajectory.arrow, detections.json, ...), or a study folder (study.json): its page again')
    .option('--json', 'machine-readable output', false)
    .action((dir: string, o) => {
      const r = fs.existsSync(path.join(dir, 'study.json')) ? writeStudyReport(dir) : writeReport(dir);
      if (o.json) printJson(r);
      else process.stdout.write(`report: ${r.file} (${r.figures.length} figures)\n`);
    });
}

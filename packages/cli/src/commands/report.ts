import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { lockFolder } from '@ebt/experiment';
import { writeReport, writeStudyReport } from '@ebt/report';
import { printJson } from '../output';

export function reportCommand(): Command {
  return new Command('report')
    .argument('<dir>', 'a run folder (run.json, metrics.csv, trajectory.arrow, detections.json, ...), or a study folder (study.json): its page again')
    .option('--json', 'machine-readable output', false)
    .action((dir: string, o) => {
      // the folder's lock: not while a run, sweep or study still writes it (a folder that is none is named by the reader)
      const lock = fs.existsSync(dir) && fs.statSync(dir).isDirectory() ? lockFolder(dir, undefined, null) : null;
      try {
        const r = fs.existsSync(path.join(dir, 'study.json')) ? writeStudyReport(dir) : writeReport(dir);
        if (o.json) printJson(r);
        else process.stdout.write(`report: ${r.file} (${r.figures.length} figures)\n`);
      } finally {
        lock?.release();
      }
    });
}

/** Everything a run folder holds that the report shows. */
import { readJsonFile } from '@ebt/files';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Detections, readDetections, readManifest, readSweepResults, readTicket, RunManifest, SweepRow, TicketInfo } from '@ebt/experiment';
import { MetricsRow, readMetrics } from '@ebt/training';
import { Trajectory } from '@ebt/slimming';

export type { MetricsRow } from '@ebt/training';

export type { DetectionEntry } from '@ebt/experiment';

export interface RunFolder {
  dir: string;
  run: RunManifest;
  metrics: MetricsRow[];
  trajectory: Trajectory | null;
  detections: Detections | null;
  ticket: TicketInfo | null;
  sweep: SweepRow[] | null;
  /** SQuAD runs: the dev set's exact match and F1 */
  squad: { exact_match: number; f1: number; count: number } | null;
}

// each caller's field type says what the file holds
const readJson = (file: string) => (fs.existsSync(file) ? readJsonFile<any>(file) : null);

export function loadRun(dir: string): RunFolder {
  const run = readManifest(dir);
  const metricsFile = path.join(dir, 'metrics.csv');
  const metrics = fs.existsSync(metricsFile) ? readMetrics(metricsFile) : [];
  const trajectoryFile = path.join(dir, 'trajectory.arrow');
  return {
    dir,
    run,
    metrics,
    trajectory: fs.existsSync(trajectoryFile) ? Trajectory.read(trajectoryFile) : null,
    detections: readDetections(dir),
    ticket: readTicket(path.join(dir, 'ticket')),
    squad: readJson(path.join(dir, 'squad-eval.json')),
    sweep: readSweepResults(dir),
  };
}

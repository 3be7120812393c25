/** Everything a run folder holds that the report shows. */
import { readJsonFile } from '@ebt/files';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Detections, readDetections, readManifest, readTicket, RunManifest, TicketInfo } from '@ebt/experiment';

import { Trajectory } from '@ebt/slimming';

export interface MetricsRow {
  step: number;
  epoch: number;
  split: string;
  loss: number;
  accuracy: number;
  lr: number;
  seconds: number;
}

export type { DetectionEntry } from '@ebt/experiment';

export interface RunFolder {
  dir: string;
  run: RunManifest;
  metrics: MetricsRow[];
  trajectory: Trajectory | null;
  detections: Detections | null;
  ticket: TicketInfo | null;
  sweep: Array<Record<string, any>> | null;
  /** SQuAD runs: the dev set's exact match and F1 */
  squad: { exact_match: number; f1: number; count: number } | null;
}

// each caller's field type says what the file holds
const readJson = (file: string) => (fs.existsSync(file) ? readJsonFile<any>(file) : null);

function readCsv(file: string): Array<Record<string, string>> {
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const cols = header.split(',');
  return lines.filter((l) => l.trim()).map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

export function loadRun(dir: string): RunFolder {
  const run = readManifest(dir);
  const metricsFile = path.join(dir, 'metrics.csv');
  const metrics = fs.existsSync(metricsFile)
    ? readCsv(metricsFile).map((r) => ({
        step: +r.step,
        epoch: +r.epoch,
        split: r.split,
        loss: +r.loss,
        accuracy: +r.accuracy,
        lr: +r.lr,
        seconds: +r.seconds,
      }))
    : [];
  const trajectoryFile = path.join(dir, 'trajectory.arrow');
  const sweepFile = path.join(dir, 'sweep', 'results.csv');
  return {
    dir,
    run,
    metrics,
    trajectory: fs.existsSync(trajectoryFile) ? Trajectory.read(trajectoryFile) : null,
    detections: readDetections(dir),
    ticket: readTicket(path.join(dir, 'ticket')),
    squad: readJson(path.join(dir, 'squad-eval.json')),
    sweep: fs.existsSync(sweepFile)
      ? readCsv(sweepFile).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, isNaN(Number(v)) ? v : Number(v)])))
      : null,
  };
}

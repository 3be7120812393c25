/**
 * The pilot gate (docs/study.md "Pilot"): a study on seeds never reported decides whether the setting can show a
 * mask at all before the full study spends its days. It passes when, at the largest ratio pair, the late ticket
 * beats both the random mask and the earliest grid ticket by at least PILOT_GATE_POINTS on average (E0's
 * differences); its numbers are kept in the pilot's folder (gate.json) whether or not it passes.
 */
import { writeFileAtomic } from '@ebt/files';
import * as path from 'node:path';
import { largestRatio } from './ratios';
import { PILOT_GATE_POINTS } from './study-endpoints';
import type { StudySummary } from './study-types';

/** The seeds a pilot runs on when none are named: never among a study's 1..n. */
export const PILOT_SEEDS = [101, 102];

export interface PilotGate {
  seeds: number[];
  /** the largest ratio pair, where a mask matters most */
  ratio: string;
  /** E0's mean differences there, in points (null: not measured) */
  lateMinusRandom: number | null;
  lateMinusEarliest: number | null;
  thresholdPoints: number;
  passed: boolean;
}

export function pilotGate(s: StudySummary): PilotGate {
  const entries = Object.entries(s.endpoints.byRatio);
  const largest = largestRatio(entries.map(([, x]) => x.ratio));
  const [ratio, e] = entries.find(([, x]) => x.ratio === largest)!;
  const mean = (id: string) => e.endpoints.find((x) => x.id === id)?.difference?.mean ?? null;
  const [lateMinusRandom, lateMinusEarliest] = [mean('E0a'), mean('E0b')];
  const passed = lateMinusRandom !== null && lateMinusEarliest !== null && Math.min(lateMinusRandom, lateMinusEarliest) >= PILOT_GATE_POINTS;
  return { seeds: s.seeds, ratio, lateMinusRandom, lateMinusEarliest, thresholdPoints: PILOT_GATE_POINTS, passed };
}

/** The gate's verdict, written beside the pilot's study.json. */
export function writePilotGate(pilotDir: string, gate: PilotGate): string {
  const file = path.join(pilotDir, 'gate.json');
  writeFileAtomic(file, JSON.stringify(gate, null, 1) + '\n');
  return file;
}

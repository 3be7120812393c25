/** Judging a detection on a finished run (docs/method.md section 3.3). */
import { Mask } from './mask';
import { maskDistance } from './mask-distance';

export interface JudgeInput {
  detection: { step: number; epoch: number } | null;
  /** masks at the detection point and at the end of training, at the same ratios */
  masksAtDetection?: { heads: Mask; ffn: Mask };
  finalMasks: { heads: Mask; ffn: Mask };
  totalSteps: number;
  /** a false positive if the masks differ from the final ones by more than delta (default 0.1) */
  delta?: number;
  /** where prune-and-retrain results exist: the ticket's and the dense model's accuracy, in [0, 1] */
  ticketAccuracy?: number;
  denseAccuracy?: number;
  /** tolerated accuracy loss, in points (default 1) */
  tolPoints?: number;
}

export interface Judgement {
  detection: { step: number; epoch: number } | null;
  fractionSaved: number;
  distanceToFinal: { heads: number; ffn: number } | null;
  falsePositive: boolean | null;
  reason: string;
}

/** The mask rule's delta: a draw whose masks differ from the final ones by more than this is a false positive. */
export const MASK_RULE_DELTA = 0.1;

/** Tolerated loss of a retrained ticket against its reference, in points (docs/method.md section 3.3). */
export const SCORE_TOLERANCE_POINTS = 1;

/**
 * The score rule of a false positive: the ticket retrains to more than `tolPoints` below the reference (the
 * dense model, or the latest grid point of a study). `perUnit` turns a score into points: 100 for accuracy
 * (a fraction), 1 for F1 and exact match (already percent). Null where either score is missing.
 */
export function scoreFalsePositive(ticket: number | null, reference: number | null, o: { perUnit?: number; tolPoints?: number } = {}): boolean | null {
  if (ticket === null || reference === null) return null;
  return (o.perUnit ?? 100) * (reference - ticket) > (o.tolPoints ?? SCORE_TOLERANCE_POINTS);
}

export function judgeDetection(j: JudgeInput): Judgement {
  if (!j.detection || !j.masksAtDetection) return { detection: null, fractionSaved: 0, distanceToFinal: null, falsePositive: null, reason: 'no ticket drawn' };
  const delta = j.delta ?? MASK_RULE_DELTA;
  const distance = { heads: maskDistance(j.masksAtDetection.heads, j.finalMasks.heads), ffn: maskDistance(j.masksAtDetection.ffn, j.finalMasks.ffn) };
  const reasons: string[] = [];
  if (distance.heads > delta || distance.ffn > delta)
    reasons.push(`mask distance to the final mask ${Math.max(distance.heads, distance.ffn).toFixed(3)} > ${delta}`);
  if (scoreFalsePositive(j.ticketAccuracy ?? null, j.denseAccuracy ?? null, { tolPoints: j.tolPoints })) {
    reasons.push(`the ticket retrains to ${(100 * (j.denseAccuracy! - j.ticketAccuracy!)).toFixed(2)} points below the dense model`);
  }
  return {
    detection: j.detection,
    fractionSaved: Math.max(0, 1 - j.detection.step / j.totalSteps),
    distanceToFinal: distance,
    falsePositive: reasons.length > 0,
    reason: reasons.length ? reasons.join('; ') : 'within tolerance',
  };
}

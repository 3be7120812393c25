/** A trajectory's recorded steps as the criteria read them, and the questions every reader asks of them. */
import { CoefficientSnapshot } from './slimming';

/** The coefficients recorded at one step (what @ebt/eb-criteria calls a Point). */
export interface TrajectoryPoint extends CoefficientSnapshot {
  step: number;
  epoch: number;
}

/**
 * The point "after `epochs` completed epochs": the first point for 0, else the last point recorded in epoch
 * `epochs - 1` (epochs are 0-based in the trajectory). Undefined when the trajectory does not reach it.
 */
export function pointAfterEpochs<P extends { epoch: number }>(points: readonly P[], epochs: number): P | undefined {
  if (epochs === 0) return points[0];
  for (let k = points.length - 1; k >= 0; k--) if (points[k].epoch === epochs - 1) return points[k];
  return undefined;
}

/** Layer sizes of a point ("4,4|128,128"): it changes when EB-train prunes the model mid-run. */
export function shapeKey(p: { heads: ArrayLike<number>[]; ffn: ArrayLike<number>[] }): string {
  return p.heads.map((r) => r.length).join(',') + '|' + p.ffn.map((r) => r.length).join(',');
}

/** The points of a trajectory before EB-train pruned the model (the layer sizes of the first point). */
export function densePoints<P extends { heads: ArrayLike<number>[]; ffn: ArrayLike<number>[] }>(points: P[]): P[] {
  return points.filter((p) => shapeKey(p) === shapeKey(points[0]));
}

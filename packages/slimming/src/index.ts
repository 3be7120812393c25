export { Slimming, slimmableLayers } from './slimming';
export type { CoefficientSnapshot, SlimmableLayer, SlimmingOptions } from './slimming';
export { Trajectory, TrajectoryError } from './trajectory';
export type { CoefficientKind, TrajectoryRow } from './trajectory';

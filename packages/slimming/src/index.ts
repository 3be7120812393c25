export { LAMBDA_DEFAULT, Slimming, slimmableLayers } from './slimming';
export type { CoefficientSnapshot, SlimmableLayer, SlimmingOptions } from './slimming';
export { Trajectory, TrajectoryError } from './trajectory';
export { densePoints, pointAfterEpochs, shapeKey } from './points';
export type { TrajectoryPoint } from './points';
export type { CoefficientKind, TrajectoryRow } from './trajectory';
export { readTrajectory, SEED_NPY_FILES } from './trajectory-files';

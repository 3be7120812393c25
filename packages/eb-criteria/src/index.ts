export { maskFromCoefficients } from './mask';
export type { Coefficients, Mask, MaskScope } from './mask';
export { maskDistance } from './mask-distance';
export { distanceMatrix } from './distance-matrix';
export { nuclearNorm } from './nuclear-norm';
export { MASK_DEFAULTS, masksAt, replay, resolveMaskOptions } from './criterion';
export type { Criterion, MaskOptions, Point, Verdict } from './criterion';
export { MASK_DISTANCE, MASK_DISTANCE_DEFAULTS, MaskDistanceCriterion } from './mask-distance-criterion';
export type { MaskDistanceOptions, MaskDistanceState, MaskKind } from './mask-distance-criterion';
export {
  DEFAULT_THRESHOLDS,
  NUCLEAR_STATIONARITY,
  NUCLEAR_STATIONARITY_DEFAULTS,
  NuclearStationarityCriterion,
  testWindow,
} from './nuclear-stationarity-criterion';
export { CRITERIA, CRITERION_NAMES, DEFAULT_CRITERION } from './registry';
export type { CriterionEntry, CriterionName } from './registry';
export type {
  NuclearStationarityOptions,
  NuclearStationarityState,
  ResolvedNuclearStationarityOptions,
  Signal,
  StationarityRule,
  WindowTest,
} from './nuclear-stationarity-criterion';
export { judgeDetection, SCORE_TOLERANCE_POINTS, scoreFalsePositive } from './judge';
export type { Judgement, JudgeInput } from './judge';
export { CriterionOptionsError } from './errors';
export { isWindowPreset, WINDOW_PRESETS } from './window-presets';
export type { WindowPreset, WindowPresetName } from './window-presets';
export { optionAt, withOption } from './criterion-flags';
export type { CriterionFlag, FlagValue } from './criterion-flags';
export { calibrate, calibrateRule, calibrationSeries } from './calibration';
export type { CalibratedRule, CalibrationSeries, SeriesCalibration } from './calibration';
export { SETTLING_TOLERANCES, settlingSteps } from './settling';
export type { Settling } from './settling';

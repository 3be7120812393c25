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
  resolveNuclearStationarity,
  testWindow,
} from './nuclear-stationarity-criterion';
export { CRITERION_MODES } from './criterion-modes';
export type { CriterionMode, CriterionModeName } from './criterion-modes';
export { MASK_KINDS } from './mask';
export { CRITERIA, CRITERION_NAMES, DEFAULT_CRITERION } from './registry';
export type { CriterionEntry, CriterionName } from './registry';
export type {
  NuclearStationarityOptions,
  NuclearStationarityState,
  ResolvedNuclearStationarityOptions,
  Signal,
  StationarityRule,
  TestedWindow,
  WindowRule,
  WindowTest,
} from './nuclear-stationarity-criterion';
export { judgeDetection, MASK_RULE_DELTA, SCORE_TOLERANCE_POINTS, scoreFalsePositive } from './judge';
export type { Judgement, JudgeInput } from './judge';
export { CriterionOptionsError } from './errors';
export { isWindowPreset, WINDOW_PRESETS } from './window-presets';
export type { WindowPreset, WindowPresetName } from './window-presets';
export { KINDS_FLAG, optionAt, withOption } from './criterion-flags';
export type { CriterionFlag, FlagValue } from './criterion-flags';
export { calibrate, calibrateRule, calibrationSeries, windowVerdicts } from './calibration';
export type { CalibrationSeries, SeriesCalibration, SeriesOptions } from './calibration';
export { SETTLING_TOLERANCES, settlingSteps } from './settling';
export type { Settling } from './settling';

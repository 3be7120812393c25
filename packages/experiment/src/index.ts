export {
  kindOptions,
  ManifestError,
  MANIFEST_FORMAT,
  manifestFile,
  manifestSchema,
  readManifest,
  RUN_FIELDS,
  runOptionsSchema,
  writeManifest,
} from './manifest';
export type { ManifestOptions, RunCommand, RunManifest } from './manifest';
export { checkPositive, checkRunOptions, checkSaveModel, earlyBirdRunFields, RUN_DEFAULTS, runCriteria, watchKey, watchOf, watchRatios } from './run-options';
export type { EarlyBirdRunOptions, RunOptions, Watch } from './run-options';
export { checkRatioPairs, DEFAULT_WATCH_RATIO, largestRatio, parseRatioPairs, ratioKey, ratioLabel, shareLabel } from './ratios';
export type { CriterionName } from '@ebt/eb-criteria';
export { earlyBirdCallback } from './early-bird-callback';
export type { EarlyBirdCallback, EarlyBirdOptions } from './early-bird-callback';
export { DETECTIONS_FILE, detectionMaskOptions, DetectionsFileError, readDetections, writeDetections } from './detections-file';
export type { DetectionEntry, Detections, DrawnPoint } from './detections-file';
export { readTicket, TICKET_FILE, TicketFileError, writeTicket } from './ticket-file';
export type { TicketInfo } from './ticket-file';
export { ebTrain } from './eb-train';
export type { EbTrainOptions, EbTrainResult } from './eb-train';
export { scoredResult, cellMasks, pruneCell, sweep, writeCell } from './sweep';
export type { RatioPair, SweepCell, SweepOptions } from './sweep';
export { CellFileError, METRIC_NAMES, readCellRow, writeCellRow } from './cell-file';
export type { CellResult, MetricName, SweepRow } from './cell-file';
export { readSweepResults, SweepResultsError, writeSweepResults } from './sweep-results-file';
export { loadKind } from './run-kind';
export { copyInputFiles, MODEL_FOLDER_FILES, saveDenseModel } from './save-model';
export type { SaveModelOptions } from './save-model';
export type { FlagTarget, KindRun, KindRunOptions, RetrainTask, RunKind } from './run-kind';
export { RETRAIN_RUNNER, STUDY_RUN_RUNNER } from './runners';
export { CELL_DONE, parseTaskArgument, runCellFromArgv, taskArgument } from './executor';
export type { DeferredStage, Executor, ExecutorCell, StageOutcome } from './executor';
export { localExecutor } from './local-executor';
export type { LocalExecutorOptions } from './local-executor';
export { study } from './study';
export { meanSd } from './mean-sd';
export { SEED_FRACTIONS, SEED_RATIOS, seedDir, STUDY_FRACTIONS } from './study-types';
export type { ControlKind, Endpoint, EndpointId, RatioEndpoints, StudyEndpoints } from './study-types';
export { endpointResult, ENDPOINT_ALPHA, EQUIVALENCE_MARGIN_POINTS, PILOT_GATE_POINTS, studyEndpoints } from './study-endpoints';
export { BASELINES, matchedQueue } from './study-baselines';
export { retrainSchedule } from './retrain-schedule';
export { criterionVerdict, ratioVerdict } from './study-verdicts';
export type { MeanSd } from './mean-sd';
export type { CriterionVerdict, StudyOptions, StudyRow, StudyRunCell, StudySummary } from './study-types';
export { STUDY_FORMAT } from './study-types';
export { readStudySummary } from './study-file';
export type { CriterionStatistics, Rate } from './study-types';
export { checkRunFolder, LOCK_FILE, lockFolder, openRunFolder } from './run-folder';
export type { RunFolderLock, RunFolderOptions } from './run-folder';
export { slurmExecutor } from './slurm-executor';
export type { SlurmOptions } from './slurm-executor';
export { chanceScore, learningVerdict, NEAR_CHANCE_POINTS } from './run-quality';
export type { Learning } from './run-quality';
export { PILOT_SEEDS, pilotGate, writePilotGate } from './study-pilot';
export type { PilotGate } from './study-pilot';

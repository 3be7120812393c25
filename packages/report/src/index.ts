export { writeReport } from './report';
export type { ReportResult } from './report';
export { loadRun } from './load-run';
export type { DetectionEntry, RunFolder } from './load-run';
export { renderSvgs, svgToPng } from './render';
export type { VegaLiteSpec } from './render';
export { ffnDistribution, headHeatmap, maskDistanceMatrix, nuclearNormSeries, sample, sweepAccuracy, trainingCurves } from './charts';
export { writeStudyReport } from './study-report';

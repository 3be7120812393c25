/**
 * The two worker modules every run kind shares (started as `node RUNNER ARG` by an executor; see executor.ts):
 * one dense run of a study seed, and one prune-and-retrain cell. Each loads the kind its cell names.
 */
export const STUDY_RUN_RUNNER = require.resolve('./study-run');
export const RETRAIN_RUNNER = require.resolve('./retrain-cell');

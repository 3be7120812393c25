export { maskedCoefficients, pruneModel, prunedConfig, PruningError } from './prune';
export type { Coefficients, PruneOptions, PruningMasks } from './prune';
export { countFlops, countParameters, flopTokens } from './counts';

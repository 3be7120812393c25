export type { Interval } from './interval';
export { clopperPearson } from './clopper-pearson';
export { tInterval } from './t-interval';
export { bootstrapInterval, EXACT_MULTISETS } from './bootstrap';
export type { BootstrapInterval, BootstrapOptions } from './bootstrap';
export { pairedDifference } from './paired';
export type { PairedDifference } from './paired';
export { holm, mcnemarExact, tTest } from './tests';
export type { Alternative } from './tests';

import { UsageError } from '@ebt/errors';

/** A criterion or mask option out of its range (a ratio above 1, a window of 0 points). */
export class CriterionOptionsError extends UsageError {}

import { UsageError } from '@ebt/errors';

/** A data file or folder that is missing or malformed; the message names the file and the byte or line. */
export class DataError extends UsageError {}

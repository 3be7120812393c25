import { UsageError } from '@ebt/errors';

export type StationarityErrorCode = 'too-short' | 'non-finite' | 'constant' | 'maxlag' | 'degenerate' | 'invalid-argument';

/** A series or an option that a test cannot work with; `code` says which problem it is. */
export class StationarityError extends UsageError {
  constructor(
    readonly code: StationarityErrorCode,
    message: string,
  ) {
    super(message);
  }
}

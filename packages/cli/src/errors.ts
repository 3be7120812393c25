/** Bad input from the user: the CLI prints the message and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Error classes (by name) of our packages that mean "bad input", not "failed while running". */
const INPUT_ERRORS = new Set(['UsageError', 'StationarityError', 'BackendError', 'InputError', 'SafetensorsError', 'ConfigError', 'DataError', 'CheckpointError', 'TrajectoryError', 'PruningError']);

export function isInputError(e: unknown): boolean {
  return e instanceof Error && INPUT_ERRORS.has(e.name);
}

/**
 * Every error ebt means to show a user is an EbtError: its message is one sentence the user can act on,
 * and its class says how the CLI exits. Errors that are not EbtErrors are bugs or failures of the
 * machine and exit 1 with "failed:".
 */
export abstract class EbtError extends Error {
  abstract readonly exitCode: number;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input - a flag, a file, a field - found before or while reading it: exit 2. */
export class UsageError extends EbtError {
  readonly exitCode = 2;
}

/** A run that started and then failed (divergence, a cell that crashed): exit 1. */
export class RunError extends EbtError {
  readonly exitCode = 1;
}

/** Training stopped by SIGINT after saving a checkpoint: exit 130, as a shell reports Ctrl-C. */
export class Interrupted extends EbtError {
  readonly exitCode = 130;
}

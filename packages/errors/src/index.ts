export { EbtError, Interrupted, RunError, UsageError } from './errors';
export { fromSystemError } from './system-error';

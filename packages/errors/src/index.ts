export { EbtError, Interrupted, RunError, UsageError } from './errors';

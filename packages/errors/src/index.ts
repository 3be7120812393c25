export { EbtError, Interrupted, RunError, UsageError } from './errors';
export { fromSystemError } from './system-error';
export { oneOf, optionalInteger, parseInteger, parseNumber, splitList } from './flag-values';

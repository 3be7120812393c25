import { UsageError } from '@ebt/errors';

/** A model file or folder that cannot be used as it is; the message names the file and what is wrong. */
export class SafetensorsError extends UsageError {}

/** A config.json that is missing, unreadable or inconsistent with the weights. */
export class ConfigError extends UsageError {}

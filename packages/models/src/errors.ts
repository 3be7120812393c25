/** A model file or folder that cannot be used as it is; the message names the file and what is wrong. */
export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

/** A config.json that is missing, unreadable or inconsistent with the weights. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** A data file or folder that is missing or malformed; the message names the file and the byte or line. */
export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}

export { isAtomicTemp, writeFileAtomic } from './atomic-write';
export { JsonFileError, readJsonFile } from './read-json';

export { BACKENDS, BackendError, initBackend, parseBackendName } from './backend';
export type { BackendChoice, BackendName, InitBackendOptions } from './backend';

export { BACKEND_NAME, GpuError, registerWebGpuBackend, webGpuAdapter } from './webgpu-backend';
export type { RegisterOptions } from './webgpu-backend';
export { findAdapter, LIMITS } from './adapter';
export type { AdapterReport, FoundAdapter, LimitName } from './adapter';
export { loadDawn, vulkanLoaderPresent } from './dawn';
export { lastDawnProbe, probeDawn } from './probe';
export type { DawnProbe } from './probe';

/// <reference types="@webgpu/types/dist" />
import { RunError } from '@ebt/errors';
import * as tf from '@tensorflow/tfjs';
import { AdapterReport, findAdapter, LIMITS } from './adapter';
import { probeDawn } from './probe';
import { loadDawn, VULKAN_LOADER, vulkanLoaderPresent } from './dawn';
import { registerWgslKernels } from './kernels';

/** A GPU that failed while running: exit 1, as any failure while running. */
export class GpuError extends RunError {}

/** tfjs's name for the backend, and ours. */
export const BACKEND_NAME = 'webgpu';

export interface RegisterOptions {
  /** pick the adapter whose vendor, device or description contains this (software adapters included); default EBT_WEBGPU_ADAPTER */
  adapter?: string;
}

let registered: { ok: true; adapter: AdapterReport } | undefined;

/**
 * Registers tfjs's 'webgpu' backend on a device of Dawn's, with ebt's WGSL kernels in place of some of its
 * own. tfjs-backend-webgpu only knows browsers: it looks for `navigator.gpu`, so that is set (Node has no
 * navigator, or one without `gpu`) after the package is loaded, so that it registers its kernels but not a
 * backend factory of its own. Returns why not when no adapter will do.
 */
export async function registerWebGpuBackend(options: RegisterOptions = {}): Promise<{ ok: true; adapter: AdapterReport } | { ok: false; reason: string }> {
  if (registered) return registered;
  const name = options.adapter ?? (process.env.EBT_WEBGPU_ADAPTER || undefined);
  if (!name && !vulkanLoaderPresent()) return { ok: false, reason: `no Vulkan loader (${VULKAN_LOADER}) for Dawn to reach a GPU through` };
  // the automatic choice asks Dawn in a child process first (probe.ts): where it finds no hardware adapter, Dawn
  // is never loaded here and what it and the driver print stays out of the user's terminal
  if (!name) {
    const probe = probeDawn();
    if (!probe.found) return { ok: false, reason: probe.reason ?? 'Dawn found no GPU adapter' };
  }
  const loaded = loadDawn();
  if ('reason' in loaded) return { ok: false, reason: loaded.reason };
  const found = await findAdapter(loaded.dawn, name);
  if ('reason' in found) return { ok: false, reason: found.reason };
  const { WebGPUBackend } = require('@tensorflow/tfjs-backend-webgpu') as typeof import('@tensorflow/tfjs-backend-webgpu');
  Object.assign(globalThis, loaded.dawn.globals);
  const navigator = ((globalThis as { navigator?: object }).navigator ??= {});
  Object.defineProperty(navigator, 'gpu', { value: found.gpu, configurable: true });
  const requiredLimits = Object.fromEntries(LIMITS.map((k) => [k, found.adapter.limits[k]]));
  const requiredFeatures = (['timestamp-query'] as GPUFeatureName[]).filter((f) => found.adapter.features.has(f));
  const device = await found.adapter.requestDevice({ requiredLimits, requiredFeatures });
  const info = (found.adapter as GPUAdapter & { info: GPUAdapterInfo }).info;
  // Dawn reports a bad shader or dispatch only through this event (and prints it); the dispatch then does
  // nothing, so every read after it fails rather than hand back zeros as numbers.
  let deviceError: string | undefined;
  device.onuncapturederror = (event) => {
    deviceError ??= (event as GPUUncapturedErrorEvent).error.message.trim().split('\n')[0];
  };
  void device.lost.then((info) => {
    deviceError ??= `the device was lost (${info.reason}): ${info.message}`;
  });
  tf.registerBackend(
    BACKEND_NAME,
    () => {
      const backend = new WebGPUBackend(device, info);
      const read = backend.read.bind(backend);
      backend.read = async (dataId) => {
        const values = await read(dataId);
        if (deviceError) throw new GpuError(`The GPU reported an error, so no value read from it can be trusted: ${deviceError}`);
        return values;
      };
      return backend;
    },
    0,
  );
  registerWgslKernels();
  registered = { ok: true, adapter: found.report };
  return registered;
}

/** The adapter of the registered backend, for `ebt backend --json`; undefined before registration. */
export function webGpuAdapter(): AdapterReport | undefined {
  return registered?.adapter;
}

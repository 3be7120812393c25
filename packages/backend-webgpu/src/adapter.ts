/// <reference types="@webgpu/types/dist" />
import { Dawn, vulkanLoaderPresent } from './dawn';

/** How Dawn is asked for an adapter: its own backend flags and the WebGPU feature level. */
interface Route {
  /** Dawn's `backend=` flag, or none for the platform's default (Vulkan, Metal, D3D12) */
  flags: string[];
  featureLevel: 'core' | 'compatibility';
}

/** The platform's own GPU API first; OpenGL ES (compatibility mode) only when an adapter is asked for by name. */
const DEFAULT_ROUTE: Route = { flags: [], featureLevel: 'core' };
const OPENGLES_ROUTE: Route = { flags: ['backend=opengles'], featureLevel: 'compatibility' };

/** Adapters that run on the CPU: usable for correctness, never picked on their own. */
const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|softpipe|swiftshader|software|microsoft basic render/i;

/** The limits asked of the device (tfjs-backend-webgpu's, and the storage buffers a kernel may bind); the adapter's values are what the model sizes meet. */
export const LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;
export type LimitName = (typeof LIMITS)[number];

/** What `ebt backend --json` says of the adapter in use. */
export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** a CPU implementation (llvmpipe, SwiftShader, ...): only used when asked for by name */
  software: boolean;
  /** Dawn's route to it: the platform default, or OpenGL ES in compatibility mode */
  dawnBackend: 'default' | 'opengles';
  featureLevel: Route['featureLevel'];
  limits: Record<LimitName, number>;
}

export interface FoundAdapter {
  /** Dawn's GPU (navigator.gpu) that handed out the adapter; it must outlive the adapter and its device */
  gpu: GPU;
  adapter: GPUAdapter;
  report: AdapterReport;
}

/**
 * Finds the adapter to run on. Without `name`, the first hardware adapter of the platform's own API;
 * with `name`, the first adapter on any route whose vendor, architecture, device or description contains
 * it (case-insensitive), software adapters included. Returns why not when there is none.
 */
export async function findAdapter(dawn: Dawn, name?: string): Promise<FoundAdapter | { reason: string }> {
  const routes = name ? [...(vulkanLoaderPresent() ? [DEFAULT_ROUTE] : []), OPENGLES_ROUTE] : [DEFAULT_ROUTE];
  const seen: string[] = [];
  for (const route of routes) {
    if (route === OPENGLES_ROUTE) process.env.EGL_PLATFORM ??= 'surfaceless'; // no display: EGL's headless platform
    const gpu = dawn.create(route.flags);
    const options = { powerPreference: 'high-performance', featureLevel: route.featureLevel } as GPURequestAdapterOptions;
    const adapter = await gpu.requestAdapter(options);
    if (!adapter) continue;
    const report = describe(adapter, route);
    seen.push(`${report.device || report.description}${report.software ? ' (software)' : ''}`);
    const wanted = name ? matches(report, name) : !report.software;
    if (wanted) return { gpu, adapter, report };
  }
  if (name) return { reason: `no WebGPU adapter matches EBT_WEBGPU_ADAPTER='${name}' (found: ${seen.join(', ') || 'none'})` };
  return {
    reason: seen.length ? `Dawn found only software adapters (${seen.join(', ')}); name one with EBT_WEBGPU_ADAPTER to use it` : 'Dawn found no GPU adapter',
  };
}

function describe(adapter: GPUAdapter, route: Route): AdapterReport {
  const info = (adapter as GPUAdapter & { info: GPUAdapterInfo & { isFallbackAdapter?: boolean } }).info;
  const text = { vendor: info.vendor ?? '', architecture: info.architecture ?? '', device: info.device ?? '', description: info.description ?? '' };
  const software = Boolean(info.isFallbackAdapter) || SOFTWARE_ADAPTER.test(Object.values(text).join(' '));
  const limits = Object.fromEntries(LIMITS.map((k) => [k, adapter.limits[k]])) as Record<LimitName, number>;
  return { ...text, software, dawnBackend: route.flags.length ? 'opengles' : 'default', featureLevel: route.featureLevel, limits };
}

function matches(report: AdapterReport, name: string): boolean {
  const needle = name.trim().toLowerCase();
  return [report.vendor, report.architecture, report.device, report.description].some((s) => s.toLowerCase().includes(needle));
}

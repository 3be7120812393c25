import * as fs from 'node:fs';
import * as path from 'node:path';

/** What dawn.node exports: `create(flags)` makes a `GPU` (navigator.gpu); `globals` are the WebGPU classes and enums. */
export interface Dawn {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

/** The Vulkan loader's file name on Linux; Dawn opens it at run time to reach the GPU driver. */
const VULKAN_LOADER = 'libvulkan.so.1';
const SYSTEM_LIBRARY_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/lib64', '/lib'];

let dawn: { dawn: Dawn } | { reason: string } | undefined;

/**
 * Loads the prebuilt dawn.node that the `webgpu` npm package ships for this platform, once. Its own
 * index.js is ESM only; the addon itself is a plain Node module, so it is required directly.
 */
export function loadDawn(): { dawn: Dawn } | { reason: string } {
  if (dawn) return dawn;
  const file = dawnFile();
  if (!file) return (dawn = { reason: 'the webgpu package is not installed' });
  if (!fs.existsSync(file)) return (dawn = { reason: `the webgpu package has no Dawn build for ${process.platform}-${process.arch} (${file})` });
  try {
    dawn = { dawn: require(file) as Dawn };
  } catch (e) {
    dawn = { reason: `Dawn (${file}) does not load: ${String(e instanceof Error ? e.message : e).split('\n')[0]}` };
  }
  return dawn;
}

/** The webgpu package's dawn.node for this platform, or null when the package is not installed. */
export function dawnFile(): string | null {
  const arch = process.platform === 'darwin' ? 'universal' : process.arch;
  try {
    return path.join(path.dirname(require.resolve('webgpu/package.json')), 'dist', `${process.platform}-${arch}`, 'dawn.node');
  } catch {
    return null;
  }
}

/**
 * On Linux, Dawn reaches a hardware GPU through the Vulkan loader. Looking for it first keeps the automatic
 * backend choice quiet and quick on machines without one (Dawn itself would print a warning to stderr).
 */
export function vulkanLoaderPresent(env: NodeJS.ProcessEnv = process.env): boolean {
  if (process.platform !== 'linux') return true;
  const dirs = [...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), ...SYSTEM_LIBRARY_DIRS];
  return dirs.some((d) => fs.existsSync(path.join(d, VULKAN_LOADER)));
}

export { SYSTEM_LIBRARY_DIRS, VULKAN_LOADER };

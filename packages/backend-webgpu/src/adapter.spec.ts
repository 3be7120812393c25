/**
 * The adapter choice against a stand-in for Dawn (no GPU needed): hardware adapters only unless one is named,
 * software ones recognised by name or by the fallback flag, the OpenGL ES route in compatibility mode only
 * when named, and a reason that says what was found.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findAdapter, vulkanLoaderPresent } from './index';
import type { Dawn } from './dawn';

interface FakeAdapter {
  vendor: string;
  device: string;
  description?: string;
  fallback?: boolean;
}

/** A Dawn whose `create(flags)` hands out the adapter listed for that route (by the flags it was given). */
function fakeDawn(routes: Record<string, FakeAdapter | null>): Dawn & { asked: Array<{ flags: string[]; options: unknown }> } {
  const asked: Array<{ flags: string[]; options: unknown }> = [];
  return {
    asked,
    globals: {},
    create: (flags: string[]) =>
      ({
        requestAdapter: async (options: unknown) => {
          asked.push({ flags, options });
          const a = routes[flags.join(',')];
          if (!a) return null;
          const limits = {
            maxBufferSize: 2 ** 31,
            maxStorageBufferBindingSize: 2 ** 27,
            maxComputeWorkgroupStorageSize: 32768,
            maxComputeInvocationsPerWorkgroup: 1024,
            maxComputeWorkgroupSizeX: 1024,
            maxComputeWorkgroupsPerDimension: 65535,
            maxStorageBuffersPerShaderStage: 16,
          };
          return {
            info: { vendor: a.vendor, architecture: '', device: a.device, description: a.description ?? '', isFallbackAdapter: a.fallback ?? false },
            limits,
            features: new Set(),
          };
        },
      }) as unknown as GPU,
  };
}

const h200: FakeAdapter = { vendor: 'nvidia', device: 'NVIDIA H200', description: 'NVIDIA: 580.95' };
const llvmpipe: FakeAdapter = { vendor: '', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'OpenGL version OpenGL ES 3.2 Mesa 22.3.6' };

test('unnamed: the hardware adapter of the default route, reported with its limits', async () => {
  const dawn = fakeDawn({ '': h200 });
  const found = await findAdapter(dawn);
  expect('report' in found && found.report).toMatchObject({
    vendor: 'nvidia',
    device: 'NVIDIA H200',
    software: false,
    dawnBackend: 'default',
    featureLevel: 'core',
  });
  expect('report' in found && found.report.limits.maxStorageBufferBindingSize).toBe(2 ** 27);
  expect(dawn.asked).toEqual([{ flags: [], options: { powerPreference: 'high-performance', featureLevel: 'core' } }]);
});

test('unnamed: a software adapter, by name or by the fallback flag, is passed over saying so; OpenGL ES is not tried', async () => {
  for (const soft of [
    { vendor: 'google', device: 'SwiftShader Device (Subzero)' },
    { vendor: 'mesa', device: 'some gpu', fallback: true },
  ]) {
    const dawn = fakeDawn({ '': soft, 'backend=opengles': llvmpipe });
    const found = await findAdapter(dawn);
    expect(found).toEqual({
      reason: expect.stringMatching(/^Dawn found only software adapters \(.* \(software\)\); name one with EBT_WEBGPU_ADAPTER to use it$/),
    });
    expect(dawn.asked.map((a) => a.flags)).toEqual([[]]);
  }
  expect(await findAdapter(fakeDawn({}))).toEqual({ reason: 'Dawn found no GPU adapter' });
});

test('named: the first adapter on any route whose description contains the name, software ones included', async () => {
  const hasVulkan = vulkanLoaderPresent();
  const dawn = fakeDawn({ '': h200, 'backend=opengles': llvmpipe });
  const found = await findAdapter(dawn, 'LLVMpipe');
  expect('report' in found && found.report).toMatchObject({ device: llvmpipe.device, software: true, dawnBackend: 'opengles', featureLevel: 'compatibility' });
  // the default route is asked first only where there is a Vulkan loader to take it
  expect(dawn.asked.map((a) => a.flags)).toEqual(hasVulkan ? [[], ['backend=opengles']] : [['backend=opengles']]);
  expect(await findAdapter(fakeDawn({ 'backend=opengles': llvmpipe }), 'radeon')).toEqual({
    reason: "no WebGPU adapter matches EBT_WEBGPU_ADAPTER='radeon' (found: llvmpipe-llvm-15-0-6-256-bits- (software))",
  });
});

test('the Vulkan loader is looked for in LD_LIBRARY_PATH as well as the system folders', () => {
  if (process.platform !== 'linux') return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-vulkan-'));
  const without = vulkanLoaderPresent({ LD_LIBRARY_PATH: dir });
  fs.writeFileSync(path.join(dir, 'libvulkan.so.1'), '');
  expect(vulkanLoaderPresent({ LD_LIBRARY_PATH: `/nowhere:${dir}` })).toBe(true);
  // without it there, the answer is the system's own
  expect(without).toBe(vulkanLoaderPresent({}));
});

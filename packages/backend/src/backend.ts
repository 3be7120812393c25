import { UsageError } from '@ebt/errors';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { AdapterReport, DawnProbe } from '@ebt/backend-webgpu';
import { registerWasmKernels } from './wasm-kernels';

/**
 * Backends in order of preference. `tensorflow-gpu` and `tensorflow` are libtensorflow through tfjs-node(-gpu);
 * `webgpu` is tfjs-backend-webgpu on Dawn (@ebt/backend-webgpu), chosen on its own only on a hardware adapter;
 * `native` is @ebt/backend-native (the cpu backend with OpenBLAS and C++ kernels, built at install time).
 */
export const BACKENDS = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'native', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

const ALIASES: Record<string, BackendName> = {
  'tensorflow-gpu': 'tensorflow-gpu',
  'node-gpu': 'tensorflow-gpu',
  'tfjs-node-gpu': 'tensorflow-gpu',
  gpu: 'tensorflow-gpu',
  webgpu: 'webgpu',
  dawn: 'webgpu',
  tensorflow: 'tensorflow',
  node: 'tensorflow',
  'tfjs-node': 'tensorflow',
  native: 'native',
  'backend-native': 'native',
  openblas: 'native',
  wasm: 'wasm',
  cpu: 'cpu',
};

/** A backend that was asked for by name and cannot be used, or a name that is not a backend. */
export class BackendError extends UsageError {}

export interface BackendChoice {
  /** our name for it */
  name: BackendName;
  /** tf.getBackend() after initialisation */
  tfBackend: string;
  /** why the backends before it were passed over, or why it was chosen */
  reason: string;
  /** the GPU adapter, when the backend is webgpu */
  adapter?: AdapterReport;
  /** what Dawn and the GPU driver printed when a child process asked them for an adapter (never shown otherwise) */
  dawnProbe?: Pick<DawnProbe, 'reason' | 'diagnostics' | 'cached'>;
}

export interface InitBackendOptions {
  /** a backend name; overrides EBT_BACKEND. Asking for one that cannot start is an error, not a fallback. */
  backend?: string;
  /** where the one line saying which backend was chosen goes (default: stderr); pass null for silence */
  log?: ((line: string) => void) | null;
}

const started = new Map<string, Promise<BackendChoice>>();

export function parseBackendName(name: string): BackendName {
  const key = name.trim().toLowerCase();
  const found = ALIASES[key];
  if (!found) {
    throw new BackendError(`Unknown backend '${name}'; use one of ${BACKENDS.join(', ')}.`);
  }
  return found;
}

/**
 * Picks and initialises the tfjs backend: the one named by `options.backend` or EBT_BACKEND, else the
 * first that starts of tfjs-node-gpu, tfjs-node, native, wasm, cpu. The choice is logged once; asking again
 * for the same thing returns the same choice.
 */
export function initBackend(options: InitBackendOptions = {}): Promise<BackendChoice> {
  const key = (options.backend ?? process.env.EBT_BACKEND ?? '').trim().toLowerCase();
  let choice = started.get(key);
  if (!choice) {
    choice = choose(key, options.log);
    started.set(key, choice);
    choice.catch(() => started.delete(key));
    return choice;
  }
  // started before, but another backend may have been chosen since: make this one current again
  return choice.then(async (c) => {
    if (tf.getBackend() !== c.tfBackend && !(await tf.setBackend(c.tfBackend))) throw new BackendError(`the ${c.name} backend did not initialise again`);
    return c;
  });
}

async function choose(key: string, log: InitBackendOptions['log']): Promise<BackendChoice> {
  const write = log === undefined ? (line: string) => process.stderr.write(line + '\n') : log;
  let choice: BackendChoice;
  if (key !== '') {
    const name = parseBackendName(key);
    const failure = await tryStart(name);
    if (failure) {
      throw new BackendError(`Backend '${name}' was requested but cannot start: ${failure}.`);
    }
    choice = { name, tfBackend: tf.getBackend(), reason: 'requested', ...adapterOf(name) };
  } else {
    const skipped: string[] = [];
    let chosen: BackendName | undefined;
    for (const name of BACKENDS) {
      const failure = await tryStart(name);
      if (!failure) {
        chosen = name;
        break;
      }
      skipped.push(failure);
    }
    if (!chosen) throw new BackendError(`No tfjs backend could start: ${skipped.join('; ')}.`);
    choice = { name: chosen, tfBackend: tf.getBackend(), reason: skipped.length ? skipped.join('; ') : 'first choice', ...adapterOf(chosen) };
  }
  const probe = probed();
  if (probe) choice.dawnProbe = { reason: probe.reason, diagnostics: probe.diagnostics, cached: probe.cached };
  const on = choice.adapter ? ` on ${choice.adapter.device || choice.adapter.description}` : '';
  write?.(`ebt: tfjs backend '${choice.name}'${on} (${choice.reason})`);
  return choice;
}

/** Starts one backend; returns why it could not, or undefined on success. */
async function tryStart(name: BackendName): Promise<string | undefined> {
  try {
    switch (name) {
      case 'tensorflow-gpu':
      case 'tensorflow': {
        const pkg = name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
        if (!isInstalled(pkg)) return `${pkg} not installed`;
        try {
          require(pkg);
        } catch (e) {
          return `${pkg} is installed but its native binding does not load (${firstLine(e)}); was its install script approved?`;
        }
        if (!(await tf.setBackend('tensorflow'))) return `${pkg} loaded but the 'tensorflow' backend did not initialise`;
        return undefined;
      }
      case 'webgpu': {
        const webgpu = require('@ebt/backend-webgpu') as typeof import('@ebt/backend-webgpu');
        const registered = await webgpu.registerWebGpuBackend();
        if (!registered.ok) return `Dawn (webgpu): ${registered.reason}`;
        if (!(await tf.setBackend(webgpu.BACKEND_NAME))) return 'the webgpu backend did not initialise';
        return undefined;
      }
      case 'native': {
        const native = require('@ebt/backend-native') as typeof import('@ebt/backend-native');
        const registered = native.registerNativeBackend();
        if (!registered.ok) return registered.reason;
        if (!(await tf.setBackend(native.BACKEND_NAME))) return 'the native backend did not initialise';
        return undefined;
      }
      case 'wasm': {
        const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
        // The .wasm binaries ship inside the package; point tfjs at them so nothing is fetched.
        const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
        wasm.setWasmPaths(dist + path.sep);
        registerWasmKernels();
        if (!(await tf.setBackend('wasm'))) return 'the wasm backend did not initialise';
        return undefined;
      }
      case 'cpu':
        if (!(await tf.setBackend('cpu'))) return 'the cpu backend did not initialise';
        // tfjs-backend-cpu prints a multi-line "install tfjs-node" banner on first use; our one log line says it.
        (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
        return undefined;
    }
  } catch (e) {
    return `${name} failed to start (${firstLine(e)})`;
  }
}

/** The Dawn probe's answer, where webgpu was tried (its module loaded) and the probe ran. */
function probed(): DawnProbe | undefined {
  const file = require.resolve('@ebt/backend-webgpu');
  if (!require.cache[file]) return undefined;
  return (require('@ebt/backend-webgpu') as typeof import('@ebt/backend-webgpu')).lastDawnProbe();
}

function adapterOf(name: BackendName): { adapter?: AdapterReport } {
  if (name !== 'webgpu') return {};
  const webgpu = require('@ebt/backend-webgpu') as typeof import('@ebt/backend-webgpu');
  return { adapter: webgpu.webGpuAdapter() };
}

function isInstalled(pkg: string): boolean {
  try {
    require.resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n')[0];
}

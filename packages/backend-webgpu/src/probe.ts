/**
 * Which adapter the automatic choice would take, asked of Dawn in a child process: where a Vulkan loader and a
 * driver Dawn refuses are installed (Mesa's lavapipe, which Debian's Chromium pulls in), Dawn and the driver
 * print five lines to stderr - `XDG_RUNTIME_DIR is invalid`, a warning naming a source file of Dawn's own CI -
 * before ebt has said anything. The child's stderr is kept as diagnostics (`ebt backend --json`), never shown.
 * The answer is cached per machine and driver set: Dawn's build, the Vulkan driver manifests (ICDs), the GPU
 * device nodes and the variables that steer the loader.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AdapterReport } from './adapter';
import { dawnFile, SYSTEM_LIBRARY_DIRS, VULKAN_LOADER } from './dawn';

export interface DawnProbe {
  /** the hardware adapter the automatic choice takes, or null */
  found: AdapterReport | null;
  /** why there is none */
  reason: string | null;
  /** what Dawn and the driver printed while asked (their stderr), line by line */
  diagnostics: string[];
  /** whether this answer came from the cache */
  cached: boolean;
}

/** Where the driver set is read from (Vulkan's loader looks for manifests there). */
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', path.join(os.homedir(), '.local/share/vulkan/icd.d')];
const DEVICE_DIRS = ['/dev/dri', '/dev'];
const LOADER_VARIABLES = ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES', 'VK_ADD_DRIVER_FILES', 'LD_LIBRARY_PATH'];

let probed: DawnProbe | undefined;

/** The answer of this process's probe, if it ran (for `ebt backend --json`). */
export const lastDawnProbe = (): DawnProbe | undefined => probed;

/** The probe's answer (once per process; across processes, cached while the machine's driver set stays the same). */
export function probeDawn(env: NodeJS.ProcessEnv = process.env): DawnProbe {
  if (probed) return probed;
  const key = fingerprint(env);
  const file = cacheFile(env);
  try {
    const cache = JSON.parse(fs.readFileSync(file, 'utf8')) as { key: string; probe: DawnProbe };
    if (cache.key === key) return (probed = { ...cache.probe, cached: true });
  } catch {
    // no cache yet, or one we cannot read: ask Dawn
  }
  probed = runProbe(env);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ key, probe: probed }) + '\n');
    fs.renameSync(tmp, file);
  } catch {
    // a read-only home: the probe runs again next time
  }
  return probed;
}

function runProbe(env: NodeJS.ProcessEnv): DawnProbe {
  const child = path.join(__dirname, `probe-child${path.extname(__filename)}`);
  const args = __filename.endsWith('.ts') ? ['--require', require.resolve('tsx/cjs'), child] : [child];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', env, timeout: 60_000 });
  const diagnostics = (r.stderr ?? '').split('\n').filter((l) => l.trim() !== '');
  const last = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    const answer = JSON.parse(last) as { found: AdapterReport | null; reason: string | null };
    return { ...answer, diagnostics, cached: false };
  } catch {
    const how = r.signal ? `was killed by ${r.signal}` : r.error ? `did not run (${r.error.message})` : `exited with code ${r.status}`;
    return { found: null, reason: `Dawn's probe ${how} (ebt backend --json shows what it printed)`, diagnostics, cached: false };
  }
}

function fingerprint(env: NodeJS.ProcessEnv): string {
  const stat = (f: string) => {
    try {
      const s = fs.statSync(f);
      return `${f}:${s.size}:${s.mtimeMs}`;
    } catch {
      return `${f}:-`;
    }
  };
  const listing = (d: string, only?: RegExp) => {
    try {
      return fs
        .readdirSync(d)
        .filter((f) => !only || only.test(f))
        .sort()
        .map((f) => stat(path.join(d, f)));
    } catch {
      return [`${d}:-`];
    }
  };
  const parts = [
    process.version,
    stat(dawnFile() ?? 'no-dawn'),
    ...ICD_DIRS.flatMap((d) => listing(d)),
    ...DEVICE_DIRS.flatMap((d) => listing(d, /^(card|renderD|nvidia)/)),
    ...SYSTEM_LIBRARY_DIRS.map((d) => stat(path.join(d, VULKAN_LOADER))),
    ...LOADER_VARIABLES.map((v) => `${v}=${env[v] ?? ''}`),
  ];
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

function cacheFile(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'ebt', 'webgpu-probe.json');
}

/**
 * Installing packed workspace packages into a folder outside the workspace, as a user would, without the
 * network: the tarballs of `npm pack`, and every third-party package from npm's cache (which `npm ci` filled).
 * npm needs a lockfile to install from the cache alone; this writes one with the packed packages and the
 * closure of their dependencies, each at the version (and integrity) the workspace's package-lock.json holds.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const root = path.join(__dirname, '..', '..');

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** `npm pack` of workspace packages (folder names under packages/) into `dest`; the tarball of each. */
export function pack(names: string[], dest: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of names) {
    const json = JSON.parse(run('npm', ['pack', path.join(root, 'packages', name), '--pack-destination', dest, '--json', '--silent'], root));
    out.set(json[0].name, path.join(dest, json[0].filename));
  }
  return out;
}

/** The lock entry a package at `from` (a lock path) gets for dependency `name`: Node's lookup, nearest node_modules first. */
function resolveIn(lock: Record<string, LockEntry>, from: string, name: string): string | null {
  for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/node_modules/')))) {
    const candidate = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (lock[candidate]) return candidate;
    if (!dir) return null;
  }
}

/**
 * Installs `tarballs` (package name -> .tgz) into `dir` from the cache alone (`npm ci --offline`, no install
 * scripts: a user's native addon build is not what this checks).
 */
export function installOffline(dir: string, tarballs: Map<string, string>): void {
  const workspace = (JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }).packages;
  const packages: Record<string, LockEntry> = {};
  const todo: Array<{ entry: string; source: string }> = [];
  for (const [name, file] of tarballs) {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, workspace[`node_modules/${name}`].resolved!, 'package.json'), 'utf8'));
    packages[`node_modules/${name}`] = {
      version: manifest.version,
      resolved: `file:${path.relative(dir, file)}`,
      integrity: `sha512-${createHash('sha512').update(fs.readFileSync(file)).digest('base64')}`,
      dependencies: manifest.dependencies,
      ...(manifest.bin ? { bin: manifest.bin } : {}),
    };
    for (const dep of Object.keys(manifest.dependencies ?? {})) todo.push({ entry: `node_modules/${name}`, source: dep });
  }
  // the third-party closure, at the workspace's versions and places
  while (todo.length) {
    const { entry, source } = todo.pop()!;
    if (source.startsWith('@ebt/')) continue;
    const found =
      resolveIn(workspace, entry.startsWith('node_modules/@ebt/') ? (workspace[entry]?.resolved ?? '') : entry, source) ?? resolveIn(workspace, '', source);
    if (!found || packages[found]) continue;
    const lockEntry = workspace[found];
    packages[found] = lockEntry;
    const deps = { ...lockEntry.dependencies, ...lockEntry.optionalDependencies };
    for (const [peer, range] of Object.entries(lockEntry.peerDependencies ?? {})) if (!lockEntry.peerDependenciesMeta?.[peer]?.optional) deps[peer] = range;
    for (const dep of Object.keys(deps)) todo.push({ entry: found, source: dep });
  }
  const dependencies = Object.fromEntries([...tarballs].map(([name, file]) => [name, `file:${path.relative(dir, file)}`]));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies }, null, 2));
  const lock = {
    name: 'consumer',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name: 'consumer', version: '1.0.0', dependencies }, ...packages },
  };
  fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], dir);
}

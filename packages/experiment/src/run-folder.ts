/**
 * A run folder is owned by one run at a time: a lock file created exclusively (pid and host), a folder that
 * already holds a run is refused unless the run resumes it (--resume) or replaces it (--overwrite), and a
 * resumed run must keep the options it started with.
 */
import { isAtomicTemp } from '@ebt/files';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError } from '@ebt/errors';
import { SCRATCH_MODEL_DIR } from '@ebt/models';
import { checkResumable } from './resume-check';

export const LOCK_FILE = '.ebt-lock';

interface LockInfo {
  pid: number;
  host: string;
  started: string;
}

export interface RunFolderOptions {
  resume?: boolean;
  /** clear an existing run folder first */
  overwrite?: boolean;
  /** where to say that a stale lock was taken over (default stderr) */
  log?: (line: string) => void;
}

export interface RunFolderLock {
  release(): void;
}

/** Whether process `pid` runs on this host (one we may not signal runs too). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const entriesOf = (outDir: string) => (fs.existsSync(outDir) ? fs.readdirSync(outDir).filter((f) => f !== LOCK_FILE) : []);

/**
 * What a run writes before run.json: the model it builds from scratch (its vocabulary trained) and the temporary
 * files of a killed atomic write. A folder holding nothing else is a start cut short, not a run: a plain start
 * takes it over (a finetune killed while building its scratch model could neither resume nor start again).
 */
const startLeftover = (entry: string) => entry === SCRATCH_MODEL_DIR || isAtomicTemp(entry);

/** Checks --out against --resume/--overwrite, writing nothing: call it first. */
export function checkRunFolder(outDir: string, o: RunFolderOptions = {}): void {
  if (fs.existsSync(outDir) && !fs.statSync(outDir).isDirectory()) throw new UsageError(`--out: '${outDir}' is a file, not a folder.`);
  if (o.resume && o.overwrite) throw new UsageError('--resume and --overwrite exclude each other.');
  const entries = entriesOf(outDir);
  const cutShort = !entries.includes('run.json') && entries.length > 0 && entries.every(startLeftover);
  if (o.resume && cutShort)
    throw new UsageError(`--resume: '${outDir}' holds no run: its start was cut short before run.json was written; start it again without --resume.`);
  if (o.resume && !fs.existsSync(path.join(outDir, 'run.json'))) throw new UsageError(`--resume: '${outDir}' holds no run (run.json is missing).`);
  if (!o.resume && !o.overwrite && entries.length > 0 && !cutShort)
    throw new UsageError(`--out: '${outDir}' already holds a run; continue it with --resume, or replace it with --overwrite.`);
}

/** Takes the folder's lock (and clears it for --overwrite): call it once the inputs are checked, before writing. */
export function openRunFolder(outDir: string, o: RunFolderOptions = {}): RunFolderLock {
  checkRunFolder(outDir, o);
  if (o.resume) checkResumable(outDir); // what the resume will read, before anything is written
  const lock = lockFolder(outDir, o.log);
  if (!o.resume) for (const f of entriesOf(outDir)) fs.rmSync(path.join(outDir, f), { recursive: true, force: true });
  else removeAtomicTemps(outDir);
  return lock;
}

/** The temporary files a killed writer left behind (in `dir`'s subfolders too unless `deep` is false); only the lock holder may remove them. */
export function removeAtomicTemps(dir: string, deep = true): void {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (deep) removeAtomicTemps(file);
    } else if (isAtomicTemp(entry.name)) fs.rmSync(file, { force: true });
  }
}

/** The locks this process holds, by lock file, with how many holders inside it (pretrain's own sweep and report). */
const held = new Map<string, number>();

/**
 * The folder's lock alone, for folders that are not one run's (a study's) and for the commands that write into a
 * run's folder (sweep, report): released on exit; refused while another live process holds it, naming `flag`
 * ('--out'; null for a folder given as an argument), taken over from a dead one with a note. Re-entrant: a lock
 * this process holds is shared, and only its last release removes it.
 */
export function lockFolder(
  outDir: string,
  log: (line: string) => void = (line) => process.stderr.write(line + '\n'),
  flag: string | null = '--out',
): RunFolderLock {
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.resolve(outDir, LOCK_FILE); // one key however the folder was named
  const holders = held.get(file) ?? 0;
  if (holders > 0) {
    held.set(file, holders + 1);
    let shared = true;
    return {
      release: () => {
        if (shared) held.set(file, held.get(file)! - 1);
        shared = false;
      },
    };
  }
  const mine: LockInfo = { pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(mine) + '\n', { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner: LockInfo | null = null;
      try {
        owner = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch {
        owner = null; // a lock file cut short: its writer died
      }
      // this process's own lock (a run that failed earlier in the same process) is taken back silently
      const ours = owner !== null && owner.pid === process.pid && owner.host === mine.host;
      const stale = owner === null || (owner.host === mine.host && !processAlive(owner.pid));
      if (!ours && !stale)
        throw new UsageError(
          `${flag ? `${flag}: ` : ''}'${outDir}' is in use by process ${owner!.pid} on ${owner!.host} (since ${owner!.started}); wait for it, or stop it.`,
        );
      if (stale && !ours) log(`ebt: taking over the lock of '${outDir}' from process ${owner?.pid ?? '?'}, which is no longer running`);
      fs.rmSync(file, { force: true });
    }
  }
  held.set(file, 1);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    held.delete(file);
    process.removeListener('exit', release);
    try {
      const owner = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
      if (owner.pid === process.pid) fs.rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
  process.on('exit', release);
  return { release };
}

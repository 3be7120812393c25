/**
 * The native backend's environment variables, read in one place: EBT_NATIVE_THREADS (threads of its kernels;
 * default: OpenMP's, one per core) and EBT_NATIVE_POOL_MB (free buffers kept for reuse; default 1/8 of RAM, at
 * most 4 GiB). A value that is set and makes no sense is a problem to report, never a silent default: 0, -2,
 * `abc` and 1.5 threads were ignored, and 99999 aborted inside libgomp with no word from ebt.
 */
import * as os from 'node:os';

/** More threads than this are refused (libgomp aborts on 99,999; a thread per core is the useful most). */
export const MAX_NATIVE_THREADS = 1024;

export interface NativeSettings {
  /** threads for the kernels; undefined: OpenMP's default */
  threads?: number;
  /** bytes of free buffers the pool keeps */
  poolBytes: number;
}

/** The pool's default size: 1/8 of the machine's memory, at most 4 GiB. */
export const defaultPoolBytes = (): number => Math.min(4 * 2 ** 30, os.totalmem() / 8);

/** The settings `env` asks for, or what is wrong with one of them (the variable and its value named). */
export function nativeSettings(env: NodeJS.ProcessEnv = process.env): NativeSettings | { problem: string } {
  const threads = env.EBT_NATIVE_THREADS?.trim();
  const pool = env.EBT_NATIVE_POOL_MB?.trim();
  const settings: NativeSettings = { poolBytes: defaultPoolBytes() };
  if (threads) {
    const n = Number(threads);
    if (!/^\d+$/.test(threads) || n < 1 || n > MAX_NATIVE_THREADS)
      return {
        problem: `EBT_NATIVE_THREADS is '${env.EBT_NATIVE_THREADS}': it must be a whole number of threads from 1 to ${MAX_NATIVE_THREADS} (unset: one per core).`,
      };
    settings.threads = n;
  }
  if (pool) {
    const mb = Number(pool);
    if (!Number.isFinite(mb) || mb < 0)
      return {
        problem: `EBT_NATIVE_POOL_MB is '${env.EBT_NATIVE_POOL_MB}': it must be a number of megabytes, 0 or more (unset: 1/8 of the memory, at most 4096).`,
      };
    settings.poolBytes = mb * 2 ** 20;
  }
  return settings;
}

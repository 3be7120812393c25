import { EbtError, RunError, UsageError } from './errors';

/** What each system error means, in words a user can act on. */
const MEANING: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  ENOENT: 'no such file or folder',
  EMFILE: 'too many open files',
  EIO: 'an input/output error of the device',
};

const VERBS: Record<string, string> = {
  open: 'open',
  mkdir: 'create',
  rename: 'rename',
  write: 'write',
  unlink: 'remove',
  rmdir: 'remove',
  scandir: 'read',
  copyfile: 'write',
};

/** Errors about where the user pointed ebt (exit 2); the rest are failures of the machine while running (exit 1). */
const USAGE_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR']);

/**
 * A Node system error (ENOSPC, EACCES, ...) as an EbtError that names the file and says what happened;
 * `file` overrides the error's own path (a temporary name means nothing to the user). Null for other errors.
 */
export function fromSystemError(e: unknown, file?: string): EbtError | null {
  // duck-typed: errors from Node's fs may come from another realm (jest's vm context) than this module's Error
  if (e instanceof EbtError || typeof e !== 'object' || e === null || !('code' in e)) return null;
  const code = (e as NodeJS.ErrnoException).code;
  if (!code || !(code in MEANING)) return null;
  const { syscall, path, dest } = e as NodeJS.ErrnoException & { dest?: string };
  // a copy fails on its destination, which Node keeps apart from `path`
  const target = file ?? (syscall === 'copyfile' && dest ? dest : path);
  const verb = file ? 'write' : (VERBS[syscall ?? ''] ?? 'access');
  const message = `Cannot ${verb} ${target ? `'${target}'` : 'a file'}: ${MEANING[code]} (${code}).${code === 'ENOSPC' || code === 'EDQUOT' ? ' Free some space, then run the same command again (pretrain and finetune with --resume): what was written is kept.' : ''}`;
  return USAGE_CODES.has(code) ? new UsageError(message) : new RunError(message);
}

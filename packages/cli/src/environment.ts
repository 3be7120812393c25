/**
 * The environment variables ebt reads, checked before any command runs: a value that is set and makes no sense
 * exits 2 naming the variable and the value, before anything is written (issue 34: EBT_NATIVE_THREADS=abc was
 * ignored, 99999 aborted inside libgomp). Each owner says what is valid; its module is loaded only when its
 * variable is set, so commands that never compute still start without tfjs.
 */
import { UsageError } from '@ebt/errors';

export function checkEnvironment(env: NodeJS.ProcessEnv = process.env): void {
  const backend = () => require('@ebt/backend') as typeof import('@ebt/backend');
  if (env.EBT_NATIVE_THREADS !== undefined || env.EBT_NATIVE_POOL_MB !== undefined) {
    const settings = backend().nativeSettings(env);
    if ('problem' in settings) throw new UsageError(settings.problem);
  }
  if (!env.EBT_BACKEND?.trim()) return;
  try {
    backend().parseBackendName(env.EBT_BACKEND);
  } catch {
    throw new UsageError(`EBT_BACKEND is '${env.EBT_BACKEND}': it must name a backend (${backend().BACKENDS.join(', ')}) or be unset.`);
  }
}

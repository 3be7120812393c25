import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The environment variables of Python's huggingface_hub, read the same way: HF_ENDPOINT, HF_HOME (or
 * HF_HUB_CACHE for the hub cache itself), HF_TOKEN, HF_HUB_OFFLINE.
 */
export const hubEndpoint = (): string => (process.env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '');

export const hubCacheDir = (): string =>
  process.env.HF_HUB_CACHE ??
  path.join(process.env.HF_HOME ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'huggingface'), 'hub');

export const hubToken = (): string | undefined => process.env.HF_TOKEN || undefined;

/** huggingface_hub's truthy values: 1, ON, YES, TRUE (any case). */
export const hubOffline = (): boolean => ['1', 'on', 'yes', 'true'].includes((process.env.HF_HUB_OFFLINE ?? '').toLowerCase());

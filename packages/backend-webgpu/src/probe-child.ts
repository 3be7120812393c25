/**
 * The child process of probe.ts: asks Dawn for the adapter the automatic choice would take and prints the
 * answer as one JSON line on stdout; whatever Dawn and the driver print goes to its own stderr, which the
 * parent keeps as diagnostics.
 */
import { findAdapter } from './adapter';
import { loadDawn } from './dawn';

async function main(): Promise<void> {
  const loaded = loadDawn();
  if ('reason' in loaded) return void process.stdout.write(JSON.stringify({ found: null, reason: loaded.reason }) + '\n');
  const found = await findAdapter(loaded.dawn);
  process.stdout.write(JSON.stringify('reason' in found ? { found: null, reason: found.reason } : { found: found.report, reason: null }) + '\n');
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);

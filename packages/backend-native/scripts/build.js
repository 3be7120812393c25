// Install step of @ebt/backend-native: builds the addon with node-gyp. A machine without a C++ compiler or
// OpenBLAS still installs; the backend selection then passes 'native' over with one line saying why.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const log = process.env.EBT_NATIVE_BUILD_LOG ?? path.join(root, 'build-native.log');

function nodeGyp() {
  if (process.env.npm_config_node_gyp) return process.env.npm_config_node_gyp;
  const npmDir = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  return fs.existsSync(npmDir) ? npmDir : require.resolve('node-gyp/bin/node-gyp.js');
}

if (process.env.EBT_SKIP_NATIVE_BUILD) {
  console.log('ebt: EBT_SKIP_NATIVE_BUILD is set; the native backend is not built');
  process.exit(0);
}
// Build against the headers that ship with this Node when they are there: node-gyp would otherwise download
// them, and installs here are offline.
const args = [nodeGyp(), 'rebuild', '--jobs', 'max'];
const prefix = path.join(path.dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${prefix}`);
}
let run;
try {
  run = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
} catch (e) {
  run = { status: 1, stdout: '', stderr: String(e) };
}
fs.writeFileSync(log, `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}`);
if (run.status === 0) {
  console.log('ebt: native backend built (packages/backend-native/build/Release/ebt_native.node)');
} else {
  const lines = `${run.stderr ?? ''}${run.error ?? ''}`
    .trim()
    .split('\n')
    .filter((l) => /error|not found/i.test(l));
  console.warn(`ebt: the native backend did not build (${lines[0] ?? `node-gyp exited ${run.status}`}); tfjs falls back to wasm. Full log: ${log}`);
}

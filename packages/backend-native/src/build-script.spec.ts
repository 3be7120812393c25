import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// `npm ci` runs scripts/build.js; a machine that cannot compile the addon must still install.
test('a failed addon build still exits 0, with one warning line and the log kept', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-native-build-'));
  const fakeGyp = path.join(dir, 'node-gyp.js');
  fs.writeFileSync(fakeGyp, "console.error('gyp ERR! fatal error: cblas.h: No such file or directory'); process.exit(1);\n");
  const log = path.join(dir, 'build.log');
  const run = spawnSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'build.js')], {
    encoding: 'utf8',
    env: { ...process.env, npm_config_node_gyp: fakeGyp, EBT_NATIVE_BUILD_LOG: log },
  });
  expect(run.status).toBe(0);
  expect(run.stderr.trim().split('\n')).toEqual([
    expect.stringMatching(/^ebt: the native backend did not build \(.*cblas\.h: No such file.*\); tfjs falls back to wasm/),
  ]);
  expect(fs.readFileSync(log, 'utf8')).toMatch(/cblas\.h/);
  fs.rmSync(dir, { recursive: true });
});

/**
 * The layer order (docs/architecture.md) is enforced by ESLint's @nx/enforce-module-boundaries rule from the
 * tags in each project.json. These cases lint source text as if it were a file of the named package.
 * An import up the order is reported either as a tag violation or, where the package above already
 * depends on the one below, as a circular dependency.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');

/** Runs the workspace's ESLint on `code` as the file packages/PKG/src/probe.ts (from stdin: nothing is written). */
function boundaryErrors(pkg: string, code: string): string[] {
  const bin = path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js');
  const r = spawnSync(process.execPath, [bin, '--format', 'json', '--stdin', '--stdin-filename', `packages/${pkg}/src/probe.ts`], {
    cwd: root,
    input: code + '\n',
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  const [result] = JSON.parse(r.stdout) as Array<{ messages: Array<{ ruleId: string; message: string }> }>;
  return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

// the rule reads Nx's cached project graph; any nx command writes it (a fresh clone has none)
beforeAll(() => {
  spawnSync(process.execPath, [path.join(root, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'), 'show', 'projects'], {
    cwd: root,
    env: { ...process.env, NX_DAEMON: 'false' },
  });
});

describe('module boundaries', () => {
  test.each([
    ['ts-stationarity', "import { nuclearNorm } from '@ebt/eb-criteria';"],
    // pure math stays free of tfjs: no import of the tensor layers
    ['eb-criteria', "import { initBackend } from '@ebt/backend';"],
    ['training', "import { ebTrain } from '@ebt/experiment';"],
    ['report', "import { pretrainSmallVit } from '@ebt/pretrain';"],
  ])('%s may not import a layer above it: %s', (pkg, code) => {
    const errors = boundaryErrors(pkg, `${code}\nexport const x = 1;`);
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors)
      expect(e).toMatch(/can only depend on libs tagged with|cannot depend on libs tagged with|Imports of apps are forbidden|Circular dependency/);
  });

  test.each([
    ['experiment', "import { train } from '@ebt/training';"],
    ['cli', "import { pretrainSmallVit } from '@ebt/pretrain';"],
  ])('%s may import a layer below it: %s', (pkg, code) => {
    expect(boundaryErrors(pkg, `${code}\nexport const x = 1;`)).toEqual([]);
  });
});

// ESLint for the whole workspace (flat config). The module-boundaries rule checks the layer order of
// docs/architecture.md from the Nx tags in each project.json: a package may import only the layers below it.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const below = (...layers) => layers.map((l) => `layer:${l}`);
const base = below('base');
const stats = [...base, ...below('stats')];
const stationarity = [...stats, ...below('stationarity')];
const criteria = [...stationarity, ...below('criteria')];
const backend = [...base, ...below('backend')];
const data = [...base, ...below('data')];
const model = [...criteria, ...backend, ...data, ...below('model')];
const training = [...model, ...below('training')];
const experiment = [...training, ...below('experiment')];
const report = [...experiment, ...below('report')];
const app = [...report, ...below('app')];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/build/**', '**/dist/**', 'runs/**', '**/*.mjs', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { plugins: { '@nx': nx } },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          // pretrain and finetune are apps (tag type:app) that the ebt command dispatches to; Nx's own rule
          // forbids importing projects of type 'application', so they are Nx libraries and the tags keep
          // every other library from importing them
          allow: [],
          depConstraints: [
            { sourceTag: 'layer:base', onlyDependOnLibsWithTags: base },
            { sourceTag: 'layer:stats', onlyDependOnLibsWithTags: stats },
            { sourceTag: 'layer:stationarity', onlyDependOnLibsWithTags: stationarity },
            { sourceTag: 'layer:criteria', onlyDependOnLibsWithTags: criteria },
            { sourceTag: 'layer:backend', onlyDependOnLibsWithTags: backend },
            { sourceTag: 'layer:data', onlyDependOnLibsWithTags: data },
            { sourceTag: 'layer:model', onlyDependOnLibsWithTags: model },
            { sourceTag: 'layer:training', onlyDependOnLibsWithTags: training },
            { sourceTag: 'layer:experiment', onlyDependOnLibsWithTags: experiment },
            { sourceTag: 'layer:report', onlyDependOnLibsWithTags: report },
            { sourceTag: 'layer:app', onlyDependOnLibsWithTags: app },
            { sourceTag: 'layer:cli', onlyDependOnLibsWithTags: [...app, 'layer:cli'] },
            { sourceTag: 'type:lib', notDependOnLibsWithTags: ['type:app'] },
          ],
        },
      ],
      // `require` is how a worker module finds tsx and how a few tests load optional packages
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // report/ and the tests read JSON whose shape they check themselves
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  prettier,
);

// Shared jest settings: TypeScript through @swc/jest (no type-check here; `npm run typecheck` does that).
// arquero and its @uwdata dependencies, and hyparquet, ship ESM only, so they are transformed too.
// The workspace's packages are tested from their sources: @ebt/NAME is packages/NAME/src (not the built dist/
// their package.json points to), and @ebt/NAME/PATH a file of the package.
const path = require('node:path');
const packages = path.join(__dirname, 'packages');
module.exports = {
  testEnvironment: 'node',
  moduleNameMapper: {
    '^@ebt/([a-z-]+)$': `${packages}/$1/src/index.ts`,
    '^@ebt/([a-z-]+)/(.+)$': `${packages}/$1/$2`,
  },
  // some tests train small models; on a loaded 2-core machine they take seconds, not milliseconds
  testTimeout: 30_000,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  // *.webgpu.spec.ts run on a WebGPU adapter, in the test-webgpu targets only (see webgpu.jest.js)
  testPathIgnorePatterns: ['/node_modules/', '\\.webgpu\\.spec\\.ts$'],
  transform: {
    '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(arquero|@uwdata|vega[^/]*|d3-[^/]*|hyparquet[^/]*)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};

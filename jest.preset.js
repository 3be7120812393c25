// Shared jest settings: TypeScript through @swc/jest (no type-check here; `npm run typecheck` does that).
// arquero and its @uwdata dependencies, and hyparquet, ship ESM only, so they are transformed too.
module.exports = {
  testEnvironment: 'node',
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

// The test-webgpu targets: a package's own jest config, narrowed to its *.webgpu.spec.ts suites, which
// compare the webgpu backend with cpu on the adapter EBT_WEBGPU_ADAPTER names (llvmpipe in CI).
const path = require('node:path');
const config = require(path.resolve(process.cwd(), 'jest.config.js'));
module.exports = {
  ...config,
  rootDir: process.cwd(),
  testMatch: ['<rootDir>/src/**/*.webgpu.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 600_000,
};

// The packages as a user installs them (npm pack, an offline install outside the workspace): a project of
// its own, so that it runs beside the package suites.
module.exports = { ...require('../../jest.preset.js'), displayName: 'pack', testMatch: ['<rootDir>/*.spec.ts'] };

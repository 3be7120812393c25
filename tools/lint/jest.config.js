module.exports = { ...require('../../jest.preset.js'), displayName: 'workspace-lint', testMatch: ['<rootDir>/*.spec.ts'] };

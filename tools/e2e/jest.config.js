// The slow end-to-end suites of the ebt command (runs killed and resumed; the Slurm executor on a real
// cluster): a project of their own, so that they run beside the package suites rather than after them.
module.exports = { ...require('../../jest.preset.js'), displayName: 'e2e', testMatch: ['<rootDir>/*.spec.ts'] };

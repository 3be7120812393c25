#!/usr/bin/env node
// The packages are TypeScript sources; tsx compiles them on the fly (no build step after `npm ci`).
require('tsx/cjs');
require('../src/main.ts')
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  });

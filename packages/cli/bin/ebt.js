#!/usr/bin/env node
// The built CLI (dist/, which `npm ci` builds: the workspace's prepare script). Where it has not been built -
// a checkout before its install, or EBT_FROM_SOURCE=1 while changing the sources - tsx runs src/ as it is.
const fs = require('node:fs');
const path = require('node:path');

const built = path.join(__dirname, '..', 'dist', 'main.js');
let main;
if (!process.env.EBT_FROM_SOURCE && fs.existsSync(built)) main = require(built).main;
else {
  require('tsx/cjs');
  main = require('../src/main.ts').main;
}
main(process.argv).then((code) => {
  process.exitCode = code;
});

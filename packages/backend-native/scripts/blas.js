// Where OpenBLAS's cblas.h and library are (Debian's libopenblas-dev, or EBT_BLAS_INCLUDE / EBT_BLAS_LIB).
// binding.gyp asks: `node scripts/blas.js include` / `node scripts/blas.js lib`.
const fs = require('node:fs');

const includeCandidates = [
  process.env.EBT_BLAS_INCLUDE,
  '/usr/include/x86_64-linux-gnu/openblas-pthread',
  '/usr/include/aarch64-linux-gnu/openblas-pthread',
  '/usr/include/openblas',
  '/usr/local/include/openblas',
  '/opt/homebrew/opt/openblas/include',
].filter(Boolean);

function find() {
  const include = includeCandidates.find((dir) => fs.existsSync(`${dir}/cblas.h`));
  return { include, lib: process.env.EBT_BLAS_LIB ?? '-lopenblas' };
}

if (require.main === module) {
  const { include, lib } = find();
  if (process.argv[2] === 'include') {
    if (!include) {
      console.error('ebt: cblas.h of OpenBLAS not found (apt-get install libopenblas-dev, or set EBT_BLAS_INCLUDE)');
      process.exit(1);
    }
    console.log(include);
  } else console.log(lib);
}
module.exports = { find };

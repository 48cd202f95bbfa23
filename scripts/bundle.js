#!/usr/bin/env node
// `npm run build`'s second step: the bundled entry bin/dcos-janitor runs from a checkout.
require('./lib/bundle')
  .bundle(require('node:path').join(__dirname, '..', 'dist', 'dcos-janitor.js'))
  .catch((error) => {
    console.error(`bundle: ${error.message}`);
    process.exit(1);
  });

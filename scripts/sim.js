#!/usr/bin/env node
// Start the simulated DC/OS cluster with a named scenario and print its URL (build first: npm run build).
require('../dist/sim/main.js')
  .main(process.argv.slice(2))
  .catch((error) => {
    process.stderr.write(`sim: ${error.message}\n`);
    process.exit(1);
  });

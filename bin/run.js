#!/usr/bin/env node
// The plugin's Node entry point from a checkout (npm run build first). Checked before
// anything is loaded, so an old Node gets one clear line instead of a syntax error.
const major = Number(process.versions.node.split('.')[0]);
if (major < 20) {
  process.stderr.write(`dcos-janitor needs Node.js 20 or newer; this is ${process.version}. Install a current Node.js and re-run.\n`);
  process.exit(127);
}

const path = require('node:path');
const { loadWithCompileCache } = require('./compile-cache');

loadWithCompileCache(path.join(__dirname, '..', 'dist', 'dcos-janitor.js'), process.argv.slice(2)).main(__dirname);

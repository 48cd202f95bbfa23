#!/usr/bin/env node
// The plugin's Node entry point. Checked before anything is loaded, so an old
// Node gets one clear line instead of a syntax error from a dependency.
const major = Number(process.versions.node.split('.')[0]);
if (major < 20) {
  process.stderr.write(`dcos-janitor needs Node.js 20 or newer; this is ${process.version}. Install a current Node.js and re-run.\n`);
  process.exit(127);
}

// Keep-alive sockets must not hold the process open once the command is done,
// but a piped stdout is written asynchronously: exit only once it has drained.
function exitWhenFlushed() {
  const code = process.exitCode ?? 0;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

require('@oclif/core').execute({ dir: __dirname }).then(exitWhenFlushed);

#!/usr/bin/env node
/**
 * What running commands in the test's own process saves (test/helpers/in-process.ts): the
 * same test files run twice, once in process and once with every such command started as
 * the built binary (JANITOR_TESTS_THROUGH_BINARY=1), each timed as a whole jest run.
 * `npm run build` first. Usage: node scripts/bench-tests.js [test files...]
 */
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const fs = require('node:fs');

// Default: every test file whose commands run in process (test/helpers/in-process.ts).
const files =
  process.argv.slice(2).length > 0
    ? process.argv.slice(2)
    : fs
        .readdirSync(path.join(root, 'test'))
        .filter((name) => name.endsWith('.test.ts'))
        .filter((name) => fs.readFileSync(path.join(root, 'test', name), 'utf8').includes('/helpers/in-process'))
        .map((name) => `test/${name}`);

function timed(binary) {
  const started = process.hrtime.bigint();
  const run = spawnSync('npx', ['jest', '--runInBand', ...files], {
    cwd: root,
    env: { ...process.env, JANITOR_TESTS_THROUGH_BINARY: binary ? '1' : '0' },
    encoding: 'utf8',
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0)
    throw new Error(`jest failed (${binary ? 'binary' : 'in process'}):\n${run.stdout}${run.stderr}`);
  return seconds;
}

const inProcess = timed(false);
const binary = timed(true);
console.log(`${files.length} test files: ${files.join(' ')} (jest --runInBand, whole run):`);
console.log(`  commands as the built binary: ${binary.toFixed(1)} s`);
console.log(`  commands in the test's process: ${inProcess.toFixed(1)} s (${(binary / inProcess).toFixed(1)}x faster)`);

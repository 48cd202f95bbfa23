#!/usr/bin/env node
/*
 * Start-up cost of the built plugin: `dcos-janitor janitor --help` run from
 * dist/dcos-janitor.zip installed as the DC/OS CLI installs it. Target: under 300 ms.
 *   npm run bench:startup       (builds the zip first)
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { installPlugin } = require('./lib/install-plugin');

const runs = Number(process.argv[2] ?? 20);
const zipPath = path.join(__dirname, '..', 'dist', 'dcos-janitor.zip');
if (!fs.existsSync(zipPath)) {
  console.error('No dist/dcos-janitor.zip: run npm run package first.');
  process.exit(1);
}
const dcosDir = fs.mkdtempSync(path.join(os.tmpdir(), 'janitor-startup-'));
const env = installPlugin(zipPath, dcosDir);
const launcher = path.join(env, 'bin', 'dcos-janitor');

const measure = (args) => {
  const times = [];
  execFileSync(launcher, args, { stdio: 'ignore' }); // warm the file cache
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    execFileSync(launcher, args, { stdio: 'ignore' });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  return {
    min: times[0],
    median: times[Math.floor(times.length / 2)],
    p90: times[Math.floor(times.length * 0.9)],
    max: times[times.length - 1],
  };
};

const baseline = (() => {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    execFileSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
})();

const format = (t) =>
  `min ${t.min.toFixed(0)} ms, median ${t.median.toFixed(0)} ms, p90 ${t.p90.toFixed(0)} ms, max ${t.max.toFixed(0)} ms`;
console.log(`${runs} runs each, from ${path.relative(process.cwd(), zipPath)} installed under ${dcosDir}`);
console.log(`node -e ''                     median ${baseline.toFixed(0)} ms (the floor)`);
const help = measure(['janitor', '--help']);
console.log(`dcos-janitor janitor --help    ${format(help)}`);
console.log(`dcos-janitor janitor --info    ${format(measure(['janitor', '--info']))}`);
console.log(help.median < 300 ? 'OK: under 300 ms' : 'OVER the 300 ms target');
fs.rmSync(dcosDir, { recursive: true, force: true });
process.exitCode = help.median < 300 ? 0 : 1;

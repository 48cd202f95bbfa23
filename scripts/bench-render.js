#!/usr/bin/env node
/*
 * Benchmark: does text output cost more than JSON as the cluster grows?
 * `cleanup --service bench --dry-run` on generated clusters, as text (in an 80-column
 * terminal's width) and as --json, against the same simulator. Both include the same
 * read of /master/slaves; the difference is the rendering. Target: text within 1.5x of
 * --json at 25,000 agents.
 *
 *   node scripts/bench-render.js [agents...]      (default 10000 25000; build first)
 */
const { spawn } = require('node:child_process');
const path = require('node:path');
const { SimCluster } = require('../dist/sim/server.js');
const { generateScenario } = require('../dist/sim/scenario.js');

const sizes = process.argv.slice(2).map(Number).filter(Boolean);
const cli = path.join(__dirname, '..', 'bin', 'dcos-janitor');

function run(url, extra) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cli, ['janitor', 'cleanup', '--service', 'bench', '--dry-run', ...extra], {
      env: { ...process.env, DCOS_URL: url, COLUMNS: '80' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let bytes = 0;
    let lines = 0;
    child.stdout.on('data', (chunk) => {
      bytes += chunk.length;
      lines += chunk.toString().split('\n').length - 1;
    });
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, seconds: Number(process.hrtime.bigint() - started) / 1e9, bytes, lines }),
    );
  });
}

async function best(url, extra, times = 3) {
  let fastest;
  for (let i = 0; i < times; i++) {
    const result = await run(url, extra);
    if (result.code !== 0) throw new Error(`exit ${result.code} for ${extra.join(' ') || 'text'}`);
    if (!fastest || result.seconds < fastest.seconds) fastest = result;
  }
  return fastest;
}

(async () => {
  console.log('agents   --json (s)   text (s)   text/json   text lines');
  for (const agents of sizes.length > 0 ? sizes : [10000, 25000]) {
    const sim = await SimCluster.start(generateScenario(agents), { clock: 'real' });
    try {
      const json = await best(sim.url, ['--json']);
      const text = await best(sim.url, []);
      console.log(
        `${String(agents).padStart(6)}   ${json.seconds.toFixed(2).padStart(10)}   ${text.seconds.toFixed(2).padStart(8)}   ${(text.seconds / json.seconds).toFixed(2).padStart(9)}   ${String(text.lines).padStart(10)}`,
      );
    } finally {
      await sim.stop();
    }
  }
})().catch((error) => {
  console.error(`bench-render: ${error.message}`);
  process.exit(1);
});

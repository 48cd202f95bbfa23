#!/usr/bin/env node
/*
 * Big clusters: wall time and peak RSS of the client for `cleanup --dry-run --json`,
 * `teardown` (the list) and `audit --json` on generated clusters of 5,000, 10,000 and
 * 25,000 agents. The simulator runs in this process and replays its answers (replayReads:
 * each command runs once untimed, which makes them; the timed runs get the same bytes
 * again), so its JavaScript making 80 MB of /master/slaves is not on the client's clock;
 * what it still spends sending them (serveMs) is measured and subtracted. Each figure is
 * the median of 3 timed runs. Target at 25,000 agents: 2 s and 300 MB each.
 *
 *   node scripts/bench-scale.js [agents...]      (build first)
 */
const { spawn } = require('node:child_process');
const path = require('node:path');
const { SimCluster } = require('../dist/sim/server.js');
const { generateScenario } = require('../dist/sim/scenario.js');

const sizes = process.argv.slice(2).map(Number).filter(Boolean);
const cli = path.join(__dirname, '..', 'bin', 'dcos-janitor');
const COMMANDS = {
  'cleanup --dry-run --json': ['cleanup', '--service', 'bench', '--dry-run', '--json'],
  'teardown (list)': ['teardown', '--json'],
  'audit --json': ['audit', '--json'],
};

/** Runs the CLI under GNU time for its peak RSS; returns wall seconds and KB. */
function run(sim, args) {
  return new Promise((resolve, reject) => {
    const before = sim.requests.length;
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', 'RSS_KB=%M', cli, 'janitor', ...args], {
      env: { ...process.env, DCOS_URL: sim.url },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      // The reads of a command go out at once: the slowest answer of each burst is on the critical path.
      const served = sim.requests.slice(before);
      const simSeconds = Math.max(0, ...served.map((entry) => entry.serveMs)) / 1000;
      const rss = Number(/RSS_KB=(\d+)/.exec(stderr)?.[1] ?? NaN);
      resolve({ code, wall, client: wall - simSeconds, simSeconds, rssMb: rss / 1024 });
    });
  });
}

(async () => {
  console.log('agents  command                     client (s)  sim (s)  wall (s)  peak RSS (MB)');
  for (const agents of sizes.length > 0 ? sizes : [5000, 10000, 25000]) {
    // The commands are read-only: the answers made for the untimed run are replayed to the timed ones.
    const sim = await SimCluster.start(generateScenario(agents), { clock: 'real', replayReads: true });
    try {
      for (const [label, args] of Object.entries(COMMANDS)) {
        const results = [];
        for (let i = 0; i < 4; i++) {
          const result = await run(sim, args);
          if (result.code !== 0 && result.code !== 3) throw new Error(`${label} exited ${result.code}`);
          if (i > 0) results.push(result);
        }
        const median = results.sort((a, b) => a.client - b.client)[1];
        console.log(
          `${String(agents).padStart(6)}  ${label.padEnd(26)}  ${median.client.toFixed(2).padStart(9)}  ${median.simSeconds.toFixed(2).padStart(7)}  ${median.wall.toFixed(2).padStart(8)}  ${median.rssMb.toFixed(0).padStart(13)}`,
        );
      }
    } finally {
      await sim.stop();
    }
  }
})().catch((error) => {
  console.error(`bench-scale: ${error.message}`);
  process.exit(1);
});

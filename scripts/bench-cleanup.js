#!/usr/bin/env node
/*
 * Benchmark: `dcos janitor cleanup` of a generated 1000-agent cluster with 20 ms
 * added to every request, at the default concurrency and at --concurrency 1.
 * Prints wall time and the number of requests beside the minimum the job needs:
 * 1 read + 1 destroy-volumes per agent with volumes + 1 unreserve per agent with
 * reservations + 1 re-read + 1 znode delete + 1 verify read.
 *
 *   npm run bench            (or: node scripts/bench-cleanup.js [agents] [latencyMs])
 *
 * Build first (npm run build). The simulator runs in this process; the CLI runs
 * as a child process, as an operator would run it.
 */
const { spawn } = require('node:child_process');
const path = require('node:path');
const { SimCluster } = require('../dist/sim/server.js');
const { generateScenario } = require('../dist/sim/scenario.js');

const agents = Number(process.argv[2] ?? 1000);
const latencyMs = Number(process.argv[3] ?? 20);
const cli = path.join(__dirname, '..', 'bin', 'dcos-janitor');

function runCli(url, extraArgs) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cli, ['janitor', 'cleanup', '--service', 'bench', '--yes', '--json', ...extraArgs], {
      env: { ...process.env, DCOS_URL: url, DCOS_ACS_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ code, seconds, stdout, stderr });
    });
  });
}

async function measure(label, extraArgs) {
  const scenario = generateScenario(agents);
  const sim = await SimCluster.start(scenario, { latencyMs, clock: 'real' });
  try {
    const minimum =
      1 + scenario.agents.filter((a) => a.reservations.some((r) => r.role === 'bench-role' && r.volume)).length +
      scenario.agents.filter((a) => a.reservations.some((r) => r.role === 'bench-role')).length + 1 + 1 + 1;
    const run = await runCli(sim.url, extraArgs);
    if (run.code !== 0) throw new Error(`${label}: exit ${run.code}\n${run.stderr.slice(-2000)}`);
    const result = JSON.parse(run.stdout);
    if (!result.verification.clean) throw new Error(`${label}: verification found leftovers`);
    return { label, seconds: run.seconds, requests: sim.requests.length, minimum, volumes: result.outcome.volumesDestroyed, unreserved: result.outcome.resourcesUnreserved };
  } finally {
    await sim.stop();
  }
}

(async () => {
  console.log(`cleanup of generated:${agents} with ${latencyMs} ms per request`);
  const concurrent = await measure('default (--concurrency 32)', []);
  const sequential = await measure('--concurrency 1', ['--concurrency', '1']);
  for (const r of [concurrent, sequential]) {
    console.log(
      `${r.label.padEnd(28)} wall ${r.seconds.toFixed(2).padStart(7)} s   requests ${String(r.requests).padStart(5)} (minimum ${r.minimum}, ratio ${(r.requests / r.minimum).toFixed(3)})   destroyed ${r.volumes}, unreserved ${r.unreserved}`,
    );
  }
  console.log(`speed-up: ${(sequential.seconds / concurrent.seconds).toFixed(1)}x`);
})().catch((error) => {
  console.error(error.message);
  process.exit(1);
});

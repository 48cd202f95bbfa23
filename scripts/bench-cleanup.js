#!/usr/bin/env node
/*
 * Benchmark: `dcos janitor cleanup` of generated 300- and 1000-agent clusters with 20 ms
 * added to every request, at the default concurrency, against its floor; and, for the
 * largest, at --concurrency 1. Prints wall time and the number of requests beside the
 * minimum the job needs: 1 read + 1 destroy-volumes per agent with volumes + 1 unreserve
 * per agent with reservations + 1 re-read + 1 znode delete + 1 verify read.
 *
 *   npm run bench            (or: node scripts/bench-cleanup.js [agents[,agents...]] [latencyMs] [--runs N] [--no-sequential])
 *
 * The default-concurrency figure is the median of --runs runs (5 unless told): one run on
 * a shared 2-core machine varies by 10-20 %.
 *
 * Build first (npm run build). The simulator runs in this process; the CLI runs
 * as a child process, as an operator would run it.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { SimCluster } = require('../dist/sim/server.js');
const { generateScenario } = require('../dist/sim/scenario.js');

const positional = process.argv.slice(2).filter((arg, i, all) => !arg.startsWith('--') && all[i - 1] !== '--runs');
const sizes = (positional[0] ?? '300,1000').split(',').map(Number);
const latencyMs = Number(positional[1] ?? 20);
const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 5;
const cli = path.join(__dirname, '..', 'bin', 'dcos-janitor');
// Each run writes its history record, as an operator's does, but into a folder of the benchmark's own.
const historyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'janitor-bench-history-'));
process.on('exit', () => fs.rmSync(historyDir, { recursive: true, force: true }));

function runCli(url, extraArgs) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cli, ['janitor', 'cleanup', '--service', 'bench', '--yes', '--json', ...extraArgs], {
      env: { ...process.env, DCOS_URL: url, DCOS_ACS_TOKEN: '', DCOS_JANITOR_HISTORY_DIR: historyDir },
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

function warmUp(url) {
  return new Promise((resolve, reject) => {
    require('node:http')
      .get(`${url}/mesos/master/slaves`, (res) => res.resume().on('end', resolve))
      .on('error', reject);
  });
}

async function measure(agents, label, extraArgs) {
  const scenario = generateScenario(agents);
  const sim = await SimCluster.start(scenario, { latencyMs, clock: 'real' });
  try {
    // A real master is a long-running process: serve one read first, so that the
    // simulator's first-time JIT compilation of its /master/slaves code is not on the CLI's clock.
    await warmUp(sim.url);
    sim.requests.length = 0;
    const minimum =
      1 +
      scenario.agents.filter((a) => a.reservations.some((r) => r.role === 'bench-role' && r.volume)).length +
      scenario.agents.filter((a) => a.reservations.some((r) => r.role === 'bench-role')).length +
      1 +
      1 +
      1;
    const run = await runCli(sim.url, extraArgs);
    if (run.code !== 0) throw new Error(`${label}: exit ${run.code}\n${run.stderr.slice(-2000)}`);
    const result = JSON.parse(run.stdout);
    if (!result.verification.clean) throw new Error(`${label}: verification found leftovers`);
    // The simulator's own time to answer the reads of /master/slaves (its serialisation of every
    // agent) lies on the critical path, and a floor of round trips does not count it.
    const readServe =
      sim.requests
        .filter((entry) => entry.method === 'GET' && entry.url.startsWith('/mesos/master/slaves'))
        .reduce((sum, entry) => sum + entry.serveMs, 0) / 1000;
    return {
      label,
      seconds: run.seconds,
      readServe,
      requests: sim.requests.length,
      minimum,
      volumes: result.outcome.volumesDestroyed,
      unreserved: result.outcome.resourcesUnreserved,
    };
  } finally {
    await sim.stop();
  }
}

/** Start-up as the operator pays it: `janitor --help`, median of 5, in this same run. */
function startupSeconds() {
  const times = [];
  for (let i = 0; i < 5; i++) {
    const started = process.hrtime.bigint();
    require('node:child_process').execFileSync(cli, ['janitor', '--help'], { stdio: 'ignore' });
    times.push(Number(process.hrtime.bigint() - started) / 1e9);
  }
  return times.sort((a, b) => a - b)[2];
}

/**
 * The floor of a cleanup: start-up, then the round trips nothing can avoid at this
 * latency and concurrency: the read, ceil(agents with volumes / C) rounds of
 * destroy-volumes, the re-read, ceil(agents with reservations / C) rounds of unreserve,
 * the znode delete and the verification read.
 */
function floorSeconds(scenario, concurrency, startup) {
  const ours = (agent) => agent.reservations.filter((reservation) => reservation.role === 'bench-role');
  const withVolumes = scenario.agents.filter((agent) => ours(agent).some((reservation) => reservation.volume)).length;
  const withReservations = scenario.agents.filter((agent) => ours(agent).length > 0).length;
  const roundTrips = 1 + Math.ceil(withVolumes / concurrency) + 1 + Math.ceil(withReservations / concurrency) + 1 + 1;
  return { seconds: startup + (roundTrips * latencyMs) / 1000, roundTrips };
}

/** The run of median wall time among `runs` runs. */
async function medianRun(agents, label, extraArgs, runs) {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await measure(agents, label, extraArgs));
  results.sort((a, b) => a.seconds - b.seconds);
  const median = results[Math.floor(results.length / 2)];
  return { ...median, all: results.map((r) => r.seconds) };
}

async function benchmark(agents, withSequential) {
  console.log(`\ncleanup of generated:${agents} with ${latencyMs} ms per request`);
  const startup = startupSeconds();
  const concurrent = await medianRun(agents, 'default (--concurrency 32)', [], runs);
  const floor = floorSeconds(generateScenario(agents), 32, startup);
  console.log(
    `start-up (janitor --help, median of 5): ${startup.toFixed(2)} s; floor: ${floor.seconds.toFixed(2)} s (${floor.roundTrips} round trips of ${latencyMs} ms + start-up)`,
  );
  const sequential = withSequential ? await measure(agents, '--concurrency 1', ['--concurrency', '1']) : undefined;
  for (const r of [concurrent, sequential].filter(Boolean)) {
    console.log(
      `${r.label.padEnd(28)} wall ${r.seconds.toFixed(2).padStart(7)} s   requests ${String(r.requests).padStart(5)} (minimum ${r.minimum}, ratio ${(r.requests / r.minimum).toFixed(3)})   destroyed ${r.volumes}, unreserved ${r.unreserved}`,
    );
  }
  console.log(
    `default concurrency, ${runs} runs: ${concurrent.all.map((s) => s.toFixed(2)).join(', ')} s (median above)`,
  );
  console.log(
    `ratio to the floor (default concurrency, median): ${(concurrent.seconds / floor.seconds).toFixed(2)} (target <= 1.5)`,
  );
  console.log(
    `  without the simulator's ${concurrent.readServe.toFixed(2)} s serving the /master/slaves reads: ${((concurrent.seconds - concurrent.readServe) / floor.seconds).toFixed(2)}`,
  );
  if (sequential)
    console.log(`speed-up over --concurrency 1: ${(sequential.seconds / concurrent.seconds).toFixed(1)}x`);
  return concurrent.seconds / floor.seconds;
}

(async () => {
  const ratios = [];
  const largest = Math.max(...sizes);
  for (const agents of sizes)
    ratios.push([agents, await benchmark(agents, agents === largest && !process.argv.includes('--no-sequential'))]);
  const met = ratios.every(([, ratio]) => ratio <= 1.5);
  console.log(
    `\nratio to the floor: ${ratios.map(([agents, ratio]) => `generated:${agents} ${ratio.toFixed(2)}`).join(', ')}: ${met ? 'within' : 'NOT within'} the target of 1.5`,
  );
})().catch((error) => {
  console.error(error.message);
  process.exit(1);
});

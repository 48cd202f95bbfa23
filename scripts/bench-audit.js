#!/usr/bin/env node
/*
 * Benchmark: `dcos janitor audit` of a generated cluster (default 5,000 agents, 50 SDK
 * services, half of them leftovers: no framework, no app, their reservations and
 * znodes still there), with 20 ms added to every request, beside
 * `cleanup --service <one leftover> --dry-run --json` on the same cluster. Target: the
 * audit within 2x of the cleanup's dry run (both are one read of the agents, mostly).
 *
 *   node scripts/bench-audit.js [agents] [services] [latencyMs]      (build first)
 */
const { spawn } = require('node:child_process');
const path = require('node:path');
const { SimCluster } = require('../dist/sim/server.js');
const { parseScenario } = require('../dist/sim/scenario.js');

const agentCount = Number(process.argv[2] ?? 5000);
const serviceCount = Number(process.argv[3] ?? 50);
const latencyMs = Number(process.argv[4] ?? 20);
const cli = path.join(__dirname, '..', 'bin', 'dcos-janitor');

function scenario() {
  const id = (n) => `a0000000-0000-4000-8000-000000000000-${String(n).padStart(4, '0')}`;
  const agents = [];
  for (let i = 0; i < agentCount; i++) {
    const service = i % serviceCount;
    agents.push({
      id: `a0000000-0000-4000-8000-000000000000-S${i}`,
      hostname: `10.2.${Math.floor(i / 250)}.${i % 250}`,
      resources: { cpus: 8, mem: 32768, disk: 200000 },
      reservations: [
        {
          ref: `svc${service}-${i}`,
          role: `svc${service}-role`,
          principal: `svc${service}-principal`,
          cpus: 1,
          mem: 1024,
          ...(i % 2 === 0 ? { volume: { containerPath: 'data', size: 1024 } } : {}),
        },
      ],
    });
  }
  const live = [...Array(serviceCount).keys()].filter((service) => service % 2 === 0);
  return parseScenario({
    name: `audit-bench:${agentCount}`,
    mesosVersion: '1.7.0',
    agents,
    frameworks: [
      { id: id(0), name: 'marathon', roles: ['slave_public'], principal: 'dcos_marathon', system: true },
      ...live.map((service) => ({
        id: id(service + 1),
        name: `svc${service}`,
        role: `svc${service}-role`,
        principal: `svc${service}-principal`,
      })),
    ],
    marathon: {
      apps: live.map((service) => ({
        id: `/svc${service}`,
        labels: { DCOS_SERVICE_NAME: `svc${service}`, DCOS_PACKAGE_FRAMEWORK_NAME: `svc${service}` },
        env: {},
      })),
    },
    znodes: Object.fromEntries(
      [...Array(serviceCount).keys()].map((service) => [`dcos-service-svc${service}`, { SchemaVersion: '1' }]),
    ),
  });
}

function run(url, args) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cli, ['janitor', ...args], {
      env: { ...process.env, DCOS_URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, seconds: Number(process.hrtime.bigint() - started) / 1e9, stdout }));
  });
}

async function best(url, args, times = 3) {
  let fastest;
  for (let i = 0; i < times; i++) {
    const result = await run(url, args);
    if (!fastest || result.seconds < fastest.seconds) fastest = result;
  }
  return fastest;
}

(async () => {
  const sim = await SimCluster.start(scenario(), { latencyMs, clock: 'real' });
  try {
    const audit = await best(sim.url, ['audit', '--json']);
    if (audit.code !== 3) throw new Error(`audit exited ${audit.code}`);
    const findings = JSON.parse(audit.stdout).findings.length;
    const requests = sim.requests.length / 3;
    const cleanup = await best(sim.url, ['cleanup', '--service', 'svc1', '--dry-run', '--json']);
    if (cleanup.code !== 0) throw new Error(`cleanup --dry-run exited ${cleanup.code}`);
    console.log(
      `generated cluster: ${agentCount} agents, ${serviceCount} services (${serviceCount / 2} leftovers), ${latencyMs} ms per request`,
    );
    console.log(
      `audit --json:                  ${audit.seconds.toFixed(2)} s, ${findings} findings, ${requests} requests`,
    );
    console.log(`cleanup --dry-run --json:      ${cleanup.seconds.toFixed(2)} s`);
    console.log(`ratio: ${(audit.seconds / cleanup.seconds).toFixed(2)} (target <= 2)`);
  } finally {
    await sim.stop();
  }
})().catch((error) => {
  console.error(`bench-audit: ${error.message}`);
  process.exit(1);
});

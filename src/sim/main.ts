import * as fs from 'node:fs';

import { listScenarios } from './scenario';
import { SimCluster } from './server';

/**
 * `node scripts/sim.js SCENARIO [--latency MS] [--port N] [--write-env FILE]`:
 * starts the simulated cluster, prints its URL, and runs until interrupted.
 * With --write-env, DCOS_URL (and DCOS_ACS_TOKEN when the scenario requires a
 * token) are written to FILE, mode 0600, so that the token is never printed, with the
 * services' own addresses as DCOS_JANITOR_SIM_*_URL (not read by the plugin itself).
 */
export async function main(argv: string[]): Promise<void> {
  const args = [...argv];
  const option = (name: string): string | undefined => {
    const index = args.indexOf(name);
    if (index < 0) return undefined;
    const [, value] = args.splice(index, 2);
    return value;
  };
  const latencyMs = Number(option('--latency') ?? 0);
  const port = Number(option('--port') ?? 0);
  const envFile = option('--write-env');
  const scenarioName = args[0];
  if (!scenarioName || scenarioName === '--help') {
    process.stderr.write(
      `usage: node scripts/sim.js SCENARIO [--latency MS] [--port N] [--write-env FILE]\nscenarios: ${listScenarios().join(', ')}, generated:<agents>\n`,
    );
    process.exitCode = 2;
    return;
  }
  const sim = await SimCluster.start(scenarioName, { latencyMs, port, clock: 'real' });
  if (envFile) {
    // Written at once: a script waits for the file to be non-empty, then reads it whole.
    const lines = [`DCOS_URL=${sim.url}`];
    if (sim.scenario.authToken) lines.push(`DCOS_ACS_TOKEN=${sim.scenario.authToken}`);
    lines.push(
      `DCOS_JANITOR_SIM_MESOS_URL=${sim.leaderUrl}`,
      `DCOS_JANITOR_SIM_MARATHON_URL=${sim.marathonUrl}`,
      `DCOS_JANITOR_SIM_EXHIBITOR_URL=${sim.exhibitorUrl}`,
      `DCOS_JANITOR_SIM_COSMOS_URL=${sim.cosmosUrl}`,
    );
    fs.writeFileSync(envFile, `${lines.join('\n')}\n`, { mode: 0o600 });
  }
  process.stdout.write(`${sim.url}\n`);
  process.stderr.write(`Simulated DC/OS cluster '${sim.scenario.name}' at ${sim.url} (Ctrl-C to stop)\n`);
  process.stderr.write(
    `Without Admin Router (inside the cluster): --mesos-url ${sim.leaderUrl} --marathon-url ${sim.marathonUrl} --exhibitor-url ${sim.exhibitorUrl} --cosmos-url ${sim.cosmosUrl}\n`,
  );

  const stop = () => void sim.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

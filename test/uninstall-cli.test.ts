import * as http from 'node:http';

import { CosmosClient, CosmosRefusal } from '../src/clients/cosmos';
import { ClusterHttp } from '../src/cluster/http';
import { loadScenario, Scenario } from '../src/sim/scenario';
import { SimCluster } from '../src/sim/server';
import { runInTerminal } from './helpers/cli';
import { runInProcessAgainst } from './helpers/in-process';
import { mutatingRequests, reservedOf } from './helpers/cluster';

/** `dcos janitor uninstall` end to end: Cosmos, Marathon, the SDK scheduler and Mesos simulated. */

const FAST = ['--poll-ms', '60', '--grace', '1'];
// Each request the CLI makes moves the simulated cluster 40 ms on: its polling drives the uninstall.
const SIM = { deploymentMs: 120, cosmosLoopMs: 120, msPerRequest: 40 };

let sim: SimCluster;
afterEach(async () => sim?.stop());

function dataKafka(changes: (scenario: Scenario) => void = () => undefined): Scenario {
  const scenario = JSON.parse(JSON.stringify(loadScenario('data-kafka-running'))) as Scenario;
  scenario.marathon.apps[0].scheduler!.stepMs = 40;
  changes(scenario);
  return scenario;
}

/** A POST with exactly these headers (fetch adds its own Accept and Content-Type). */
function rawPost(url: string, headers: Record<string, string>, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve(text));
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** Nothing of /data/kafka anywhere: app, framework, task, reservation, volume, znode. */
function expectDataKafkaGone(): void {
  expect(sim.state.apps.has('/data/kafka')).toBe(false);
  expect([...sim.state.frameworks.values()].filter((framework) => framework.name === '/data/kafka')).toEqual([]);
  // What a gone agent held left the cluster with it: only registered agents count.
  expect(
    reservedOf(sim, 'data__kafka-role').filter(({ agentId }) => sim.state.agents.get(agentId)?.state === 'registered'),
  ).toEqual([]);
  expect([...sim.state.znodes.keys()].filter((node) => node.startsWith('/dcos-service-data__kafka'))).toEqual([]);
}

describe('SDK route', () => {
  it('clean: Cosmos starts it, the plan is followed to COMPLETE, Cosmos removes the app, the znode is deleted, verified', async () => {
    sim = await SimCluster.start(dataKafka(), SIM);
    const run = await runInProcessAgainst(sim.url, ['uninstall', '/data/kafka', '--yes', '--json', ...FAST]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(Object.keys(result)).toEqual([
      'schemaVersion',
      'command',
      'dryRun',
      'service',
      'route',
      'why',
      'inventory',
      'report',
      'verification',
      'stuck',
      'notFound',
      'message',
      'savedPlan',
      'exitCode',
      'error',
    ]);
    expect(result).toMatchObject({ route: 'sdk', exitCode: 0, verification: { clean: true, leftovers: [] } });
    expect(result.report.actions).toEqual([
      'Cosmos uninstall of kafka /data/kafka started',
      'Cosmos removed the scheduler app',
      'deleted the ZooKeeper node the scheduler left',
    ]);
    expectDataKafkaGone();
    const [cosmos] = sim.requestsTo('POST', '/package/uninstall');
    expect(cosmos.contentType).toBe('application/vnd.dcos.package.uninstall-request+json;charset=utf-8;version=v1');
    expect(JSON.parse(cosmos.body)).toEqual({ packageName: 'kafka', appId: '/data/kafka' });
    // Progress per phase on stderr, not a silent wait.
    expect(run.stderr).toMatch(/unreserve-resources-10\.0\.3\.31: 3\/3 steps COMPLETE \(COMPLETE\)/);
    expect(run.stderr).toMatch(/deregister-service: 1\/1 step COMPLETE \(COMPLETE\)/);
  });

  it('stuck steps of a gone agent: without --force-stuck, exit 10 with the steps; with it, forced and finished', async () => {
    sim = await SimCluster.start(dataKafka(), SIM);
    sim.setAgentState('e2b7a9c4-1d3f-4e5a-8b6c-9d0e1f2a3b4c-S2', 'gone');
    const stuck = await runInProcessAgainst(sim.url, ['uninstall', '/data/kafka', '--yes', '--json', ...FAST]);
    expect(stuck.code).toBe(10);
    const result = JSON.parse(stuck.stdout);
    expect(result.stuck).toHaveLength(3);
    expect(result.stuck.every((step: { phase: string }) => step.phase === 'unreserve-resources-10.0.3.32')).toBe(true);
    expect(result.error.message).toMatch(/--force-stuck/);
    expect(sim.requestsTo('POST', '/service/data/kafka/v1/plans/deploy/forceComplete')).toEqual([]);

    // Re-run: the uninstall is already under way; Cosmos is not asked again.
    const forced = await runInProcessAgainst(sim.url, [
      'uninstall',
      '/data/kafka',
      '--yes',
      '--force-stuck',
      '--json',
      ...FAST,
    ]);
    expect(forced.code).toBe(0);
    const done = JSON.parse(forced.stdout);
    expect(done.report.forced).toHaveLength(3);
    expect(done.report.actions[0]).toBe('followed an uninstall already under way');
    expect(sim.requestsTo('POST', '/package/uninstall')).toHaveLength(1);
    // Never deregister, never the whole plan.
    for (const entry of sim.requestsTo('POST', '/service/data/kafka/v1/plans/deploy/forceComplete')) {
      const query = new URL(entry.url, 'http://x').searchParams;
      expect(query.get('phase')).toBe('unreserve-resources-10.0.3.32');
      expect(query.get('step')).toMatch(/^unreserve-/);
    }
    expectDataKafkaGone();
  });

  it('interactive: confirms by name, then asks before forcing the stuck steps', async () => {
    sim = await SimCluster.start(dataKafka(), SIM);
    sim.setAgentState('e2b7a9c4-1d3f-4e5a-8b6c-9d0e1f2a3b4c-S2', 'gone');
    const run = await runInTerminal(['uninstall', '/data/kafka', ...FAST], { DCOS_URL: sim.url }, [
      { prompt: /Type \/data\/kafka to confirm/, answer: '/data/kafka\r' },
      { prompt: /Force these 3 steps to COMPLETE\?/, answer: 'y\r' },
    ]);
    expect(run.stdout).toMatch(/3 stuck steps/);
    // The live "Following the uninstall plan (6 s)" line is cleared before the stuck steps and the question.
    expect(run.stdout.split(/\r\n|\n|\r/).filter((line) => /\(\d+ s\).*(stuck steps|Force these)/.test(line))).toEqual(
      [],
    );
    expect(run.stdout).toMatch(/Verified: nothing of \/data\/kafka is left/);
    expect(run.code).toBe(0);
    expectDataKafkaGone();
  });

  it('the guided run lists the installed services to pick from', async () => {
    sim = await SimCluster.start(dataKafka(), SIM);
    const run = await runInTerminal(['uninstall', ...FAST], { DCOS_URL: sim.url }, [
      { prompt: /Uninstall which service\?/, answer: '\r' },
      { prompt: /Type \/data\/kafka to confirm/, answer: '/data/kafka\r' },
    ]);
    expect(run.stdout).toMatch(/\/data\/kafka {2}\(kafka 2\.10\.0-2\.4\.0\)/);
    expect(run.code).toBe(0);
    expectDataKafkaGone();
  });

  it('zombie: Cosmos restarts and loses its loop; the finished scheduler app is removed after the grace period', async () => {
    sim = await SimCluster.start(dataKafka(), SIM);
    sim.onRequest = (entry) => {
      if (entry.url === '/package/uninstall') sim.cosmos.restart();
    };
    const run = await runInProcessAgainst(sim.url, ['uninstall', '/data/kafka', '--yes', '--json', ...FAST]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.report.zombieRemoved).toBe(true);
    expect(run.stderr).toMatch(/zombie scheduler/);
    expectDataKafkaGone();
  });

  it('a scheduler restart that drops the force-completes is noticed and they are applied again', async () => {
    sim = await SimCluster.start(dataKafka(), SIM);
    sim.setAgentState('e2b7a9c4-1d3f-4e5a-8b6c-9d0e1f2a3b4c-S2', 'gone');
    let restarted = false;
    sim.onRequest = (entry) => {
      if (
        !restarted &&
        entry.url.includes('/plans/deploy/forceComplete') &&
        sim.requestsTo('POST', '/service/data/kafka/v1/plans/deploy/forceComplete').length === 3
      ) {
        restarted = true;
        sim.startScheduler('/data/kafka');
      }
    };
    const run = await runInProcessAgainst(sim.url, [
      'uninstall',
      '/data/kafka',
      '--yes',
      '--force-stuck',
      '--json',
      ...FAST,
    ]);
    expect(run.code).toBe(0);
    expect(restarted).toBe(true);
    expect(JSON.parse(run.stdout).report.reapplied).toBe(3);
    expect(run.stderr).toMatch(/the scheduler restarted and lost 3 force-completes/);
    expectDataKafkaGone();
  });

  it('a plan in ERROR (tls-cleanup) is exit 13 with the step to restart', async () => {
    sim = await SimCluster.start(
      dataKafka((scenario) => (scenario.marathon.apps[0].scheduler!.tls = true)),
      SIM,
    );
    sim.schedulers.get('/data/kafka')!.tlsCleanupFails = true;
    const run = await runInProcessAgainst(sim.url, ['uninstall', '/data/kafka', '--yes', '--json', ...FAST]);
    expect(run.code).toBe(13);
    expect(run.stderr).toMatch(
      /is in ERROR: tls-cleanup: java\.io\.IOException.*plan restart \/data\/kafka deploy tls-cleanup tls-cleanup/,
    );
    // The document says what was done before the error: Cosmos started the uninstall.
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ route: 'sdk', exitCode: 13, verification: null, error: { kind: 'plan-error' } });
    expect(result.report.actions).toEqual(['Cosmos uninstall of kafka /data/kafka started']);
  });

  it('--timeout bounds the run: exit 9', async () => {
    sim = await SimCluster.start(dataKafka(), { ...SIM, deploymentMs: 10_000 });
    const run = await runInProcessAgainst(sim.url, ['uninstall', '/data/kafka', '--yes', '--timeout', '1', ...FAST]);
    expect(run.code).toBe(9);
  });
});

describe('Cosmos refusals', () => {
  beforeEach(async () => {
    sim = await SimCluster.start(dataKafka(), SIM);
  });

  it('Cosmos unavailable (503): the manual route instead, and it ends clean', async () => {
    sim.cosmos.faults.unavailable = true;
    const run = await runInProcessAgainst(sim.url, ['uninstall', '/data/kafka', '--yes', '--json', ...FAST]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.report.route).toBe('legacy');
    expect(result.report.actions[0]).toMatch(
      /Cosmos could not start the uninstall \("Unable to complete request due to service \[cosmos\] unavailability"\)/,
    );
    expectDataKafkaGone();
  });

  it('PackageNotInstalled: the manual route instead', async () => {
    sim.addFault({
      pathPrefix: '/package/uninstall',
      status: 400,
      body: JSON.stringify({ type: 'PackageNotInstalled', message: 'Package [kafka] is not installed' }),
      times: 1,
    });
    const run = await runInProcessAgainst(sim.url, ['uninstall', '/data/kafka', '--yes', '--json', ...FAST]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).report.route).toBe('legacy');
    expectDataKafkaGone();
  });

  it('IncompleteUninstall (503, Mesos unavailable) is exit 5 with what to check', async () => {
    sim.addFault({
      pathPrefix: '/package/uninstall',
      status: 503,
      body: JSON.stringify({
        type: 'IncompleteUninstall',
        message: 'Incomplete uninstall of package [kafka] due to Mesos unavailability',
      }),
      times: 1,
    });
    const run = await runInProcessAgainst(sim.url, ['uninstall', '/data/kafka', '--yes', ...FAST]);
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/Cosmos could not reach Mesos .*dcos node list/);
  });

  it('AmbiguousAppId is exit 2', async () => {
    sim.addFault({
      pathPrefix: '/package/uninstall',
      status: 400,
      body: JSON.stringify({ type: 'AmbiguousAppId', message: 'Multiple apps named [kafka] are installed: [/a, /b]' }),
      times: 1,
    });
    const run = await runInProcessAgainst(sim.url, ['uninstall', '/data/kafka', '--yes', ...FAST]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Multiple apps named \[kafka\].*name the service exactly/);
  });

  it('the simulated Cosmos: media types checked exactly, and its errors', async () => {
    const cosmos = new CosmosClient(
      new ClusterHttp({ url: sim.url, tls: { verify: false }, timeoutMs: 5000, source: 'test' }),
    );
    expect((await cosmos.listPackages()).map((entry) => entry.appId)).toEqual(['/data/kafka']);
    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (error: unknown) => error as CosmosRefusal,
      );
    expect(await refusal(cosmos.uninstall('cassandra', '/data/kafka'))).toMatchObject({
      type: 'PackageNotInstalled',
      status: 400,
    });
    expect(await refusal(cosmos.uninstall('kafka', '/nope'))).toMatchObject({
      type: 'UninstallNonExistentAppForPackage',
      message: 'Package [kafka] with id [/nope] is not installed',
    });
    const wrong = await fetch(`${sim.url}/package/uninstall`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/vnd.dcos.package.uninstall-response+json;charset=utf-8;version=v1',
      },
      body: '{"packageName":"kafka"}',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.headers.get('content-type')).toBe('application/vnd.dcos.package.error+json;charset=utf-8;version=v1');
    expect(((await wrong.json()) as any).type).toBe('not_valid');
    const noAccept = await rawPost(`${sim.url}/package/list`, {}, '{}');
    expect(JSON.parse(noAccept)).toMatchObject({
      type: 'not_present',
      message: "Item header 'Accept' not present but required",
    });
  });

  it('the simulated Cosmos: AmbiguousAppId without an appId, and IncompleteUninstall for a non-SDK app when Mesos is down', async () => {
    await sim.stop();
    sim = await SimCluster.start(
      dataKafka((scenario) => {
        const second = JSON.parse(JSON.stringify(scenario.marathon.apps[0]));
        second.id = '/data/kafka-2';
        delete second.scheduler;
        delete second.labels.DCOS_COMMONS_UNINSTALL;
        scenario.marathon.apps.push(second);
      }),
      SIM,
    );
    const body = (appId?: string) => JSON.stringify({ packageName: 'kafka', ...(appId ? { appId } : {}) });
    const post = (payload: string) =>
      fetch(`${sim.url}/package/uninstall`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/vnd.dcos.package.uninstall-request+json;charset=utf-8;version=v1',
          Accept: 'application/vnd.dcos.package.uninstall-response+json;charset=utf-8;version=v1',
        },
        body: payload,
      });
    const ambiguous = (await (await post(body())).json()) as any;
    expect(ambiguous).toMatchObject({ type: 'AmbiguousAppId', data: { appIds: ['/data/kafka', '/data/kafka-2'] } });
    sim.cosmos.faults.mesosUnavailable = true;
    const incomplete = await post(body('/data/kafka-2'));
    expect(incomplete.status).toBe(503);
    expect(((await incomplete.json()) as any).type).toBe('IncompleteUninstall');
  });
});

describe('legacy route', () => {
  it('Kafka destroyed from the UI (no app left): tears the framework down, cleans up, verifies', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed', SIM);
    const run = await runInProcessAgainst(sim.url, ['uninstall', 'kafka', '--yes', '--json', ...FAST]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.route).toBe('legacy');
    expect(result.why).toMatch(/no Marathon app/);
    expect(result.report.actions).toEqual([
      'tore down framework kafka (4f657f09-c73f-408f-8d9e-37228a0f1a8e-0003)',
      'destroyed 3 volumes and unreserved 12 resources; znode deleted',
    ]);
    expect(reservedOf(sim, 'kafka-role')).toEqual([]);
    expect(sim.state.znodes.has('/dcos-service-kafka')).toBe(false);
    expect(reservedOf(sim, 'hdfs-role').length).toBeGreaterThan(0);
  });

  it('--manual: removes the app first, then tears down and cleans up', async () => {
    sim = await SimCluster.start(dataKafka(), SIM);
    const run = await runInProcessAgainst(sim.url, [
      'uninstall',
      '/data/kafka',
      '--yes',
      '--manual',
      '--json',
      ...FAST,
    ]);
    expect(run.code).toBe(0);
    const { report } = JSON.parse(run.stdout);
    expect(report.actions[0]).toBe('removed Marathon app /data/kafka');
    expect(report.actions[1]).toMatch(/^tore down framework \/data\/kafka/);
    expect(sim.requestsTo('POST', '/package/uninstall')).toEqual([]);
    const sequence = sim.requests.map((entry) => `${entry.method} ${entry.url.split('?')[0]}`);
    expect(sequence.indexOf('DELETE /service/marathon/v2/apps/data/kafka')).toBeLessThan(
      sequence.indexOf('POST /mesos/master/teardown'),
    );
    expectDataKafkaGone();
  });

  it('DC/OS 1.9 has no SDK uninstall: the manual route', async () => {
    sim = await SimCluster.start(
      dataKafka((scenario) => (scenario.dcosVersion = '1.9.0')),
      SIM,
    );
    const run = await runInProcessAgainst(sim.url, ['uninstall', '/data/kafka', '--yes', '--json', ...FAST]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).why).toMatch(/DC\/OS 1\.9\.0 has no SDK-aware uninstall/);
    expectDataKafkaGone();
  });
});

describe('--verify-only and guards', () => {
  it('on a dirty cluster: exit 3 and every leftover with the command that removes it; nothing changed', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed', SIM);
    const run = await runInProcessAgainst(sim.url, ['uninstall', 'kafka', '--verify-only', '--json']);
    expect(run.code).toBe(3);
    const { verification } = JSON.parse(run.stdout);
    const kinds = new Set(verification.leftovers.map((leftover: { kind: string }) => leftover.kind));
    expect(kinds).toEqual(new Set(['framework', 'in-use', 'znode']));
    const framework = verification.leftovers.find((leftover: { kind: string }) => leftover.kind === 'framework');
    expect(framework.hint).toBe('dcos janitor teardown --framework-id 4f657f09-c73f-408f-8d9e-37228a0f1a8e-0003 --yes');
    expect(mutatingRequests(sim)).toEqual([]);
  });

  it('on a clean cluster: exit 0', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed', SIM);
    await runInProcessAgainst(sim.url, ['uninstall', 'kafka', '--yes', ...FAST]);
    const run = await runInProcessAgainst(sim.url, ['uninstall', 'kafka', '--verify-only']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Verified: nothing of kafka is left on the cluster/);
  });

  it('without a terminal and without --yes: exit 2 before any change; no service and no terminal: exit 2', async () => {
    sim = await SimCluster.start(dataKafka(), SIM);
    const run = await runInProcessAgainst(sim.url, ['uninstall', '/data/kafka']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/standard input is not a terminal.*--yes/);
    expect(mutatingRequests(sim)).toEqual([]);
    const noService = await runInProcessAgainst(sim.url, ['uninstall', '--yes']);
    expect(noService.code).toBe(2);
    expect(noService.stderr).toMatch(/Name the service to uninstall/);
  });
});

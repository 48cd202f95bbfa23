import * as fs from 'node:fs';
import * as path from 'node:path';

import { loadScenario, parseScenario } from '../src/sim/scenario';
import { SimCluster } from '../src/sim/server';
import { runInTerminal } from './helpers/cli';
import { runInProcess } from './helpers/in-process';
import { lastPrincipal, reservedWhere, snapshotWhere } from './helpers/cluster';
import { innermostRole, SimResource } from '../src/sim/resources';

/**
 * `dcos janitor audit` on the messy-cluster scenario: exactly the planted findings with
 * their owners and fixes, nothing of the healthy services; `--fix` leaves the audit clean
 * and every healthy service as it was.
 */

let sim: SimCluster;
afterEach(async () => sim?.stop());

const audit = (args: string[] = [], env: Record<string, string> = {}) =>
  runInProcess(['audit', '--json', ...args], { env: { DCOS_URL: sim.url, ...env } });

/** Everything the healthy services hold: reservations and volumes of their roles and principals, their apps and znodes. */
function healthyState(): string {
  const healthy = (resource: SimResource) =>
    ['prod__cassandra-role', 'dev', 'slave_public/kafka-role', 'db'].includes(innermostRole(resource)) &&
    ['/prod/cassandra-principal', '/dev/a-principal', '/dev/b-principal', 'kafka-principal', 'dcos_marathon'].includes(
      lastPrincipal(resource) ?? '',
    );
  const apps = ['/prod/cassandra', '/dev/a', '/dev/b', '/kafka', '/db/postgres'].map((id) => [
    id,
    sim.state.apps.has(id),
  ]);
  const znodes = [...sim.state.znodes.keys()]
    .filter((node) => /^\/dcos-service-(prod__cassandra|dev__a|dev__b|kafka)(\/|$)/.test(node))
    .sort();
  const frameworks = [...sim.state.frameworks.values()]
    .filter((framework) =>
      ['/prod/cassandra', '/dev/a', '/dev/b', 'kafka', 'marathon', 'metronome'].includes(framework.name),
    )
    .map((framework) => [framework.id, framework.active]);
  return JSON.stringify({ reservations: snapshotWhere(sim, healthy), apps, znodes, frameworks });
}

describe('messy-cluster', () => {
  beforeEach(async () => {
    sim = await SimCluster.start('messy-cluster', { deploymentMs: 200, cosmosLoopMs: 200, msPerRequest: 50 });
  });

  it('lists exactly the planted findings, with their owners and fixes, and exits 3', async () => {
    const run = await audit();
    expect(run.code).toBe(3);
    const result = JSON.parse(run.stdout);
    const found = result.findings
      .map((finding: any) => [finding.kind, finding.service, finding.ownerCertainty, finding.fix?.command ?? null])
      .sort();
    expect(found).toEqual(
      [
        ['completed-framework-reservations', '/hdfs', 'certain', 'dcos janitor cleanup --service /hdfs --yes'],
        [
          'completed-framework-reservations',
          '/old/kafka',
          'certain',
          'dcos janitor cleanup --service /old/kafka --yes',
        ],
        ['crash-looping-scheduler', '/hdfs', 'certain', 'dcos janitor uninstall /hdfs --manual --yes'],
        [
          'orphaned-framework',
          '/spark-history',
          'certain',
          `dcos janitor teardown --framework-id 5e5e0000-aaaa-4bbb-8ccc-000000000000-0020 --cleanup --yes`,
        ],
        ['orphaned-reservations', '/legacy/es', 'likely', 'dcos janitor cleanup --service /legacy/es --yes'],
        ['stale-znode', '/gone/redis', 'likely', 'dcos janitor cleanup --service /gone/redis --yes'],
        ['stuck-uninstall', '/stuck/kafka', 'certain', 'dcos janitor uninstall /stuck/kafka --force-stuck --yes'],
        ['unregistered-agent', '(cluster)', 'certain', null],
        ['zombie-scheduler', '/zombie/elastic', 'certain', 'dcos janitor uninstall /zombie/elastic --yes'],
      ].sort(),
    );
    const legacy = result.findings.find((finding: any) => finding.service === '/legacy/es');
    expect(legacy.evidence).toMatchObject({
      role: 'legacy__es-role',
      principal: '/legacy/es-principal',
      agents: ['10.0.9.12', '10.0.9.13'],
      resources: 5,
      volumes: 1,
    });
    expect(legacy.fix.argv).toEqual(['dcos', 'janitor', 'cleanup', '--service', '/legacy/es', '--yes']);
    const old = result.findings.find((finding: any) => finding.service === '/old/kafka');
    expect(old.evidence.completedFramework).toEqual({
      id: '5e5e0000-aaaa-4bbb-8ccc-000000000000-0021',
      name: '/old/kafka',
    });
    expect(
      result.findings.find((finding: any) => finding.kind === 'stuck-uninstall').evidence.stuck.length,
    ).toBeGreaterThan(0);
    // The package comes from Cosmos' list when it answers.
    expect(result.findings.find((finding: any) => finding.kind === 'zombie-scheduler').evidence.package).toBe(
      'elastic',
    );
  });

  it('reads each endpoint once, and the plan of each SDK service being uninstalled', async () => {
    await audit();
    const gets = sim.requests.filter((entry) => entry.method === 'GET').map((entry) => entry.url.split('?')[0]);
    expect(gets.filter((url) => url === '/mesos/master/slaves')).toHaveLength(1);
    expect(gets.filter((url) => url === '/mesos/master/frameworks')).toHaveLength(1);
    expect(gets.filter((url) => url === '/service/marathon/v2/apps')).toHaveLength(1);
    expect(gets.filter((url) => url.startsWith('/service/') && url.endsWith('/v1/plans/deploy')).sort()).toEqual([
      '/service/stuck/kafka/v1/plans/deploy',
      '/service/zombie/elastic/v1/plans/deploy',
    ]);
    expect(sim.requests.filter((entry) => entry.method !== 'GET' && entry.url !== '/package/list')).toEqual([]);
  });

  it('--kind filters; text output fits 80 columns and names each fix', async () => {
    const only = JSON.parse((await audit(['--kind', 'stale-znode'])).stdout);
    expect(only.findings.map((finding: any) => finding.kind)).toEqual(['stale-znode']);
    const text = await runInTerminal(['audit'], { DCOS_URL: sim.url }, [], 80);
    expect(text.stdout.split(/\r?\n/).filter((line) => line.length > 80)).toEqual([]);
    // In a pipe nothing is cut or summarised: every cell whole, whatever $COLUMNS says.
    const piped = await runInProcess(['audit'], { env: { DCOS_URL: sim.url, COLUMNS: '80' } });
    expect(piped.code).toBe(3);
    expect(piped.stdout).not.toMatch(/…/);
    expect(piped.stdout).toMatch(/crash-looping-scheduler/);
    expect(text.stdout).toMatch(
      /^\/legacy\/es \(owner likely: role and principal follow the SDK naming rules for\s+\/legacy\/es\)$/m,
    );
    // The owner is only likely: the command is shown for the operator, and --fix leaves it alone.
    expect(text.stdout).toMatch(/ {4}fix \(by hand\): dcos janitor cleanup --service \/legacy\/es --yes/);
    expect(text.stdout).toMatch(/not run by --fix: owner likely/);
  });

  it('--fix --yes fixes what is certain and no longer lives, in a safe order, leaves that clean in one run, and every healthy service untouched', async () => {
    const before = healthyState();
    const run = await audit(['--fix', '--yes', '--poll-ms', '20'], { DCOS_JANITOR_GRACE: '0' });
    const result = JSON.parse(run.stdout);
    // Left to the operator: owners only likely (naming rules), and an orphaned framework whose task still runs.
    const left = result.findings
      .filter((finding: any) => finding.fix)
      .map((finding: any) => [finding.kind, finding.service, finding.autoFix])
      .sort();
    expect(left).toEqual(
      [
        ['orphaned-framework', '/spark-history', false],
        ['orphaned-reservations', '/legacy/es', false],
        ['stale-znode', '/gone/redis', false],
      ].sort(),
    );
    expect(result.leftToOperator.map((finding: any) => finding.service).sort()).toEqual([
      '/gone/redis',
      '/legacy/es',
      '/spark-history',
    ]);
    expect(result.findings.find((finding: any) => finding.service === '/spark-history').manualBecause).toMatch(
      /1 task running/,
    );
    expect(run.code).toBe(3);
    expect(healthyState()).toBe(before);
    // Stop what relaunches first: the crash-looping app is removed before anything of /hdfs is cleaned.
    const hdfsDelete = sim.requests.findIndex(
      (entry) => entry.method === 'DELETE' && entry.url.startsWith('/service/marathon/v2/apps/hdfs'),
    );
    const hdfsUnreserve = sim.requests.findIndex(
      (entry) =>
        entry.method === 'POST' && entry.url.startsWith('/mesos/master/unreserve') && entry.body.includes('hdfs-role'),
    );
    expect(hdfsDelete).toBeGreaterThanOrEqual(0);
    expect(hdfsUnreserve).toBeGreaterThan(hdfsDelete);
    // Nothing of the services it acted on is left; what it left to the operator is untouched.
    for (const role of ['old__kafka-role', 'hdfs-role'])
      expect(reservedWhere(sim.state, (resource) => innermostRole(resource) === role)).toEqual([]);
    for (const role of ['legacy__es-role', 'spark-role'])
      expect(reservedWhere(sim.state, (resource) => innermostRole(resource) === role)).not.toEqual([]);
    for (const node of [
      '/dcos-service-old__kafka',
      '/dcos-service-hdfs',
      '/dcos-service-zombie__elastic',
      '/dcos-service-stuck__kafka',
    ])
      expect(sim.state.znodes.has(node)).toBe(false);
    expect(sim.state.znodes.has('/dcos-service-gone__redis')).toBe(true);
    for (const app of ['/hdfs', '/zombie/elastic', '/stuck/kafka']) expect(sim.state.apps.has(app)).toBe(false);
    expect([...sim.state.frameworks.values()].some((framework) => framework.name === 'spark-history')).toBe(true);
    const again = JSON.parse((await audit()).stdout);
    expect(again.findings.map((finding: any) => finding.kind).sort()).toEqual([
      'orphaned-framework',
      'orphaned-reservations',
      'stale-znode',
      'unregistered-agent',
    ]);
  });

  it('--fix without --yes and without a terminal is an error, and changes nothing', async () => {
    const run = await runInProcess(['audit', '--fix'], { env: { DCOS_URL: sim.url } });
    expect(run.code).toBe(2);
    expect(sim.requests.filter((entry) => entry.method !== 'GET' && entry.url !== '/package/list')).toEqual([]);
  });

  it('--older-than: a framework inactive for less is not a finding yet', async () => {
    const result = JSON.parse((await audit(['--older-than', '100000d'])).stdout);
    expect(result.findings.map((finding: any) => finding.kind)).not.toContain('orphaned-framework');
  });
});

describe('one bad scheduler does not sink the audit', () => {
  it('a plan that cannot be read is a finding of its own, and the rest of the cluster is audited', async () => {
    sim = await SimCluster.start('messy-cluster', { msPerRequest: 10 });
    sim.faults.rules.push({
      pathPrefix: '/service/stuck/kafka/v1/plans/deploy',
      status: 500,
      body: 'scheduler exploded',
      times: 100,
    });
    const run = await runInProcess(['audit', '--json'], { env: { DCOS_URL: sim.url, DCOS_JANITOR_RETRIES: '0' } });
    expect(run.code).toBe(3);
    const result = JSON.parse(run.stdout);
    const unreadable = result.findings.find((finding: any) => finding.kind === 'plan-unreadable');
    expect(unreadable).toMatchObject({ service: '/stuck/kafka', fix: null });
    expect(unreadable.summary).toMatch(/cannot be read: .*500/);
    expect(unreadable.advice).not.toMatch(/audit/);
    expect(result.findings.map((finding: any) => finding.kind)).toEqual(
      expect.arrayContaining(['zombie-scheduler', 'orphaned-reservations', 'crash-looping-scheduler']),
    );
  });
});

describe('no false alarms', () => {
  it.each(['data-kafka-running', 'shared-role-siblings'])('%s: nothing live is a finding', async (scenario) => {
    sim = await SimCluster.start(scenario);
    const result = JSON.parse((await runInProcess(['audit', '--json'], { env: { DCOS_URL: sim.url } })).stdout);
    const live = ['/data/kafka', '/quota/hello-world-b'];
    expect(result.findings.filter((finding: any) => live.includes(finding.service))).toEqual([]);
  });

  it('a clean cluster audits clean: exit 0', async () => {
    sim = await SimCluster.start(parseScenario({ ...loadScenario('data-kafka-running'), znodes: {} }));
    const run = await runInProcess(['audit', '--json'], { env: { DCOS_URL: sim.url } });
    expect(JSON.parse(run.stdout)).toMatchObject({ clean: true, findings: [] });
    expect(run.code).toBe(0);
  });
});

describe('every real capture', () => {
  it.each([
    'mesos-1.3.0-slaves-dcos-checks-dcos-1.10-dev.json',
    'mesos-1.0.3-slaves-cassandra-volume.reconstructed.json',
  ])('%s audits without error', async (name) => {
    const slaves = fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');
    sim = await SimCluster.start(parseScenario({ name: 'capture', agents: [] }));
    sim.rewriteResponse = (requestPath, body) => (requestPath === '/mesos/master/slaves' ? slaves : body);
    const run = await runInProcess(['audit', '--json'], { env: { DCOS_URL: sim.url } });
    expect([0, 3]).toContain(run.code);
    // The public agent holds only its static slave_public: nothing to find there.
    if (name.includes('1.3.0')) expect(JSON.parse(run.stdout)).toMatchObject({ clean: true, findings: [] });
  });

  it('what it finds in the Mesos 1.0.3 Cassandra capture, and why', async () => {
    const slaves = fs.readFileSync(
      path.join(__dirname, 'fixtures', 'mesos-1.0.3-slaves-cassandra-volume.reconstructed.json'),
      'utf8',
    );
    const frameworks = fs.readFileSync(
      path.join(__dirname, 'fixtures', 'mesos-1.0.x-frameworks.reconstructed.json'),
      'utf8',
    );
    sim = await SimCluster.start(parseScenario({ name: 'capture', agents: [] }));
    sim.rewriteResponse = (requestPath, body) =>
      requestPath === '/mesos/master/slaves' ? slaves : requestPath === '/mesos/master/frameworks' ? frameworks : body;
    const run = await runInProcess(['audit', '--json'], { env: { DCOS_URL: sim.url } });
    const result = JSON.parse(run.stdout);
    // The capture's agent holds a Cassandra role whose framework (orders-demo-1, role
    // orders-demo-1-role) is registered with another role: its 4 reservations and 1 volume
    // are held by no registered framework, and the role follows no SDK naming rule that
    // the principal matches, so the owner is a guess and the fix names role and principal.
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      kind: 'orphaned-reservations',
      ownerCertainty: 'guess',
      evidence: { principal: 'cassandra-principal', resources: 4, volumes: 1 },
    });
    expect(result.findings[0].fix.argv).toEqual(expect.arrayContaining(['cleanup', '-r', '-p', 'cassandra-principal']));
    expect(run.code).toBe(3);
  });
});

import { MesosClient } from '../src/clients/mesos';
import { ClusterHttp } from '../src/cluster/http';
import { SimCluster } from '../src/sim/server';
import { innermostRole, isVolume } from '../src/sim/resources';
import { runCli, runInTerminal } from './helpers/cli';
import { runInProcessAgainst } from './helpers/in-process';
import {
  CASSANDRA_BY_NAMES,
  CASSANDRA_ROLE_AND_PRINCIPAL,
  mutatingRequests,
  reservedOf,
  reservedWhere,
  snapshotWhere,
  volumesOf,
} from './helpers/cluster';

/** `dcos janitor cleanup` end to end: the real binary against the simulated cluster over HTTP. */

const KAFKA_FRAMEWORK = '4f657f09-c73f-408f-8d9e-37228a0f1a8e-0003';

let sim: SimCluster;
afterEach(async () => {
  await sim?.stop();
});

async function tearDownKafka(): Promise<void> {
  const http = new ClusterHttp({ url: sim.url, tls: { verify: false }, timeoutMs: 5000, source: 'test' });
  await expect(new MesosClient(http).teardown(KAFKA_FRAMEWORK)).resolves.toEqual({ kind: 'torn-down' });
}

describe('Kafka destroyed from the UI', () => {
  beforeEach(async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
  });

  it('after the teardown, cleans volumes, reservations and the znode, and verifies', async () => {
    await tearDownKafka();
    const hdfsBefore = snapshotWhere(sim, (resource) => innermostRole(resource) === 'hdfs-role');

    const run = await runInProcessAgainst(sim.url, ['cleanup', '--service', 'kafka', '--yes']);

    expect(run.stderr).not.toMatch(/Error/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Destroyed 3 volumes and unreserved 12 resources on 3 agents; ZooKeeper node deleted/);
    expect(run.stdout).toMatch(/Verified: nothing of the target is left/);
    expect(reservedOf(sim, 'kafka-role')).toEqual([]);
    expect([...sim.state.znodes.keys()].filter((node) => node.startsWith('/dcos-service-kafka'))).toEqual([]);
    // The healthy HDFS beside it keeps everything, and DC/OS' own znodes stay.
    expect(snapshotWhere(sim, (resource) => innermostRole(resource) === 'hdfs-role')).toBe(hdfsBefore);
    expect(sim.state.znodes.has('/dcos-service-hdfs')).toBe(true);
    expect(sim.state.znodes.has('/mesos')).toBe(true);
    expect(sim.violations.rootDeleteAttempted).toBe(false);
  });

  it('follows the order: destroy, re-read, unreserve, znode, verify', async () => {
    await tearDownKafka();
    sim.requests.length = 0;
    await runInProcessAgainst(sim.url, ['cleanup', '--service', 'kafka', '--yes']);
    const sequence = sim.requests.map((entry) => `${entry.method} ${entry.url.split('?')[0]}`);
    const firstDestroy = sequence.indexOf('POST /mesos/master/destroy-volumes');
    const firstUnreserve = sequence.indexOf('POST /mesos/master/unreserve');
    const reRead = sequence.indexOf('GET /mesos/master/slaves', firstDestroy);
    const znodeDelete = sequence.indexOf('DELETE /exhibitor/exhibitor/v1/explorer/znode/dcos-service-kafka');
    expect(firstDestroy).toBeGreaterThan(0);
    expect(reRead).toBeGreaterThan(firstDestroy);
    expect(firstUnreserve).toBeGreaterThan(reRead);
    const lastUnreserve = sequence.lastIndexOf('POST /mesos/master/unreserve');
    expect(znodeDelete).toBeGreaterThan(lastUnreserve);
    // The verification reads the agents after every unreserve (while the znode is deleted:
    // the delete changes nothing they hold), and the znode only after its delete.
    expect(sequence.lastIndexOf('GET /mesos/master/slaves')).toBeGreaterThan(lastUnreserve);
    expect(sequence.lastIndexOf('GET /exhibitor/exhibitor/v1/explorer/node-data')).toBeGreaterThan(znodeDelete);
    // One batch per agent: 3 destroys, 3 unreserves.
    expect(sim.requestsTo('POST', '/mesos/master/destroy-volumes')).toHaveLength(3);
    expect(sim.requestsTo('POST', '/mesos/master/unreserve')).toHaveLength(3);
  });

  it('without the teardown, refuses (exit 11): the brokers still run on its resources; nothing is sent', async () => {
    const run = await runInProcessAgainst(sim.url, ['cleanup', '--service', 'kafka', '--yes']);
    expect(run.code).toBe(11);
    expect(run.stdout).toMatch(/in use by running tasks/);
    expect(run.stdout).toMatch(/keep \/dcos-service-kafka.*still registered/);
    expect(run.stdout).toMatch(new RegExp(`dcos janitor teardown --framework-id ${KAFKA_FRAMEWORK}`));
    expect(mutatingRequests(sim)).toEqual([]);
    expect(reservedOf(sim, 'kafka-role').length).toBeGreaterThan(0);
    expect(sim.state.znodes.has('/dcos-service-kafka')).toBe(true);
  });

  it('with --force, sends nothing in use, keeps the znode and exits 3 with the teardown hint', async () => {
    const run = await runInProcessAgainst(sim.url, ['cleanup', '--service', 'kafka', '--yes', '--force', '--json']);
    expect(run.code).toBe(3);
    const result = JSON.parse(run.stdout);
    expect(result.outcome).toMatchObject({ volumesDestroyed: 0, znode: 'kept' });
    expect(
      result.verification.leftovers.filter((leftover: { kind: string }) => leftover.kind === 'in-use').length,
    ).toBeGreaterThan(0);
    expect(sim.requestsTo('POST', '/mesos/master/destroy-volumes')).toEqual([]);
    expect(sim.state.znodes.has('/dcos-service-kafka')).toBe(true);
  });

  it('is idempotent: a second run finds nothing, changes nothing and exits 0', async () => {
    await tearDownKafka();
    expect((await runInProcessAgainst(sim.url, ['cleanup', '--service', 'kafka', '--yes'])).code).toBe(0);
    sim.requests.length = 0;
    const again = await runInProcessAgainst(sim.url, ['cleanup', '--service', 'kafka', '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/ZooKeeper node already absent/);
    expect(sim.requests.filter((entry) => entry.method === 'POST')).toEqual([]);
  });

  it('finishes the job when re-run after being killed in the middle', async () => {
    await tearDownKafka();
    sim.faults.latencyMs = 30;
    const killed = await runCli(['cleanup', '--service', 'kafka', '--yes', '--concurrency', '1'], {
      env: { DCOS_URL: sim.url },
      killWhen: () => sim.requestsTo('POST', '/mesos/master/unreserve').length >= 1,
    });
    expect(killed.code).toBeNull();
    // Interrupted: volumes destroyed, some reservations still there, znode still there.
    expect(volumesOf(sim, 'kafka-principal')).toEqual([]);
    expect(reservedOf(sim, 'kafka-role').length).toBeGreaterThan(0);
    expect(sim.state.znodes.has('/dcos-service-kafka')).toBe(true);

    const rerun = await runInProcessAgainst(sim.url, ['cleanup', '--service', 'kafka', '--yes']);
    expect(rerun.code).toBe(0);
    expect(reservedOf(sim, 'kafka-role')).toEqual([]);
    expect(sim.state.znodes.has('/dcos-service-kafka')).toBe(false);
  });

  it('--dry-run shows the plan and sends nothing that changes the cluster', async () => {
    await tearDownKafka();
    const run = await runInProcessAgainst(sim.url, ['cleanup', '--service', 'kafka', '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /Totals: destroy 3 volumes; unreserve 12 resources on 3 agents \(9 reservations and the disk of each of the 3 destroyed volumes\)\./,
    );
    expect(run.stdout).toMatch(/delete \/dcos-service-kafka \(present\)/);
    expect(run.stdout).toMatch(/Dry run: nothing was changed/);
    expect(mutatingRequests(sim).filter((entry) => entry.url !== '/mesos/master/teardown')).toEqual([]);
  });

  it('refuses to act without a terminal and without --yes, before changing anything', async () => {
    await tearDownKafka();
    const run = await runInProcessAgainst(sim.url, ['cleanup', '--service', 'kafka']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/standard input is not a terminal.*--yes/);
    expect(
      run.stderr
        .trim()
        .split('\n')
        .filter((line) => line.startsWith('Error')),
    ).toHaveLength(1);
    expect(run.stderr).not.toMatch(/\s+at .*\.js:\d+/);
    expect(mutatingRequests(sim).filter((entry) => entry.url !== '/mesos/master/teardown')).toEqual([]);
  });

  it('--json prints one result object with stable keys', async () => {
    await tearDownKafka();
    const run = await runInProcessAgainst(sim.url, ['cleanup', '--service', 'kafka', '--yes', '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(Object.keys(result)).toEqual([
      'schemaVersion',
      'command',
      'dryRun',
      'target',
      'plan',
      'accepted',
      'outcome',
      'verification',
      'notFound',
      'message',
      'savedPlan',
      'exitCode',
      'error',
    ]);
    expect(result.target).toMatchObject({ serviceName: 'kafka', roles: ['kafka-role'], zkNode: 'dcos-service-kafka' });
    expect(result.outcome).toMatchObject({
      volumesDestroyed: 3,
      resourcesUnreserved: 12,
      znode: 'deleted',
      failures: [],
    });
    expect(result.verification).toEqual({ clean: true, leftovers: [], unverifiableAgents: [] });
    expect(run.stdout).not.toMatch(/Cleanup plan/);
  });

  it('bounds the per-agent concurrency by --concurrency', async () => {
    await tearDownKafka();
    sim.faults.latencyMs = 40;
    const run = await runInProcessAgainst(sim.url, ['cleanup', '--service', 'kafka', '--yes', '--concurrency', '2']);
    expect(run.code).toBe(0);
    expect(sim.maxConcurrentPosts).toBe(2);
  });
});

describe("the six-agent Cassandra of janitor.py's sample output", () => {
  beforeEach(async () => {
    sim = await SimCluster.start('cassandra-six-agents');
  });

  it('cleans with the janitor.py flags on Mesos 0.28 and never touches slave_public', async () => {
    const publicBefore = snapshotWhere(sim, (resource) => innermostRole(resource) === 'slave_public');
    const run = await runInProcessAgainst(sim.url, ['cleanup', ...CASSANDRA_BY_NAMES, '--yes']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Destroyed 3 volumes and unreserved 12 resources on 3 agents/);
    expect(reservedOf(sim, 'cassandra_role')).toEqual([]);
    expect([...sim.state.znodes.keys()].some((node) => node.startsWith('/cassandra'))).toBe(false);
    expect(snapshotWhere(sim, (resource) => innermostRole(resource) === 'slave_public')).toBe(publicBefore);
    // Only S1, S4 and S5 held anything: no request for the others.
    const agentsCalled = new Set(
      sim.requestsTo('POST', '/mesos/master/').map((entry) => /slaveId=([^&]+)/.exec(entry.body)?.[1]),
    );
    expect([...agentsCalled].sort()).toEqual(
      ['S1', 'S4', 'S5'].map((s) => `3ce447e3-2894-4c61-bd0f-be97e4d99ee9-${s}`),
    );
    // 0.28 answered 200, not 202, and that is success too.
    expect(sim.requestsTo('POST', '/mesos/master/unreserve').every((entry) => entry.status === 200)).toBe(true);
  });

  it('in a terminal, asks first: "n" aborts with exit 8 and changes nothing, "y" cleans', async () => {
    const args = ['cleanup', ...CASSANDRA_BY_NAMES];
    const declined = await runInTerminal(args, { DCOS_URL: sim.url }, [{ prompt: /\(y\/N\)/, answer: 'n\r' }]);
    expect(declined.stdout).toMatch(/Totals: destroy 3 volumes/);
    expect(declined.stdout.replace(/\s+/g, ' ')).toMatch(/Destroy 3 volumes, unreserve 12 resources on 3 agents/);
    expect(declined.stdout).toMatch(/Aborted \(the confirmation was declined\): nothing was changed\./);
    expect(declined.code).toBe(8);
    expect(mutatingRequests(sim)).toEqual([]);

    const accepted = await runInTerminal(args, { DCOS_URL: sim.url }, [{ prompt: /\(y\/N\)/, answer: 'y\r' }]);
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toMatch(/Verified: nothing of the target is left/);
    expect(reservedOf(sim, 'cassandra_role')).toEqual([]);
  });

  it('refuses -r without -p, as janitor.py silently did nothing', async () => {
    const run = await runInProcessAgainst(sim.url, ['cleanup', '-r', 'cassandra_role', '--yes']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/-r\/--role needs -p\/--principal/);
    expect(sim.requests).toEqual([]);
  });
});

describe('two services sharing a role with different principals', () => {
  const SIBLING = '/quota/hello-world-b-principal';
  beforeEach(async () => {
    sim = await SimCluster.start('shared-role-siblings');
  });

  it('--service cleans the destroyed service and the sibling keeps every reservation and volume', async () => {
    const siblingBefore = snapshotWhere(sim, (resource) =>
      resource.reservations.some((entry) => entry.principal === SIBLING),
    );
    const siblingVolumes = volumesOf(sim, SIBLING);
    expect(siblingVolumes).toHaveLength(2);

    const run = await runInProcessAgainst(sim.url, ['cleanup', '--service', '/quota/hello-world', '--yes']);

    // Its one reservation without the SDK label stays, and is said to stay: not "Verified".
    expect(run.code).toBe(3);
    expect(run.stdout).not.toMatch(/Verified/);
    expect(run.stdout).toMatch(/cpus 0\.25: not selected \(unlabeled/);
    expect(run.stdout).toMatch(/--include-unlabeled --yes/);
    expect(snapshotWhere(sim, (resource) => resource.reservations.some((entry) => entry.principal === SIBLING))).toBe(
      siblingBefore,
    );
    expect(volumesOf(sim, SIBLING)).toEqual(siblingVolumes);
    // The destroyed service's own reservations are gone, refined one included (popped back to slave_public).
    const ours = reservedWhere(sim.state, (resource) =>
      resource.reservations.some(
        (entry) =>
          entry.principal === '/quota/hello-world-principal' &&
          entry.labels?.some((label) => label.key === 'resource_id'),
      ),
    );
    expect(ours).toEqual([]);
    // The role came from the completed framework, not guessed; the sibling's znode stays.
    expect(run.stdout).toMatch(/role quota: subscribed by framework 7d1f0e2a-5b3c-4e8d-9f60-2a1b3c4d5e6f-0011/);
    expect(sim.state.znodes.has('/dcos-service-quota__hello-world')).toBe(false);
    expect(sim.state.znodes.has('/dcos-service-quota__hello-world-b')).toBe(true);
  });

  it('shows and spares what is in the role but not ours: Marathon resident, unlabeled, other principal', async () => {
    const run = await runInProcessAgainst(sim.url, [
      'cleanup',
      '--service',
      '/quota/hello-world',
      '--dry-run',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    const reasons = result.plan.agents.flatMap((agent: { skipped: Array<{ reason: string }> }) =>
      agent.skipped.map((skipped) => skipped.reason),
    );
    expect(new Set(reasons)).toEqual(new Set(['other-principal', 'marathon-resident', 'unlabeled']));
    await runInProcessAgainst(sim.url, ['cleanup', '--service', '/quota/hello-world', '--yes']);
    expect(
      reservedWhere(sim.state, (resource) =>
        resource.reservations.some((entry) => entry.labels?.some((label) => label.key === 'marathon_task_id')),
      ),
    ).toHaveLength(2);
    expect(
      reservedWhere(
        sim.state,
        (resource) => resource.name === 'cpus' && resource.scalar === 0.25 && innermostRole(resource) === 'quota',
      ),
    ).toHaveLength(1);
  });

  it('the janitor.py form with -r quota is protected by the principal too', async () => {
    const siblingBefore = snapshotWhere(sim, (resource) =>
      resource.reservations.some((entry) => entry.principal === SIBLING),
    );
    const run = await runInProcessAgainst(sim.url, [
      'cleanup',
      '-r',
      'quota',
      '-p',
      '/quota/hello-world-principal',
      '--include-unlabeled',
      '--yes',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Verified/);
    expect(snapshotWhere(sim, (resource) => resource.reservations.some((entry) => entry.principal === SIBLING))).toBe(
      siblingBefore,
    );
  });

  it('a live sibling sharing the group role and the service account is neither a blocker nor a leftover, and keeps all it has', async () => {
    // A shared service account: same principal for both services.
    await sim.stop();
    const scenario = JSON.parse(
      JSON.stringify((await import('../src/sim/scenario')).loadScenario('shared-role-siblings')),
    );
    for (const agent of scenario.agents)
      for (const reservation of agent.reservations)
        if (reservation.principal === SIBLING) reservation.principal = '/quota/hello-world-principal';
    for (const framework of scenario.frameworks)
      if (framework.principal === SIBLING) framework.principal = '/quota/hello-world-principal';
    sim = await SimCluster.start(scenario);
    const siblingLabel = '7d1f0e2a-5b3c-4e8d-9f60-2a1b3c4d5e6f-0012';
    const hasSiblingLabel = (resource: Parameters<Parameters<typeof reservedWhere>[1]>[0]) =>
      resource.reservations.some((entry) =>
        entry.labels?.some((label) => label.key === 'framework_id' && label.value === siblingLabel),
      );
    const siblingBefore = snapshotWhere(sim, hasSiblingLabel);

    // Same role and principal is not sameness: the sibling is named otherwise, so it is not the target's.
    const dry = JSON.parse(
      (await runInProcessAgainst(sim.url, ['cleanup', '--service', '/quota/hello-world', '--dry-run', '--json']))
        .stdout,
    );
    expect(dry.plan.blockers).toEqual([]);
    expect(dry.plan.frameworks).toEqual([]);
    const reasons = new Set(
      dry.plan.agents.flatMap((agent: { skipped: Array<{ reason: string }> }) =>
        agent.skipped.map((skipped) => skipped.reason),
      ),
    );
    expect(reasons.has('live-framework')).toBe(true);
    expect(JSON.stringify(dry)).not.toMatch(/teardown --framework-id 7d1f0e2a-5b3c-4e8d-9f60-2a1b3c4d5e6f-0012/);

    const run = await runInProcessAgainst(sim.url, ['cleanup', '--service', '/quota/hello-world', '--yes', '--json']);
    expect(run.code).toBe(0);
    expect(snapshotWhere(sim, hasSiblingLabel)).toBe(siblingBefore);
    expect(sim.state.frameworks.get(siblingLabel)?.active).toBe(true);
    expect(JSON.parse(run.stdout).verification.leftovers).toEqual([]);
    expect(sim.state.znodes.has('/dcos-service-quota__hello-world-b')).toBe(true);
  });
});

describe('guards and bad input', () => {
  beforeAll(async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
  });
  afterAll(async () => {
    await sim.stop();
  });
  afterEach(() => undefined);

  it.each([
    [['-r', '*', '-p', 'p'], /Refusing to clean role '\*'/],
    [['-r', 'slave_public', '-p', 'p'], /Refusing to clean role 'slave_public'/],
    [['-r', '', '-p', 'p'], /The role is empty/],
    [['-r', 'kafka-role', '-p', ''], /The principal is empty/],
    [['-z', '/'], /root of the whole tree/],
    [['-z', '//'], /root of the whole tree/],
    [['-z', 'mesos'], /belongs to DC\/OS itself/],
    [['-z', '/marathon'], /belongs to DC\/OS itself/],
    [['-z', '/zookeeper/quota'], /belongs to DC\/OS itself/],
    [['-z', 'dcos-service-x/../mesos'], /'\.' or '\.\.'/],
    [['--service', 'my__svc'], /contains '__'/],
    [[], /Nothing to clean/],
    [['-r', 'bad role', '-p', 'p'], /not a valid Mesos role/],
  ])('cleanup %j is refused with exit 2 and no request', async (args, message) => {
    const before = sim.requests.length;
    const run = await runInProcessAgainst(sim.url, ['cleanup', ...args, '--yes']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\s+at .*\.js:\d+/);
    expect(sim.requests.length).toBe(before);
  });

  it('an unknown flag is a usage error (exit 2)', async () => {
    const run = await runInProcessAgainst(sim.url, ['cleanup', '--no-such-flag']);
    expect(run.code).toBe(2);
  });
});

describe('agents that are not there', () => {
  beforeEach(async () => {
    sim = await SimCluster.start('cassandra-six-agents');
  });

  it('an agent not registered before the run, on which it never saw the target, is a warning, not a leftover; the rest is cleaned', async () => {
    sim.setAgentState('3ce447e3-2894-4c61-bd0f-be97e4d99ee9-S4', 'recovered');
    const run = await runInProcessAgainst(sim.url, ['cleanup', ...CASSANDRA_BY_NAMES, '--yes']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /Verified: nothing of the target is left on the cluster\.\nWarning: 1 agent is known to the master but not registered \(10\.0\.2\.104\)/,
    );
    expect(run.stdout).not.toMatch(/agent-unregistered/);
    expect(reservedOf(sim, 'cassandra_role').every((entry) => entry.agentId.endsWith('-S4'))).toBe(true);
    // When it comes back, a second run finishes the job.
    sim.setAgentState('3ce447e3-2894-4c61-bd0f-be97e4d99ee9-S4', 'registered');
    const again = await runInProcessAgainst(sim.url, ['cleanup', ...CASSANDRA_BY_NAMES, '--yes']);
    expect(again.code).toBe(0);
    expect(reservedOf(sim, 'cassandra_role')).toEqual([]);
  });

  it('an agent that moves to recovered_slaves mid-run (a master failover) is unknown, never counted as done', async () => {
    const moving = '3ce447e3-2894-4c61-bd0f-be97e4d99ee9-S5';
    let moved = false;
    sim.onRequest = (entry) => {
      if (!moved && entry.url.startsWith('/mesos/master/destroy-volumes')) {
        moved = true;
        sim.setAgentState(moving, 'recovered');
      }
    };
    const run = await runInProcessAgainst(sim.url, [
      'cleanup',
      ...CASSANDRA_ROLE_AND_PRINCIPAL,
      '--yes',
      '--json',
      '--concurrency',
      '1',
    ]);
    expect(run.code).toBe(3);
    const result = JSON.parse(run.stdout);
    // Three volumes were planned; the one on the agent that moved cannot be seen, so it is not counted.
    expect(result.outcome).toMatchObject({ volumesDestroyed: 2, agentsTouched: 2, unknown: 1 });
    expect(result.verification.leftovers).toEqual([
      expect.objectContaining({ kind: 'agent-unregistered', agentId: moving }),
    ]);
    expect(result.verification.unverifiableAgents).toEqual([]);
    const text = await runInProcessAgainst(sim.url, ['cleanup', ...CASSANDRA_ROLE_AND_PRINCIPAL, '--yes']);
    expect(text.stdout).toMatch(
      /Verified: nothing of the target is left on the cluster\.\nWarning: 1 agent is known to the master but not registered/,
    );
  });

  it('an agent that leaves between the destroy and the unreserve is reported, exit 3', async () => {
    const leaving = '3ce447e3-2894-4c61-bd0f-be97e4d99ee9-S5';
    sim.onRequest = (entry) => {
      if (entry.url.startsWith('/mesos/master/destroy-volumes') && entry.body.includes(leaving))
        sim.setAgentState(leaving, 'gone');
    };
    const run = await runInProcessAgainst(sim.url, ['cleanup', ...CASSANDRA_ROLE_AND_PRINCIPAL, '--yes', '--json']);
    expect(run.code).toBe(3);
    const leftovers = JSON.parse(run.stdout).verification.leftovers;
    expect(leftovers).toEqual([expect.objectContaining({ kind: 'agent-unregistered', agentId: leaving })]);
  });

  it("Mesos' 400 'No agent found' on an unreserve is a reported failure with its hint, exit 3", async () => {
    sim.addFault({
      pathPrefix: '/mesos/master/unreserve',
      status: 400,
      body: 'No agent found with specified ID',
      times: 1,
    });
    const run = await runInProcessAgainst(sim.url, [
      'cleanup',
      ...CASSANDRA_ROLE_AND_PRINCIPAL,
      '--yes',
      '--concurrency',
      '1',
    ]);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/Failed: unreserve .*No agent found with specified ID \(the agent left the cluster/);
  });
});

describe('409 that outlives the retries', () => {
  it('is reported with the hint that a framework may still be running, exit 3', async () => {
    sim = await SimCluster.start('cassandra-six-agents');
    sim.addFault({
      pathPrefix: '/mesos/master/unreserve',
      status: 409,
      body: 'cpus(cassandra_role):1.5 does not contain ...',
      times: 1000,
    });
    const run = await runInProcessAgainst(sim.url, ['cleanup', ...CASSANDRA_ROLE_AND_PRINCIPAL, '--yes', '--json']);
    expect(run.code).toBe(3);
    const result = JSON.parse(run.stdout);
    expect(result.outcome.failures.length).toBeGreaterThan(0);
    expect(result.outcome.failures[0]).toMatchObject({
      operation: 'unreserve',
      hint: expect.stringMatching(/framework may still be running.*dcos janitor teardown/),
    });
    expect(result.verification.leftovers.every((leftover: { kind: string }) => leftover.kind === 'reservation')).toBe(
      true,
    );
    // Batch, then one call per resource, each retried twice: bounded.
    expect(sim.requestsTo('POST', '/mesos/master/unreserve').length).toBe(3 * (1 + 4 * 3));
  });

  it('a 409 that clears on retry is not a leftover', async () => {
    sim = await SimCluster.start('cassandra-six-agents');
    sim.addFault({ pathPrefix: '/mesos/master/unreserve', status: 409, times: 2 });
    const run = await runInProcessAgainst(sim.url, [
      'cleanup',
      ...CASSANDRA_ROLE_AND_PRINCIPAL,
      '--yes',
      '--concurrency',
      '1',
    ]);
    expect(run.code).toBe(0);
    expect(reservedOf(sim, 'cassandra_role')).toEqual([]);
  });
});

describe('exhibitor answers', () => {
  beforeEach(async () => {
    sim = await SimCluster.start('cassandra-six-agents');
  });

  it('a partial delete (succeeded:false) is a failure with exit 3, and a re-run finishes it', async () => {
    sim.faults.exhibitor.failDeleteAfter = 2;
    const run = await runInProcessAgainst(sim.url, ['cleanup', '-z', 'cassandra', '--yes']);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/ConnectionLoss/);
    expect(sim.state.znodes.has('/cassandra')).toBe(true);
    const again = await runInProcessAgainst(sim.url, ['cleanup', '-z', 'cassandra', '--yes']);
    expect(again.code).toBe(0);
    expect([...sim.state.znodes.keys()].some((node) => node.startsWith('/cassandra'))).toBe(false);
  });

  it('a node deleted by someone else between the read and the delete (NoNode) counts as done', async () => {
    sim.onRequest = (entry) => {
      if (entry.url.startsWith('/exhibitor/exhibitor/v1/explorer/node-data'))
        sim.state.deleteZnodeRecursive('/cassandra');
    };
    const run = await runInProcessAgainst(sim.url, ['cleanup', '-z', 'cassandra', '--yes']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/already absent|Verified/);
  });

  it('a node that never existed is exit 12, with the nodes that do as did-you-mean', async () => {
    const run = await runInProcessAgainst(sim.url, ['cleanup', '-z', 'casandra', '--yes']);
    expect(run.code).toBe(12);
    expect(run.stderr).toMatch(
      /Nothing of ZooKeeper node \/casandra is on the cluster.*Did you mean 'ZooKeeper node \/cassandra'/,
    );
    expect(mutatingRequests(sim)).toEqual([]);
  });

  it('node modification disabled (403, empty body) is a clear error', async () => {
    sim.faults.exhibitor.mutationsDisabled = true;
    const run = await runInProcessAgainst(sim.url, ['cleanup', '-z', 'cassandra', '--yes']);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/node modification is disabled/);
  });
});

describe('volumes still carried by running tasks', () => {
  it('are not sent, and are reported with a teardown hint', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const refused = await runInProcessAgainst(sim.url, [
      'cleanup',
      '-r',
      'kafka-role',
      '-p',
      'kafka-principal',
      '--yes',
      '--json',
    ]);
    expect(refused.code).toBe(11);
    expect(
      JSON.parse(refused.stdout)
        .plan.blockers.map((blocker: { reason: string }) => blocker.reason)
        .join(' '),
    ).toMatch(/in use by running tasks/);
    const run = await runInProcessAgainst(sim.url, [
      'cleanup',
      '-r',
      'kafka-role',
      '-p',
      'kafka-principal',
      '--yes',
      '--json',
      '--force',
    ]);
    expect(run.code).toBe(3);
    const result = JSON.parse(run.stdout);
    const kinds = new Set(result.verification.leftovers.map((leftover: { kind: string }) => leftover.kind));
    expect(kinds).toEqual(new Set(['in-use', 'framework']));
    expect(sim.requestsTo('POST', '/mesos/master/')).toEqual([]);
    expect(
      reservedWhere(sim.state, (resource) => isVolume(resource) && innermostRole(resource) === 'kafka-role'),
    ).toHaveLength(3);
  });
});

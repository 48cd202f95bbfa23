import { FIX_ORDER } from '../src/domain/audit';
import { listScenarios, loadScenario, parseScenario } from '../src/sim/scenario';
import { SimCluster } from '../src/sim/server';
import { runInProcess } from './helpers/in-process';
import { mutatingRequests, reservedWhere, snapshotWhere } from './helpers/cluster';
import { SimResource } from '../src/sim/resources';

/**
 * Whose is it, and does it still live (docs/ownership.md): each case where the tool once
 * acted on a guess, over real HTTP against a scenario that has it. Every case checks what
 * the cluster shows after the run, not what the tool said.
 */

let sim: SimCluster;
afterEach(async () => sim?.stop());

/** In the test's process (helpers/in-process.ts): the same command classes and HTTP client, no process to start. */
const run = (args: string[], env: Record<string, string> = {}) =>
  runInProcess(args, { env: { DCOS_URL: sim.url, ...env } });
const labelled = (id: string) => (resource: SimResource) =>
  resource.reservations.some((entry) =>
    entry.labels?.some((label) => label.key === 'framework_id' && label.value === id),
  );
const frameworkIds = () => [...sim.state.frameworks.values()].map((framework) => framework.id);
const completedIds = () => sim.state.completedFrameworks.map((framework) => framework.id);

describe('a crash-looping scheduler: app present, brokers running on their volumes, down for an hour', () => {
  const KAFKA = '3c2b0000-1234-4abc-8def-000011112222-0009';
  beforeEach(async () => {
    sim = await SimCluster.start('kafka-scheduler-down', { deploymentMs: 100, msPerRequest: 10 });
  });

  it('audit says the scheduler is down (a notice), not an orphan; audit --fix destroys nothing', async () => {
    const before = snapshotWhere(sim, labelled(KAFKA));
    const audit = JSON.parse((await run(['audit', '--json'])).stdout);
    expect(audit.findings.map((finding: any) => finding.kind)).toEqual(['scheduler-down']);
    expect(audit.findings[0]).toMatchObject({
      service: '/kafka',
      fix: null,
      autoFix: false,
      evidence: { app: '/kafka', tasks: 3, volumesInUse: 3 },
    });
    expect(audit.findings[0].summary).toMatch(
      /inactive for 62 minutes, app \/kafka present, 3 tasks running on 3 volumes/,
    );
    expect(audit.exitCode).toBe(0);

    const fixed = await run(['audit', '--fix', '--yes', '--json']);
    expect(fixed.code).toBe(0);
    expect(mutatingRequests(sim).filter((entry) => entry.url !== '/package/list')).toEqual([]);
    expect(snapshotWhere(sim, labelled(KAFKA))).toBe(before);
    expect(sim.state.apps.has('/kafka')).toBe(true);
    expect(sim.state.znodes.has('/dcos-service-kafka')).toBe(true);
  });

  it('the same when the scheduler is active but disconnected', async () => {
    await sim.stop();
    const scenario = loadScenario('kafka-scheduler-down');
    const framework = scenario.frameworks.find((candidate) => candidate.id === KAFKA);
    if (!framework) throw new Error('scenario changed');
    Object.assign(framework, { active: true, connected: false });
    sim = await SimCluster.start(parseScenario(scenario), { msPerRequest: 10 });
    const audit = JSON.parse((await run(['audit', '--json'])).stdout);
    expect(audit.findings.map((finding: any) => [finding.kind, finding.autoFix])).toEqual([['scheduler-down', false]]);
    expect(audit.findings[0].summary).toMatch(/disconnected for 62 minutes/);
  });

  it('the teardown list does not call it orphaned', async () => {
    const list = JSON.parse((await run(['teardown', '--json'])).stdout);
    expect(list.candidates).toEqual([]);
  });
});

describe('a pre-SDK service whose unlabelled reservations are in use', () => {
  beforeEach(async () => {
    sim = await SimCluster.start('operator-reservations', { msPerRequest: 10 });
  });

  it('keeps the znode, refuses, counts what the agents hold, and with --force still keeps the znode and exits 3', async () => {
    const dry = await run([
      'cleanup',
      '-r',
      'postgres',
      '-p',
      'postgres',
      '-z',
      'dcos-service-postgres',
      '--dry-run',
      '--json',
    ]);
    const plan = JSON.parse(dry.stdout).plan;
    expect(dry.code).toBe(11);
    expect(plan.totals.inUse).toBe(6);
    expect(plan.znode).toMatchObject({ action: 'keep', present: true });
    expect(plan.blockers.map((blocker: any) => blocker.reason).join(' ')).toMatch(/in use by running tasks/);
    const text = await run(['cleanup', '-r', 'postgres', '-p', 'postgres', '-z', 'dcos-service-postgres', '--dry-run']);
    expect(text.stdout).toMatch(/Read 2 agents; 2 hold resources of role postgres/);
    expect(text.stdout).toMatch(
      /ZooKeeper: keep \/dcos-service-postgres \(present\): 6 of the target's reservations are in use/,
    );

    const refused = await run(['cleanup', '-r', 'postgres', '-p', 'postgres', '-z', 'dcos-service-postgres', '--yes']);
    expect(refused.code).toBe(11);
    const forced = await run([
      'cleanup',
      '-r',
      'postgres',
      '-p',
      'postgres',
      '-z',
      'dcos-service-postgres',
      '--yes',
      '--force',
      '--json',
    ]);
    expect(forced.code).toBe(3);
    expect(sim.state.znodes.has('/dcos-service-postgres')).toBe(true);
    expect(JSON.parse(forced.stdout).verification.leftovers.map((leftover: any) => leftover.kind)).toContain('in-use');
  });
});

describe('operator reservations in a live role, an idle Spark driver', () => {
  beforeEach(async () => {
    sim = await SimCluster.start('operator-reservations', { msPerRequest: 10 });
  });

  it('audit shows the guess and --fix leaves it, and never tears down a connected framework', async () => {
    const ops = (resource: SimResource) => resource.reservations.some((entry) => entry.principal === 'ops-admin');
    const before = snapshotWhere(sim, ops);
    const audit = JSON.parse((await run(['audit', '--json'])).stdout);
    const guess = audit.findings.find((finding: any) => finding.evidence.principal === 'ops-admin');
    expect(guess).toMatchObject({ ownerCertainty: 'guess', autoFix: false });
    expect(guess.manualBecause).toMatch(/owner guess/);
    expect(audit.findings.some((finding: any) => finding.kind === 'orphaned-framework')).toBe(false);

    const fixed = JSON.parse((await run(['audit', '--fix', '--yes', '--json'])).stdout);
    expect(fixed.fixed).toEqual([]);
    expect(fixed.leftToOperator.map((finding: any) => finding.evidence.principal)).toContain('ops-admin');
    expect(snapshotWhere(sim, ops)).toBe(before);
    expect(frameworkIds()).toContain('7e6f0000-5555-4666-8777-888899990000-0032');
    expect(mutatingRequests(sim).filter((entry) => entry.url !== '/package/list')).toEqual([]);
  });

  it('the teardown list and audit agree: a connected framework is never an orphan', async () => {
    const list = JSON.parse((await run(['teardown', '--json'])).stdout);
    expect(list.candidates).toEqual([]);
  });
});

describe('a re-installed service beside its old incarnations', () => {
  const P = '9a1c0000-1111-4222-8333-444455556666';
  const [OLD1, OLD2, INACTIVE, LIVE] = [`${P}-0003`, `${P}-0004`, `${P}-0005`, `${P}-0007`];
  beforeEach(async () => {
    sim = await SimCluster.start('kafka-reinstalled', { deploymentMs: 100, msPerRequest: 10 });
  });

  /** The scenario with only its two completed incarnations (and their reservations) left. */
  function onlyCompletedIncarnations() {
    const scenario = loadScenario('kafka-reinstalled');
    scenario.frameworks = scenario.frameworks.filter((framework) => ![INACTIVE, LIVE].includes(framework.id));
    for (const agent of scenario.agents) {
      agent.reservations = agent.reservations.filter((reservation) => !/^(live|inactive)-/.test(reservation.ref));
    }
    return scenario;
  }

  it("tearing down the inactive old incarnation keeps the live one's app, data and znode", async () => {
    const live = snapshotWhere(sim, labelled(LIVE));
    const dry = await run(['teardown', '--framework-id', INACTIVE, '--dry-run']);
    expect(dry.stdout).toMatch(
      /Dry run: would tear down kafka \(9a1c0000-1111-4222-8333-444455556666-0005\); nothing was changed/,
    );
    expect(dry.stdout).not.toMatch(/remove Marathon app/);
    const result = await run(['teardown', '--framework-id', INACTIVE, '--cleanup', '--yes', '--json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.outcomes[0].appRemoved).toBeUndefined();
    expect(sim.requestsTo('DELETE', '/service/marathon/v2/apps/kafka')).toHaveLength(0);
    expect(sim.state.apps.has('/kafka')).toBe(true);
    expect(completedIds()).toContain(INACTIVE);
    expect(frameworkIds()).toContain(LIVE);
    expect(snapshotWhere(sim, labelled(LIVE))).toBe(live);
    expect(reservedWhere(sim.state, labelled(INACTIVE))).toEqual([]);
    expect(sim.state.znodes.has('/dcos-service-kafka')).toBe(true);
    expect(json.cleanups[0].target.frameworkIds).toEqual([INACTIVE]);
  });

  it('a completed old incarnation: no app of it to remove, nothing changed off a terminal', async () => {
    const result = await run(['teardown', '--framework-id', OLD1, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).outcomes[0]).toMatchObject({ result: 'already-torn-down' });
    expect(sim.state.apps.has('/kafka')).toBe(true);
    expect(mutatingRequests(sim)).toEqual([]);
  });

  it('the app of the newest completed incarnation, with no registered one, needs --yes off a terminal', async () => {
    await sim.stop();
    const scenario = onlyCompletedIncarnations();
    sim = await SimCluster.start(parseScenario(scenario), { deploymentMs: 100, msPerRequest: 10 });
    const refused = await run(['teardown', '--framework-id', OLD2]);
    expect(refused.code).toBe(2);
    expect(sim.state.apps.has('/kafka')).toBe(true);
    const dry = await run(['teardown', '--framework-id', OLD2, '--dry-run']);
    expect(dry.stdout).toMatch(/would remove Marathon app \/kafka/);
    // The older completed one is not the app's: the app relaunches the newest.
    const older = await run(['teardown', '--framework-id', OLD1, '--dry-run']);
    expect(older.stdout).not.toMatch(/remove Marathon app/);
    const done = await run(['teardown', '--framework-id', OLD2, '--yes', '--json']);
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout).outcomes[0].appRemoved).toBe('/kafka');
    expect(sim.state.apps.has('/kafka')).toBe(false);
  });

  it('audit: the old incarnations are findings, the live one is not; --fix cleans them and the live one keeps everything', async () => {
    const live = snapshotWhere(sim, labelled(LIVE));
    const audit = JSON.parse((await run(['audit', '--json'])).stdout);
    const found = audit.findings.map((finding: any) => [finding.kind, finding.fix?.command ?? null, finding.autoFix]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['orphaned-framework', `dcos janitor teardown --framework-id ${INACTIVE} --cleanup --yes`, true],
        [
          'completed-framework-reservations',
          `dcos janitor cleanup --service /kafka --framework-id ${OLD1} --framework-id ${OLD2} --yes`,
          true,
        ],
      ]),
    );
    expect(audit.findings).toHaveLength(2);
    const fixed = await run(['audit', '--fix', '--yes', '--json', '--poll-ms', '20']);
    expect(fixed.code).toBe(0);
    expect(JSON.parse(fixed.stdout).findings).toEqual([]);
    expect(snapshotWhere(sim, labelled(LIVE))).toBe(live);
    expect(sim.state.apps.has('/kafka')).toBe(true);
    expect(sim.state.znodes.has('/dcos-service-kafka')).toBe(true);
    expect(frameworkIds()).toContain(LIVE);
    for (const id of [OLD1, OLD2, INACTIVE]) expect(reservedWhere(sim.state, labelled(id))).toEqual([]);
  });

  it('cleanup --service of a name with several completed incarnations takes every one of them', async () => {
    await sim.stop();
    const scenario = onlyCompletedIncarnations();
    scenario.marathon.apps = [];
    sim = await SimCluster.start(parseScenario(scenario), { msPerRequest: 10 });
    const result = await run(['cleanup', '--service', 'kafka', '--yes', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).target.frameworkIds.sort()).toEqual([OLD1, OLD2].sort());
    for (const id of [OLD1, OLD2]) expect(reservedWhere(sim.state, labelled(id))).toEqual([]);
  });
});

describe('a group role and a service account shared by two services', () => {
  const P = '5d3e0000-aaaa-4bbb-8ccc-dddd00001111';
  const [KAFKA, CASSANDRA] = [`${P}-0021`, `${P}-0022`];
  beforeEach(async () => {
    sim = await SimCluster.start('dev-group-siblings', { deploymentMs: 100, msPerRequest: 10 });
  });

  it('uninstall --manual tears down only its own framework; the sibling keeps its tasks, data, app and znode', async () => {
    const sibling = snapshotWhere(sim, labelled(CASSANDRA));
    const result = await run(['uninstall', '/dev/kafka', '--manual', '--yes', '--json', '--poll-ms', '20']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).verification).toEqual({ clean: true, leftovers: [], unverifiableAgents: [] });
    expect(completedIds()).toContain(KAFKA);
    expect(frameworkIds()).toContain(CASSANDRA);
    expect(sim.state.frameworks.get(CASSANDRA)?.tasks).toHaveLength(3);
    expect(snapshotWhere(sim, labelled(CASSANDRA))).toBe(sibling);
    expect(reservedWhere(sim.state, labelled(KAFKA))).toEqual([]);
    expect(sim.state.apps.has('/dev/cassandra')).toBe(true);
    expect(sim.state.znodes.has('/dcos-service-dev__cassandra')).toBe(true);
    expect(sim.requests.filter((entry) => entry.url === '/mesos/master/teardown').map((entry) => entry.body)).toEqual([
      `frameworkId=${KAFKA}`,
    ]);
  });

  it('the SDK route (Cosmos and the uninstall plan) leaves the sibling as it was, and verifies clean', async () => {
    await sim.stop();
    sim = await SimCluster.start('dev-group-siblings', { deploymentMs: 100, cosmosLoopMs: 100, msPerRequest: 10 });
    const sibling = snapshotWhere(sim, labelled(CASSANDRA));
    const result = await run(['uninstall', '/dev/kafka', '--yes', '--json', '--poll-ms', '60', '--grace', '1']);
    const json = JSON.parse(result.stdout);
    expect(json.route).toBe('sdk');
    expect(json.inventory.frameworks.map((framework: any) => framework.id)).toEqual([KAFKA]);
    expect(result.code).toBe(0);
    expect(snapshotWhere(sim, labelled(CASSANDRA))).toBe(sibling);
    expect(frameworkIds()).toContain(CASSANDRA);
    expect(sim.state.apps.has('/dev/cassandra')).toBe(true);
    expect(reservedWhere(sim.state, labelled(KAFKA))).toEqual([]);
  });

  it('cleanup of the service neither lists the sibling as a leftover or blocker nor hints at tearing it down', async () => {
    const dry = await run(['cleanup', '--service', '/dev/kafka', '--dry-run', '--json']);
    const text = JSON.stringify(JSON.parse(dry.stdout));
    expect(text).not.toMatch(new RegExp(CASSANDRA.replace(/-/g, '\\-') + '(?!",)'));
    expect(JSON.parse(dry.stdout).plan.frameworks.map((framework: any) => framework.id)).toEqual([KAFKA]);
    expect(JSON.parse(dry.stdout).plan.blockers.every((blocker: any) => !blocker.reason.includes('cassandra'))).toBe(
      true,
    );
  });
});

describe("DC/OS' own frameworks", () => {
  beforeEach(async () => {
    sim = await SimCluster.start('kafka-ui-destroyed', { msPerRequest: 10 });
  });

  it.each([
    [['uninstall', 'marathon', '--yes']],
    [['uninstall', '/metronome', '--manual', '--yes']],
    [['cleanup', '--service', 'marathon', '--yes']],
  ])('%j is refused, nothing changed', async (args) => {
    const result = await run(args);
    expect(result.code).toBe(11);
    expect(result.stderr).toMatch(/one of DC\/OS' own frameworks/);
    expect(mutatingRequests(sim)).toEqual([]);
  });

  it('names from janitor.system_frameworks too, and completion offers none of them', async () => {
    const result = await run(['uninstall', 'kafka', '--yes'], { DCOS_JANITOR_SYSTEM_FRAMEWORKS: 'kafka' });
    expect(result.code).toBe(11);
    const names = (await run(['services'])).stdout.split('\n');
    expect(names).toContain('kafka');
    expect(names).not.toContain('marathon');
    expect(names).not.toContain('metronome');
  });
});

describe("a 404 that is not Marathon's", () => {
  beforeEach(async () => {
    sim = await SimCluster.start('kafka-ui-destroyed', { deploymentMs: 100, msPerRequest: 10 });
  });

  it('an HTML 404 for the app is an error, not absence: nothing is cleaned', async () => {
    sim.faults.rules.push({
      pathPrefix: '/service/marathon/v2/apps/kafka',
      status: 404,
      body: '<html><body><h1>404 Not Found</h1>nginx</body></html>',
      times: 100,
    });
    const result = await run(['cleanup', '--service', 'kafka', '--yes']);
    expect(result.code).toBe(7);
    expect(result.stderr).toMatch(/answered 404, but not with Marathon's own "App '\/kafka' does not exist"/);
    expect(result.stderr.split('\n').filter((line) => line.startsWith('Error:'))).toHaveLength(1);
    expect(mutatingRequests(sim)).toEqual([]);
  });

  it('teardown never says it removed an app Marathon did not answer for', async () => {
    sim.faults.rules.push({
      pathPrefix: '/service/marathon/v2/apps/hdfs',
      method: 'DELETE',
      status: 404,
      body: '<html>Not Found</html>',
      times: 100,
    });
    const result = await run(['teardown', '--service', 'hdfs', '--yes', '--json']);
    expect(result.code).toBe(7);
    expect(result.stdout).not.toMatch(/"appRemoved"/);
    expect(sim.requests.filter((entry) => entry.url === '/mesos/master/teardown')).toEqual([]);
  });
});

describe('framework ids and names match exactly', () => {
  beforeEach(async () => {
    sim = await SimCluster.start('kafka-reinstalled', { msPerRequest: 10 });
  });

  it('--framework-id that Mesos does not know is exit 12 with did-you-mean, nothing changed', async () => {
    const result = await run([
      'cleanup',
      '-r',
      'kafka-role',
      '-p',
      'kafka-principal',
      '--framework-id',
      '9a1c0000-1111-4222-8333-444455556666-0033',
      '--yes',
    ]);
    expect(result.code).toBe(12);
    expect(result.stderr).toMatch(/not known to Mesos .* Did you mean '9a1c0000-1111-4222-8333-444455556666-0003'/);
    expect(mutatingRequests(sim)).toEqual([]);
  });

  it('--framework-id takes only what is labelled with it', async () => {
    const OLD1 = '9a1c0000-1111-4222-8333-444455556666-0003';
    const others = snapshotWhere(sim, (resource) => !labelled(OLD1)(resource));
    const result = await run([
      'cleanup',
      '-r',
      'kafka-role',
      '-p',
      'kafka-principal',
      '--framework-id',
      OLD1,
      '--yes',
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(reservedWhere(sim.state, labelled(OLD1))).toEqual([]);
    expect(snapshotWhere(sim, (resource) => !labelled(OLD1)(resource))).toBe(others);
  });

  it('a principal that holds nothing in the role is exit 12 with the principals there', async () => {
    const result = await run(['cleanup', '-r', 'kafka-role', '-p', 'kafak-principal', '--yes']);
    expect(result.code).toBe(12);
    expect(result.stderr).toMatch(
      /Principal kafak-principal holds nothing in role kafka-role.* Did you mean 'kafka-principal'\?/,
    );
    expect(mutatingRequests(sim)).toEqual([]);
  });

  it('a -z node that does not exist, with nothing else given, is exit 12', async () => {
    const result = await run(['cleanup', '-z', 'dcos-service-kafak', '--yes']);
    expect(result.code).toBe(12);
    expect(mutatingRequests(sim)).toEqual([]);
  });
});

describe('times Mesos does not know', () => {
  it('unregistered_time 0 is unknown: a framework that re-registered a minute ago is not older than a day', async () => {
    const scenario = loadScenario('kafka-ui-destroyed');
    const kafka = scenario.frameworks.find((framework) => framework.name === 'kafka');
    if (!kafka) throw new Error('scenario changed');
    Object.assign(kafka, { unregisteredAgo: null, reregisteredAgo: 60 });
    sim = await SimCluster.start(parseScenario(scenario), { msPerRequest: 10 });
    const recent = JSON.parse((await run(['audit', '--json', '--older-than', '1d'])).stdout);
    expect(recent.findings.filter((finding: any) => finding.kind === 'orphaned-framework')).toEqual([]);
    expect(JSON.stringify(recent)).not.toMatch(/days/);
  });

  it('with only an old registration known, it says "age unknown" and --fix leaves it to the operator', async () => {
    const scenario = loadScenario('kafka-ui-destroyed');
    const kafka = scenario.frameworks.find((framework) => framework.name === 'kafka');
    if (!kafka) throw new Error('scenario changed');
    Object.assign(kafka, { unregisteredAgo: null, registeredAgo: 10 * 86400, tasks: [] });
    sim = await SimCluster.start(parseScenario(scenario), { msPerRequest: 10 });
    const audit = JSON.parse((await run(['audit', '--json', '--older-than', '1d'])).stdout);
    const finding = audit.findings.find((candidate: any) => candidate.kind === 'orphaned-framework');
    expect(finding.summary).toMatch(/age unknown; registered 10 days ago/);
    expect(finding).toMatchObject({ autoFix: false });
    expect(finding.manualBecause).toMatch(/unknown/);
  });
});

describe('the fix that runs is the fix that was shown', () => {
  it('every fix --fix ran, run by hand from its printed argv, sends the same changes', async () => {
    const options = { deploymentMs: 100, cosmosLoopMs: 100, msPerRequest: 20 };
    sim = await SimCluster.start('messy-cluster', options);
    const fixed = JSON.parse(
      (
        await runInProcess(['audit', '--fix', '--yes', '--json', '--poll-ms', '20'], {
          env: { DCOS_URL: sim.url, DCOS_JANITOR_GRACE: '0' },
        })
      ).stdout,
    );
    const ran = fixed.before.filter((finding: any) =>
      fixed.fixed.some((entry: any) =>
        entry.steps.some((step: any) => step.command === finding.fix?.command && step.result === 'done'),
      ),
    );
    expect(ran.length).toBeGreaterThan(3);
    const changes = (cluster: SimCluster) =>
      mutatingRequests(cluster)
        .filter((entry) => entry.url !== '/package/list')
        .map(
          (entry) =>
            `${entry.method} ${entry.url.split('?')[0]} ${entry.url.includes('forceComplete') ? '' : entry.body}`,
        )
        .sort();
    const viaFix = changes(sim);
    await sim.stop();

    sim = await SimCluster.start('messy-cluster', options);
    // By hand, in the order --fix runs them.
    for (const finding of [...ran].sort((a: any, b: any) => FIX_ORDER.indexOf(a.kind) - FIX_ORDER.indexOf(b.kind))) {
      const [dcos, janitor, ...args] = finding.fix.argv;
      expect([dcos, janitor]).toEqual(['dcos', 'janitor']);
      const byHand = await runInProcess(args[0] === 'uninstall' ? [...args, '--poll-ms', '20'] : args, {
        env: { DCOS_URL: sim.url, DCOS_JANITOR_GRACE: '0' },
      });
      expect([0, 3]).toContain(byHand.code);
    }
    expect(changes(sim)).toEqual(viaFix);
  });
});

describe('audit --fix on every shipped scenario', () => {
  /** What live services use: resources in use by a task, and the frameworks that live. */
  function liveState(cluster: SimCluster): string {
    const used = [...cluster.state.frameworks.values()].flatMap((framework) =>
      framework.tasks.map((task) => [framework.id, task.id, JSON.stringify(task.resources)]),
    );
    const live = [...cluster.state.frameworks.values()]
      .filter((framework) => framework.connected || framework.tasks.length > 0)
      .map((framework) => framework.id);
    return JSON.stringify({ used, live: live.sort() });
  }

  it.each(listScenarios())(
    '%s: nothing a live service uses is removed, and what it acted on is gone after one run',
    async (scenario) => {
      sim = await SimCluster.start(scenario, { deploymentMs: 100, cosmosLoopMs: 100, msPerRequest: 20 });
      const before = JSON.parse((await runInProcess(['audit', '--json'], { env: { DCOS_URL: sim.url } })).stdout);
      const liveBefore = liveState(sim);
      const uninstallingApps = [...sim.state.apps.values()]
        .filter((app) => app.env.SDK_UNINSTALL !== undefined)
        .map((app) => app.id.replace(/^\//, ''));
      const beforeUninstalling = [...sim.state.frameworks.values()]
        .filter((framework) => uninstallingApps.includes(framework.name.replace(/^\//, '')))
        .map((framework) => framework.id);
      const fixed = await runInProcess(['audit', '--fix', '--yes', '--json', '--poll-ms', '20'], {
        env: { DCOS_URL: sim.url, DCOS_JANITOR_GRACE: '0' },
      });
      expect([0, 3]).toContain(fixed.code);
      const result = JSON.parse(fixed.stdout);
      // Every automatic fix ran to its end; none is found again; what was left to the operator is untouched.
      expect(
        result.fixed.flatMap((entry: any) => entry.steps).filter((step: any) => step.result === 'refused'),
      ).toEqual([]);
      expect(result.findings.filter((finding: any) => finding.autoFix)).toEqual([]);
      const manual = before.findings
        .filter((finding: any) => finding.fix && !finding.autoFix)
        .map((finding: any) => finding.fix.command)
        .sort();
      expect(
        result.findings
          .filter((finding: any) => finding.fix)
          .map((finding: any) => finding.fix.command)
          .sort(),
      ).toEqual(manual);
      // What lives is what lived, minus the frameworks --fix tore down because nothing of them lived,
      // and the schedulers of uninstalls an operator had already started (SDK_UNINSTALL), which it finishes.
      const tornDown = new Set([
        ...result.before
          .filter((finding: any) => finding.kind === 'orphaned-framework' && finding.autoFix)
          .map((finding: any) => finding.evidence.frameworkId),
        ...beforeUninstalling,
      ]);
      const liveAfter = JSON.parse(liveState(sim));
      const expected = JSON.parse(liveBefore);
      expect(liveAfter.used).toEqual(expected.used.filter(([id]: string[]) => !tornDown.has(id)));
      expect(liveAfter.live).toEqual(expected.live.filter((id: string) => !tornDown.has(id)));
    },
  );
});

describe('an agent that is not registered', () => {
  it('is a warning to uninstall and cleanup, not a leftover, when the run never saw the target on it', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed', { deploymentMs: 100, msPerRequest: 10 });
    expect((await run(['teardown', '--service', 'kafka', '--yes', '--cleanup'])).code).toBe(0);
    sim.setAgentState('4f657f09-c73f-408f-8d9e-37228a0f1a8e-S4', 'recovered');
    const verify = await run(['uninstall', 'kafka', '--verify-only', '--json']);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout).verification).toEqual({
      clean: true,
      leftovers: [],
      unverifiableAgents: [{ id: '4f657f09-c73f-408f-8d9e-37228a0f1a8e-S4', hostname: '10.0.1.14' }],
    });
    const text = await run(['uninstall', 'kafka', '--verify-only']);
    expect(text.stdout).toMatch(
      /Verified: nothing of kafka is left on the cluster\.\nWarning: 1 agent is known to the master but not registered \(10\.0\.1\.14\)/,
    );
    const again = await run(['cleanup', '--service', 'kafka', '--yes']);
    expect(again.code).toBe(0);
  });
});

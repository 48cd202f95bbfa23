import { SimCluster } from '../src/sim/server';
import { runInTerminal } from './helpers/cli';
import { runInProcessAgainst } from './helpers/in-process';
import { mutatingRequests, reservedOf, volumesOf } from './helpers/cluster';

/** `dcos janitor teardown` end to end: the real binary against the simulated cluster. */

const KAFKA = '4f657f09-c73f-408f-8d9e-37228a0f1a8e-0003';
const HDFS = '4f657f09-c73f-408f-8d9e-37228a0f1a8e-0004';
const MARATHON = '4f657f09-c73f-408f-8d9e-37228a0f1a8e-0000';
const SIBLING = '7d1f0e2a-5b3c-4e8d-9f60-2a1b3c4d5e6f-0012';

let sim: SimCluster;
afterEach(async () => sim?.stop());

const registered = () => [...sim.state.frameworks.values()];
const completedIds = () => sim.state.completedFrameworks.map((framework) => framework.id);

describe('the Kafka destroyed from the UI', () => {
  beforeEach(async () => {
    sim = await SimCluster.start('kafka-ui-destroyed', { deploymentMs: 100, msPerRequest: 50 });
  });

  it('by service name: tears it down, its tasks end and free their resources, reservations stay and the cleanup line is given', async () => {
    const run = await runInProcessAgainst(sim.url, ['teardown', '--service', 'kafka', '--yes']);
    expect(run.code).toBe(0);
    expect(completedIds()).toContain(KAFKA);
    expect(registered().some((framework) => framework.id === KAFKA)).toBe(false);
    for (const agent of sim.state.agents.values())
      expect(sim.state.usedResources(agent.id).filter(({ framework }) => framework.id === KAFKA)).toEqual([]);
    expect(run.stdout).toMatch(/framework kafka \(4f657f09-c73f-408f-8d9e-37228a0f1a8e-0003\) torn down/);
    expect(run.stdout).toMatch(
      /Reservations of role kafka-role \(principal kafka-principal\) remain: 12 resources, 3 volumes, on 3 agents/,
    );
    expect(run.stdout).toMatch(/Clean them with: dcos janitor cleanup --service kafka --yes/);
    expect(reservedOf(sim, 'kafka-role').length).toBeGreaterThan(0);
    // The table says what the operator needs to recognise it.
    expect(run.stdout).toMatch(/Tasks:\s+3 \(3 TASK_RUNNING\)/);
    expect(run.stdout).toMatch(/Agents:\s+10\.0\.1\.11, 10\.0\.1\.12, 10\.0\.1\.13/);
  });

  it('by id; a second run finds it completed and counts that as done', async () => {
    const first = await runInProcessAgainst(sim.url, ['teardown', '--framework-id', KAFKA, '--yes']);
    expect(first.code).toBe(0);
    const second = await runInProcessAgainst(sim.url, ['teardown', '--framework-id', KAFKA, '--yes', '--json']);
    expect(second.code).toBe(0);
    const result = JSON.parse(second.stdout);
    expect(result.outcomes).toEqual([expect.objectContaining({ id: KAFKA, result: 'already-torn-down' })]);
    expect(sim.requestsTo('POST', '/mesos/master/teardown')).toHaveLength(1);
  });

  it("Mesos' 400 'No framework found' for a framework completed meanwhile counts as done", async () => {
    // Someone else tears it down between our read and our POST.
    sim.onRequest = (entry) => {
      if (entry.url === '/mesos/master/state-summary') sim.state.tearDown(KAFKA);
    };
    const run = await runInProcessAgainst(sim.url, ['teardown', '--framework-id', KAFKA, '--yes', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).outcomes[0].result).toBe('already-torn-down');
  });

  it('an unknown id is exit 12 with what to do, and nothing is sent', async () => {
    const run = await runInProcessAgainst(sim.url, ['teardown', '--framework-id', 'no-such-id', '--yes']);
    expect(run.code).toBe(12);
    expect(run.stderr).toMatch(/No framework with id no-such-id .*dcos janitor teardown' without a selector/);
    expect(mutatingRequests(sim)).toEqual([]);
  });

  it('an unknown service is exit 12 with a did-you-mean; --ignore-not-found makes it exit 0', async () => {
    const run = await runInProcessAgainst(sim.url, ['teardown', '--service', 'kafak', '--yes']);
    expect(run.code).toBe(12);
    expect(run.stderr).toMatch(/No framework of service 'kafak'.* Did you mean 'kafka'\?/);
    const ignored = await runInProcessAgainst(sim.url, [
      'teardown',
      '--service',
      'kafak',
      '--yes',
      '--ignore-not-found',
      '--json',
    ]);
    expect(ignored.code).toBe(0);
    expect(JSON.parse(ignored.stdout)).toMatchObject({ notFound: true, exitCode: 0 });
    expect(mutatingRequests(sim)).toEqual([]);
  });

  it('refuses DC/OS system frameworks unless --force-system', async () => {
    for (const args of [
      ['--framework-id', MARATHON],
      ['--service', 'metronome'],
    ]) {
      const run = await runInProcessAgainst(sim.url, ['teardown', ...args, '--yes']);
      expect(run.code).toBe(11);
      expect(run.stderr).toMatch(/Refusing to tear down DC\/OS system framework/);
    }
    expect(mutatingRequests(sim)).toEqual([]);
    const forced = await runInProcessAgainst(sim.url, [
      'teardown',
      '--framework-id',
      MARATHON,
      '--yes',
      '--force-system',
    ]);
    expect(forced.code).toBe(0);
    expect(completedIds()).toContain(MARATHON);
  });

  it('without a terminal and without --yes: exit 2, nothing changed', async () => {
    const run = await runInProcessAgainst(sim.url, ['teardown', '--service', 'kafka']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/standard input is not a terminal.*--yes/);
    expect(mutatingRequests(sim)).toEqual([]);
  });

  it('--dry-run changes nothing', async () => {
    const run = await runInProcessAgainst(sim.url, ['teardown', '--service', 'hdfs', '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Dry run: would remove Marathon app \/hdfs, tear down hdfs/);
    expect(mutatingRequests(sim)).toEqual([]);
  });

  it('no selector and no terminal: lists the orphaned frameworks (not the system ones) and changes nothing', async () => {
    const run = await runInProcessAgainst(sim.url, ['teardown', '--json']);
    expect(run.code).toBe(0);
    const { candidates } = JSON.parse(run.stdout);
    expect(candidates.map((view: { id: string }) => view.id)).toEqual([KAFKA]);
    expect(candidates[0].orphanReasons).toEqual(['inactive', 'no Marathon app launches it']);
    expect(mutatingRequests(sim)).toEqual([]);
    const withYes = await runInProcessAgainst(sim.url, ['teardown', '--yes']);
    expect(withYes.code).toBe(2);
    expect(withYes.stderr).toMatch(/--yes needs --framework-id or --service/);
  });

  it('in a terminal, no selector: pick from the orphaned ones, confirm, and it is torn down', async () => {
    const run = await runInTerminal(['teardown'], { DCOS_URL: sim.url }, [
      { prompt: /Tear down which frameworks\?/, answer: ' \r' },
      { prompt: /\(y\/N\)/, answer: 'y\r' },
    ]);
    expect(run.stdout).toMatch(/torn down/);
    expect(run.code).toBe(0);
    expect(completedIds()).toContain(KAFKA);
  });

  it('--timeout bounds the wait: exit 9 when the app removal does not finish in time', async () => {
    await sim.stop();
    // No request moves the simulated time: the app removal never finishes.
    sim = await SimCluster.start('kafka-ui-destroyed', { deploymentMs: 5000 });
    const run = await runInProcessAgainst(sim.url, ['teardown', '--service', 'hdfs', '--yes', '--timeout', '1']);
    expect(run.code).toBe(9);
    expect(run.stderr).toMatch(/Marathon app \/hdfs was still there when --timeout ran out/);
  });
});

describe('the Marathon app is stopped first', () => {
  beforeEach(async () => {
    sim = await SimCluster.start('kafka-ui-destroyed', { deploymentMs: 100, msPerRequest: 50 });
  });

  it('removes the app and waits for its deployment before the teardown; nothing is relaunched', async () => {
    const run = await runInProcessAgainst(sim.url, ['teardown', '--service', 'hdfs', '--yes']);
    expect(run.code).toBe(0);
    const sequence = sim.requests.map((entry) => `${entry.method} ${entry.url.split('?')[0]}`);
    const appDelete = sequence.indexOf('DELETE /service/marathon/v2/apps/hdfs');
    const appGone = sequence.findIndex(
      (line, index) =>
        index > appDelete && line === 'GET /service/marathon/v2/apps/hdfs' && sim.requests[index].status === 404,
    );
    const teardown = sequence.indexOf('POST /mesos/master/teardown');
    expect(appDelete).toBeGreaterThan(0);
    expect(appGone).toBeGreaterThan(appDelete);
    expect(teardown).toBeGreaterThan(appGone);
    expect(sim.requests[appDelete].url).toContain('force=true');
    sim.clock.advance(1000);
    expect(sim.state.apps.has('/hdfs')).toBe(false);
    expect(registered().filter((framework) => framework.name === 'hdfs')).toEqual([]);
    expect(run.stdout).toMatch(/Marathon app \/hdfs removed; framework hdfs .* torn down/);
  });

  it('with --keep-app, Marathon relaunches the scheduler, which crash-loops on "Framework has been removed"', async () => {
    const run = await runInProcessAgainst(sim.url, ['teardown', '--service', 'hdfs', '--yes', '--keep-app']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/--keep-app: Marathon app \/hdfs stays/);
    sim.clock.advance(1000);
    const app = (await (await fetch(`${sim.url}/service/marathon/v2/apps/hdfs`)).json()) as any;
    expect(app.app).toMatchObject({
      tasksRunning: 0,
      tasksStaged: 1,
      lastTaskFailure: { message: 'Framework has been removed' },
    });
    expect(completedIds()).toContain(HDFS);
  });

  it('with --keep-app and no stored framework id, the relaunched scheduler registers a new framework', async () => {
    sim.state.deleteZnodeRecursive('/dcos-service-hdfs');
    await runInProcessAgainst(sim.url, ['teardown', '--service', 'hdfs', '--yes', '--keep-app']);
    sim.clock.advance(1000);
    const relaunched = registered().filter((framework) => framework.name === 'hdfs');
    expect(relaunched).toHaveLength(1);
    expect(relaunched[0].id).not.toBe(HDFS);
    expect(relaunched[0]).toMatchObject({ active: true, connected: true });
  });

  it('a live framework needs the stronger confirmation: its name typed', async () => {
    const wrong = await runInTerminal(['teardown', '--service', 'hdfs'], { DCOS_URL: sim.url }, [
      { prompt: /Type hdfs to confirm/, answer: 'yes\r' },
    ]);
    expect(wrong.stdout).toMatch(/LIVE/);
    expect(wrong.code).toBe(8);
    expect(wrong.stdout).toMatch(
      /the confirmation did not match: typed 'yes', expected 'hdfs'\): nothing was changed\./,
    );
    expect(mutatingRequests(sim)).toEqual([]);
    const right = await runInTerminal(['teardown', '--service', 'hdfs'], { DCOS_URL: sim.url }, [
      { prompt: /Type hdfs to confirm/, answer: 'hdfs\r' },
    ]);
    expect(right.code).toBe(0);
    expect(completedIds()).toContain(HDFS);
  });
});

describe('foldered service names', () => {
  beforeEach(async () => {
    sim = await SimCluster.start('shared-role-siblings', { deploymentMs: 100, msPerRequest: 50 });
  });

  it.each(['/quota/hello-world-b', 'quota/hello-world-b'])('%s finds the framework and its app', async (name) => {
    const run = await runInProcessAgainst(sim.url, ['teardown', '--service', name, '--yes', '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.frameworks).toEqual([
      expect.objectContaining({
        id: SIBLING,
        name: '/quota/hello-world-b',
        app: expect.objectContaining({ id: '/quota/hello-world-b' }),
      }),
    ]);
    expect(result.outcomes[0]).toMatchObject({ appRemoved: '/quota/hello-world-b', result: 'torn-down' });
    expect(sim.requestsTo('DELETE', '/service/marathon/v2/apps/quota/hello-world-b')).toHaveLength(1);
    expect(completedIds()).toContain(SIBLING);
    // Its reservations are in the shared group role: the cleanup goes by the service's name, which takes only
    // what is proven its own (the group role comes from its framework), never the sibling's.
    expect(result.remainingReservations[0].cleanup).toBe('dcos janitor cleanup --service /quota/hello-world-b --yes');
  });

  it('a completed framework of the service is reported as already torn down', async () => {
    const run = await runInProcessAgainst(sim.url, ['teardown', '--service', '/quota/hello-world', '--yes', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).outcomes[0]).toMatchObject({
      id: '7d1f0e2a-5b3c-4e8d-9f60-2a1b3c4d5e6f-0011',
      result: 'already-torn-down',
    });
    expect(sim.requestsTo('POST', '/mesos/master/teardown')).toEqual([]);
  });
});

describe('done: Kafka destroyed from the UI fully handled by teardown then cleanup', () => {
  it('leaves no framework, task, reservation, volume or znode of Kafka, and no relaunched scheduler', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed', { deploymentMs: 100, msPerRequest: 50 });
    const teardown = await runInProcessAgainst(sim.url, ['teardown', '--service', 'kafka', '--yes']);
    expect(teardown.code).toBe(0);
    const cleanup = await runInProcessAgainst(sim.url, ['cleanup', '--service', 'kafka', '--yes']);
    expect(cleanup.code).toBe(0);
    sim.clock.advance(1000);

    expect(registered().filter((framework) => framework.name === 'kafka' || framework.role === 'kafka-role')).toEqual(
      [],
    );
    const kafkaTasks = registered()
      .flatMap((framework) => framework.tasks)
      .filter((task) => task.name.startsWith('kafka-'));
    expect(kafkaTasks).toEqual([]);
    expect(reservedOf(sim, 'kafka-role')).toEqual([]);
    expect(volumesOf(sim, 'kafka-principal')).toEqual([]);
    expect([...sim.state.znodes.keys()].filter((node) => node.includes('kafka'))).toEqual([]);
    expect([...sim.state.apps.keys()].filter((id) => id.includes('kafka'))).toEqual([]);
    // HDFS, beside it, is untouched and still running.
    expect(registered().find((framework) => framework.name === 'hdfs')).toMatchObject({ active: true });
    expect(reservedOf(sim, 'hdfs-role').length).toBeGreaterThan(0);
  });

  it('and in one command with --cleanup', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed', { deploymentMs: 100, msPerRequest: 50 });
    const run = await runInProcessAgainst(sim.url, ['teardown', '--service', 'kafka', '--yes', '--cleanup', '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.cleanups).toHaveLength(1);
    expect(result.cleanups[0].verification).toEqual({ clean: true, leftovers: [], unverifiableAgents: [] });
    expect(reservedOf(sim, 'kafka-role')).toEqual([]);
    expect(sim.state.znodes.has('/dcos-service-kafka')).toBe(false);
  });
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { HISTORY_KEEP, pruneHistory, redactArgv } from '../src/cli/history';
import { ShownCounts } from '../src/render/history';
import { loadScenario, Scenario } from '../src/sim/scenario';
import { SimCluster } from '../src/sim/server';
import { runCli } from './helpers/cli';
import { mutatingRequests, reservedOf } from './helpers/cluster';
import { runInProcess } from './helpers/in-process';

/**
 * The run history (docs/history.md): every run that sends a change leaves a record, written
 * as it goes; `history` and `history show` say what was sent, what the cluster answered and
 * what the read after the run showed, and that matches the simulator.
 */

const KAFKA = '4f657f09-c73f-408f-8d9e-37228a0f1a8e-0003';

let sim: SimCluster;
let historyDir: string;
beforeEach(() => {
  historyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'janitor-history-'));
});
afterEach(async () => {
  await sim?.stop();
  fs.rmSync(historyDir, { recursive: true, force: true });
});

const env = () => ({ DCOS_URL: sim.url, DCOS_JANITOR_HISTORY_DIR: historyDir });
const run = (args: string[]) => runInProcess(args, { env: env() });

interface ShownRun {
  command: string;
  state: string;
  exitCode: number | null;
  requests: Array<{ endpoint: string; status: number | null; body: Record<string, unknown> }>;
  sent: { accepted: Record<string, number>; refused: number; unanswered: number };
  shown: ShownCounts;
}

async function shown(id = 'last'): Promise<ShownRun> {
  const result = await run(['history', 'show', id, '--json']);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout).run as ShownRun;
}

/** The simulator's log of changes as the record names them: "POST /master/unreserve", without Admin Router's prefix. */
function simChanges(): string[] {
  return mutatingRequests(sim)
    .filter((entry) => entry.url !== '/package/list')
    .map((entry) => `${entry.method} ${entry.url.split('?')[0].replace(/^\/(mesos|service\/marathon|exhibitor)/, '')}`)
    .sort();
}

describe('history', () => {
  it('a successful run: every request and answer the simulator saw, and the counts of the read after it', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    expect((await run(['teardown', '--framework-id', KAFKA, '--yes'])).code).toBe(0);
    expect((await run(['cleanup', '--service', 'kafka', '--yes'])).code).toBe(0);

    const list = JSON.parse((await run(['history', '--json'])).stdout);
    expect(list.runs.map((entry: { command: string }) => entry.command)).toEqual(['cleanup', 'teardown']);
    expect(list.directory).toBe(historyDir);

    const cleanup = await shown();
    const teardown = await shown(list.runs[1].id);
    expect(cleanup).toMatchObject({ command: 'cleanup', state: 'finished', exitCode: 0 });
    expect([...teardown.requests, ...cleanup.requests].map((request) => request.endpoint).sort()).toEqual(simChanges());
    // The answers are the simulator's.
    const statuses = mutatingRequests(sim).map((entry) => entry.status);
    expect([...teardown.requests, ...cleanup.requests].map((request) => request.status).sort()).toEqual(
      statuses.sort(),
    );
    // Accepted counts are per resource; the shown ones come from the verification.
    const unreserved = sim
      .requestsTo('POST', '/mesos/master/unreserve')
      .reduce((sum, entry) => sum + JSON.parse(new URLSearchParams(entry.body).get('resources') ?? '[]').length, 0);
    expect(cleanup.sent.accepted).toMatchObject({ 'destroy-volumes': 3, unreserve: unreserved, 'delete-znode': 1 });
    expect(cleanup.shown).toMatchObject({
      verified: true,
      volumesDestroyed: 3,
      resourcesUnreserved: 12,
      znodesDeleted: 1,
      failed: 0,
    });
    expect(reservedOf(sim, 'kafka-role')).toEqual([]);

    const table = await runInProcess(['history'], { env: env(), terminalColumns: 80 });
    expect(table.stdout.split('\n').filter((line) => line.length > 80)).toEqual([]);
    expect(table.stdout).toMatch(/cleanup +127\.0\.0\.1:\d+ +\d+ accepted +0\n/);
    const text = await run(['history', 'show', 'last']);
    expect(text.stdout).toContain('POST /master/destroy-volumes (1 volume) -> 202');
    expect(text.stdout).toContain(
      'Shown by the read after the run: 3 volumes destroyed, 12 resources unreserved, 1 ZooKeeper node deleted, verified: nothing of the target left.',
    );
  });

  it('a failed run: the refusals as the cluster answered them, exit 3, not verified', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    expect((await run(['teardown', '--framework-id', KAFKA, '--yes'])).code).toBe(0);
    sim.addFault({ pathPrefix: '/mesos/master/unreserve', status: 409, body: 'resources in use', times: 1000 });
    const failed = await runInProcess(['cleanup', '--service', 'kafka', '--yes'], {
      env: { ...env(), DCOS_JANITOR_RETRY_BACKOFF_MS: '1' },
    });
    expect(failed.code).toBe(3);
    const record = await shown();
    expect(record).toMatchObject({ command: 'cleanup', exitCode: 3, state: 'finished' });
    const refusedBySim = mutatingRequests(sim).filter((entry) => entry.status === 409).length;
    expect(record.sent.refused).toBe(refusedBySim);
    expect(record.requests.filter((request) => request.status === 409)).toHaveLength(refusedBySim);
    expect(record.shown).toMatchObject({ verified: false, resourcesUnreserved: 0 });
    expect(record.shown.failed).toBeGreaterThan(0);
  });

  it('an interrupted run: a killed process leaves its record as far as it got; Ctrl-C ends it with exit 130', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    expect((await run(['teardown', '--framework-id', KAFKA, '--yes'])).code).toBe(0);
    // The first unreserve is applied and its answer held back: the run is surely under way when it is killed.
    sim.addFault({ pathPrefix: '/mesos/master/unreserve', effect: 'hang', times: 1 });
    const killed = await runCli(['cleanup', '--service', 'kafka', '--yes', '--concurrency', '1'], {
      env: env(),
      killWhen: () => sim.requestsTo('POST', '/mesos/master/unreserve').length >= 1,
    });
    expect(killed.code).toBeNull();
    const record = await shown();
    expect(record).toMatchObject({ command: 'cleanup', state: 'unfinished', exitCode: null });
    expect(record.sent.unanswered).toBe(1);
    // Every change the simulator received is in the record, with the simulator's answer.
    const received = mutatingRequests(sim)
      .filter((entry) => entry.url.startsWith('/mesos/master/') && !entry.url.endsWith('/teardown'))
      .map((entry) => entry.url.replace(/^\/mesos/, ''));
    expect(record.requests.map((request) => request.endpoint.replace(/^POST /, ''))).toEqual(received);
    expect(record.requests.map((request) => request.status)).toEqual([...received.slice(0, -1).map(() => 202), null]);

    sim.addFault({ pathPrefix: '/mesos/master/unreserve', effect: 'hang', times: 1 });
    const before = sim.requestsTo('POST', '/mesos/master/unreserve').length;
    const interrupted = await runCli(['cleanup', '--service', 'kafka', '--yes', '--concurrency', '1'], {
      env: env(),
      signal: 'SIGINT',
      killWhen: () => sim.requestsTo('POST', '/mesos/master/unreserve').length > before,
    });
    expect(interrupted.code).toBe(130);
    expect(await shown()).toMatchObject({ state: 'finished', exitCode: 130 });
  });

  it('runs that change nothing leave no record; secrets never reach one', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    sim.state.scenario.authToken = 'tok-never-recorded';
    const withToken = { ...env(), DCOS_ACS_TOKEN: 'tok-never-recorded' };
    await runInProcess(['cleanup', '--service', 'kafka', '--dry-run'], { env: withToken });
    await runInProcess(['audit'], { env: withToken });
    expect(fs.readdirSync(historyDir)).toEqual([]);
    expect((await runInProcess(['teardown', '--framework-id', KAFKA, '--yes'], { env: withToken })).code).toBe(0);
    const [file] = fs.readdirSync(historyDir);
    expect(fs.readFileSync(path.join(historyDir, file), 'utf8')).not.toContain('tok-never-recorded');
    expect(
      redactArgv(['cleanup', '--private-key', '/keys/ci.pem', '--token=abc', '-a', 'xyz', 'https://u:p@x']),
    ).toEqual(['cleanup', '--private-key', '<redacted>', '--token=<redacted>', '-a', '<redacted>', 'https://x']);
  });

  it("an app's own environment values never reach --json or a record", async () => {
    const scenario = JSON.parse(JSON.stringify(loadScenario('data-kafka-running'))) as Scenario;
    scenario.marathon.apps[0].env = { ...scenario.marathon.apps[0].env, KAFKA_ADMIN_PASSWORD: 'hunter2-in-env' };
    sim = await SimCluster.start(scenario);
    const blocked = await run(['cleanup', '--service', '/data/kafka', '--dry-run', '--json']);
    expect(blocked.code).toBe(11);
    expect(JSON.parse(blocked.stdout).plan.marathonApp.env).toMatchObject({ KAFKA_ADMIN_PASSWORD: '<redacted>' });
    expect(blocked.stdout).not.toContain('hunter2-in-env');
    // A run that changes something with the app still there: the record holds its plan.
    const kept = await run(['teardown', '--service', '/data/kafka', '--keep-app', '--cleanup', '--yes', '--json']);
    expect(kept.stdout).not.toContain('hunter2-in-env');
    const [file] = fs.readdirSync(historyDir);
    expect(fs.readFileSync(path.join(historyDir, file), 'utf8')).not.toContain('hunter2-in-env');
  });

  it('keeps the last runs only, and --clear forgets them', async () => {
    for (let index = 0; index < HISTORY_KEEP + 5; index++)
      fs.writeFileSync(path.join(historyDir, `20260101-000000-${String(index).padStart(4, '0')}.jsonl`), '');
    expect(pruneHistory(historyDir)).toBe(5);
    expect(fs.readdirSync(historyDir)).toHaveLength(HISTORY_KEEP);
    expect(fs.readdirSync(historyDir).sort()[0]).toBe('20260101-000000-0005.jsonl');
    const cleared = await runInProcess(['history', '--clear', '--json'], {
      env: { DCOS_JANITOR_HISTORY_DIR: historyDir },
    });
    expect(JSON.parse(cleared.stdout)).toMatchObject({ cleared: HISTORY_KEEP });
    expect(fs.readdirSync(historyDir)).toEqual([]);
    const none = await runInProcess(['history'], { env: { DCOS_JANITOR_HISTORY_DIR: historyDir } });
    expect(none.stdout).toContain('No run has changed a cluster yet');
    const unknown = await runInProcess(['history', 'show', 'nope'], { env: { DCOS_JANITOR_HISTORY_DIR: historyDir } });
    expect(unknown.code).toBe(12);
  });

  it('$DCOS_DIR/janitor/history by default; a directory that cannot be written falls back, said once', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const dcosDir = path.join(historyDir, 'dcos');
    const first = await runInProcess(['teardown', '--framework-id', KAFKA, '--yes', '--keep-app'], {
      env: { DCOS_URL: sim.url, DCOS_DIR: dcosDir, DCOS_JANITOR_HISTORY_DIR: undefined },
    });
    expect(first.code).toBe(0);
    expect(fs.readdirSync(path.join(dcosDir, 'janitor', 'history'))).toHaveLength(1);

    // DCOS_DIR under a file: not even root can make it.
    const blocker = path.join(historyDir, 'a-file');
    fs.writeFileSync(blocker, '');
    const state = path.join(historyDir, 'state');
    const second = await runInProcess(['cleanup', '--service', 'kafka', '--yes'], {
      env: {
        DCOS_URL: sim.url,
        DCOS_DIR: path.join(blocker, 'dcos'),
        XDG_STATE_HOME: state,
        DCOS_JANITOR_HISTORY_DIR: undefined,
      },
    });
    expect(second.code).toBe(0);
    expect(second.stderr.match(/cannot be written; this run's history goes to/g)).toHaveLength(1);
    expect(fs.readdirSync(path.join(state, 'dcos-janitor', 'history'))).toHaveLength(1);
  });
});

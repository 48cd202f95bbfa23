import { SimCluster } from '../src/sim/server';
import { runCli } from './helpers/cli';
import { runInProcessAgainst } from './helpers/in-process';
import { assertFollowsSchema } from './helpers/json-contract';

/**
 * `--json` is a contract: one document on every exit, of the command's published shape
 * (docs/json/), with `error` when there is one and what was done so far; the same keys in
 * every mode.
 */

let sim: SimCluster;
afterEach(async () => sim?.stop());

describe('--json on every exit', () => {
  beforeEach(async () => {
    sim = await SimCluster.start('kafka-ui-destroyed', { deploymentMs: 100, msPerRequest: 10 });
    await runInProcessAgainst(sim.url, ['teardown', '--service', 'kafka', '--yes']);
  });

  it('Exhibitor failing on the znode delete: the error and what Mesos accepted before it', async () => {
    sim.addFault({
      pathPrefix: '/exhibitor/exhibitor/v1/explorer/znode',
      method: 'DELETE',
      status: 500,
      body: 'boom',
      times: 100,
    });
    const run = await runInProcessAgainst(sim.url, ['cleanup', '--service', 'kafka', '--yes', '--json'], {
      DCOS_JANITOR_RETRIES: '1',
    });
    expect(run.code).toBe(5);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({
      command: 'cleanup',
      exitCode: 5,
      accepted: { volumes: 3, resources: 12, znodeDeleted: false },
      outcome: null,
      error: { kind: 'unreachable' },
    });
    expect(result.plan.totals).toMatchObject({ volumes: 3 });
  });

  it('a 503 on the re-read after the destroys: the destroys Mesos accepted are in the document', async () => {
    let destroyed = false;
    sim.onRequest = (entry) => {
      if (!destroyed && entry.url.startsWith('/mesos/master/destroy-volumes')) {
        destroyed = true;
        sim.addFault({ pathPrefix: '/mesos/master/slaves', status: 503, body: 'Service Unavailable', times: 100 });
      }
    };
    const run = await runInProcessAgainst(
      sim.url,
      ['cleanup', '--service', 'kafka', '--yes', '--json', '--concurrency', '1'],
      {
        DCOS_JANITOR_RETRIES: '1',
      },
    );
    expect(run.code).toBe(5);
    const result = JSON.parse(run.stdout);
    expect(result.accepted.volumes).toBeGreaterThanOrEqual(1);
    expect(result.error.kind).toBe('unreachable');
  });

  it('SIGTERM (a CI timeout) prints the document with the interruption, and what was accepted before it', async () => {
    // The unreserves never answer: the run is surely in the middle of them when the signal comes.
    sim.faults.rules.push({ pathPrefix: '/mesos/master/unreserve', effect: 'hang', times: 100 });
    const run = await runCli(['cleanup', '--service', 'kafka', '--yes', '--json'], {
      env: { DCOS_URL: sim.url },
      killWhen: () => sim.requestsTo('POST', '/mesos/master/unreserve').length > 0,
      signal: 'SIGTERM',
    });
    expect(run.code).toBe(130);
    const result = JSON.parse(run.stdout);
    assertFollowsSchema('cleanup', result);
    expect(result).toMatchObject({ command: 'cleanup', exitCode: 130, error: { kind: 'interrupted' } });
    expect(result.target.serviceName).toBe('kafka');
    expect(result.accepted.volumes).toBe(3);
  });

  it.each([
    [['cleanup', '--service', 'kafka', '--nope', '--json'], 'cleanup'],
    [['teardown', '--framework-id', '--json'], 'teardown'],
    [['audit', '--older-than', 'soon', '--json'], 'audit'],
    [['plan', 'show', '--json'], 'plan'],
  ])("a usage error: %j prints a document of the command's shape", async (args, schema) => {
    const run = await runInProcessAgainst(sim.url, args as string[]);
    expect(run.code).toBe(2);
    const result = JSON.parse(run.stdout);
    assertFollowsSchema(schema as string, result);
    expect(result).toMatchObject({ exitCode: 2, error: { kind: 'usage' } });
  });
});

describe('one contract per command', () => {
  it('teardown: the same keys in a dry run, a real run, and the list', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed', { deploymentMs: 100, msPerRequest: 10 });
    const keys = async (args: string[]) =>
      Object.keys(JSON.parse((await runInProcessAgainst(sim.url, args)).stdout)).sort();
    const list = await keys(['teardown', '--json']);
    const dry = await keys(['teardown', '--service', 'kafka', '--dry-run', '--json']);
    const real = await keys(['teardown', '--service', 'kafka', '--yes', '--json']);
    expect(dry).toEqual(real);
    expect(list).toEqual(real);
  });

  it('plan commands name themselves as typed, and plan list is a document, not a bare array', async () => {
    sim = await SimCluster.start('data-kafka-running', { msPerRequest: 10 });
    const list = JSON.parse((await runInProcessAgainst(sim.url, ['plan', 'list', '/data/kafka', '--json'])).stdout);
    expect(list).toMatchObject({
      schemaVersion: 1,
      command: 'plan list',
      service: '/data/kafka',
      plans: expect.arrayContaining(['deploy']),
    });
    const pause = JSON.parse(
      (await runInProcessAgainst(sim.url, ['plan', 'pause', '/data/kafka', 'deploy', '--json'])).stdout,
    );
    expect(pause.command).toBe('plan pause');
  });
});

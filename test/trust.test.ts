import { loadScenario } from '../src/sim/scenario';
import { SimCluster } from '../src/sim/server';
import { runCli, runInTerminal } from './helpers/cli';
import { runInProcess, runInProcessAgainst } from './helpers/in-process';
import { CASSANDRA_BY_NAMES, CASSANDRA_ROLE_AND_PRINCIPAL, mutatingRequests, reservedOf } from './helpers/cluster';

/**
 * Never claim what did not happen: each case here is one the tool once got wrong
 * (issue 9): a "Verified", a count or an exit 0 that the cluster did not show.
 */

let sim: SimCluster;
afterEach(async () => sim?.stop());

const CASSANDRA = ['cleanup', ...CASSANDRA_BY_NAMES, '--yes', '--json'];

describe('a name that matches nothing is exit 12, never "Verified"', () => {
  beforeEach(async () => {
    sim = await SimCluster.start('kafka-ui-destroyed', { deploymentMs: 100, msPerRequest: 50 });
  });

  it('cleanup --service kafak: exit 12 with "did you mean kafka", nothing sent', async () => {
    const run = await runInProcessAgainst(sim.url, ['cleanup', '--service', 'kafak', '--yes']);
    expect(run.code).toBe(12);
    expect(run.stderr).toMatch(/Nothing of service 'kafak' is on the cluster.*Did you mean 'kafka'\?/);
    expect(run.stdout).not.toMatch(/Verified/);
    expect(mutatingRequests(sim)).toEqual([]);
  });

  it('uninstall kafak: exit 12; --verify-only too; --ignore-not-found turns it into exit 0, said as such', async () => {
    const run = await runInProcessAgainst(sim.url, ['uninstall', 'kafak', '--yes']);
    expect(run.code).toBe(12);
    expect(run.stderr).toMatch(/Did you mean 'kafka'/);
    expect((await runInProcessAgainst(sim.url, ['uninstall', 'kafak', '--verify-only'])).code).toBe(12);
    const ignored = await runInProcessAgainst(sim.url, ['uninstall', 'kafak', '--yes', '--ignore-not-found', '--json']);
    expect(ignored.code).toBe(0);
    expect(JSON.parse(ignored.stdout)).toMatchObject({ notFound: true, exitCode: 0 });
    expect(mutatingRequests(sim)).toEqual([]);
  });

  it('cleanup --json of an unknown name reports the error as JSON too', async () => {
    const run = await runInProcessAgainst(sim.url, ['cleanup', '--service', 'hdsf', '--yes', '--json']);
    expect(run.code).toBe(12);
    expect(JSON.parse(run.stdout).error).toMatchObject({ kind: 'not-found', exitCode: 12, suggestions: ['hdfs'] });
    expect(run.stderr).toMatch(/Did you mean 'hdfs'/);
  });
});

describe('network truth', () => {
  beforeEach(async () => {
    sim = await SimCluster.start('cassandra-six-agents');
  });

  it('an answer cut mid-body is retried, for a read and for an operation (which the cluster applied)', async () => {
    sim.addFault({ pathPrefix: '/mesos/master/slaves', effect: 'cut', times: 1 });
    sim.addFault({ pathPrefix: '/mesos/master/unreserve', effect: 'cut', times: 1 });
    const run = await runInProcess(CASSANDRA, { env: { DCOS_URL: sim.url, DCOS_JANITOR_CONCURRENCY: '1' } });
    expect(run.stderr).not.toMatch(/stream has been aborted/);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.outcome).toMatchObject({
      volumesDestroyed: 3,
      resourcesUnreserved: 12,
      agentsTouched: 3,
      failures: [],
    });
    expect(result.verification.clean).toBe(true);
    expect(reservedOf(sim, 'cassandra_role')).toEqual([]);
  });

  it('an operation applied whose answer was lost: decided by re-reading the agent, no "Failed", counts as the cluster shows', async () => {
    sim.addFault({ pathPrefix: '/mesos/master/destroy-volumes', effect: 'lose-answer', times: 1 });
    sim.addFault({ pathPrefix: '/mesos/master/unreserve', effect: 'lose-answer', times: 2 });
    const run = await runInProcess(
      CASSANDRA.filter((arg) => arg !== '--json'),
      { env: { DCOS_URL: sim.url } },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/Failed/);
    expect(run.stdout).toMatch(/Destroyed 3 volumes and unreserved 12 resources on 3 agents/);
    expect(run.stdout).toMatch(/Verified/);
    // The retries were refused (the work was done): the agent was read again to tell.
    expect(sim.requests.filter((entry) => entry.status === 409 || entry.status === 400).length).toBeGreaterThan(0);
    expect(sim.requestsTo('GET', '/mesos/master/slaves').some((entry) => entry.url.includes('slave_id='))).toBe(true);
  });

  it('the same when the answer never comes and the client times out (DCOS_TIMEOUT)', async () => {
    sim.addFault({ pathPrefix: '/mesos/master/unreserve', effect: 'hang', times: 1 });
    const run = await runInProcess(CASSANDRA, {
      env: { DCOS_URL: sim.url, DCOS_TIMEOUT: '1', DCOS_JANITOR_CONCURRENCY: '1' },
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).outcome).toMatchObject({ resourcesUnreserved: 12, failures: [] });
  });

  it('counts come from the read after the act: a 202 for work the cluster did not keep is not counted', async () => {
    // Mesos applies an operation before its 202 (docs/reference/mesos.md §4); here one 202 comes
    // without the work (a fault), so the count is what the cluster shows, and the leftover is said.
    sim.addFault({ pathPrefix: '/mesos/master/unreserve', status: 202, body: '', times: 1 });
    const run = await runInProcess(CASSANDRA, { env: { DCOS_URL: sim.url, DCOS_JANITOR_CONCURRENCY: '1' } });
    expect(run.code).toBe(3);
    const result = JSON.parse(run.stdout);
    expect(result.outcome.resourcesUnreserved).toBe(8);
    expect(
      result.verification.leftovers.filter((leftover: { kind: string }) => leftover.kind === 'reservation'),
    ).toHaveLength(4);
  });
});

describe('fairness to the cluster', () => {
  it('at most --concurrency requests in flight, retries and re-reads included; connections kept alive', async () => {
    sim = await SimCluster.start('generated:60', { latencyMs: 2 });
    sim.addFault({ pathPrefix: '/mesos/master/unreserve', status: 503, body: 'No leader elected', times: 6 });
    sim.addFault({ pathPrefix: '/mesos/master/destroy-volumes', effect: 'lose-answer', times: 3 });
    const faulty = await runInProcess(['cleanup', '--service', 'bench', '--yes', '--json', '--concurrency', '4'], {
      env: { DCOS_URL: sim.url },
    });
    expect(faulty.code).toBe(0);
    // The plan's four reads go together (agents, frameworks, app, znode): 4 is also the bound here.
    expect(sim.maxConcurrentRequests).toBeLessThanOrEqual(4);

    await sim.stop();
    sim = await SimCluster.start('generated:60', { latencyMs: 2 });
    const clean = await runInProcess(['cleanup', '--service', 'bench', '--yes', '--json', '--concurrency', '4'], {
      env: { DCOS_URL: sim.url },
    });
    expect(clean.code).toBe(0);
    expect(sim.requests.length).toBeGreaterThan(90);
    // Every request of the run over at most 4 connections: reused, not one per request.
    expect(sim.connections.size).toBeLessThanOrEqual(4);
  });
});

describe('secrets in the cluster URL', () => {
  it('a user name and password in DCOS_URL are refused (exit 2), never printed, never sent', async () => {
    sim = await SimCluster.start({ ...loadScenario('cassandra-six-agents'), authToken: 'the-token' });
    const url = sim.url.replace('http://', 'http://admin:s3cret-pw@');
    const run = await runInProcess(['cleanup', '-z', 'cassandra', '--dry-run'], {
      env: { DCOS_URL: url, DCOS_ACS_TOKEN: 'the-token', DCOS_VERBOSITY: '2' },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/DCOS_URL carries a user name or password \('http:\/\/\*\*\*@127\.0\.0\.1:\d+'\)/);
    expect(run.stdout + run.stderr).not.toMatch(/s3cret-pw|admin:|the-token/);
    expect(sim.requests).toEqual([]);
  });
});

describe('plan show without Mesos', () => {
  beforeEach(async () => {
    sim = await SimCluster.start('data-kafka-running');
  });

  it('a token allowed only on the service (403 on /mesos/master/slaves): the tree, one note, exit 0', async () => {
    sim.addFault({ pathPrefix: '/mesos/master/slaves', status: 403, body: '<html>403 Forbidden</html>', times: 100 });
    const run = await runInProcessAgainst(sim.url, ['plan', 'show', '/data/kafka']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^deploy \(serial strategy\) \(IN_PROGRESS\)\n└─ broker/);
    expect(run.stderr.match(/stuck-step detection needs read access to \/mesos\/master\/slaves/g)).toHaveLength(1);
  });

  it('no Mesos route (404): the same; but --stuck cannot answer, and says why', async () => {
    sim.addFault({ pathPrefix: '/mesos/master/slaves', status: 404, times: 100 });
    expect((await runInProcessAgainst(sim.url, ['plan', 'show', '/data/kafka'])).code).toBe(0);
    const stuck = await runInProcessAgainst(sim.url, ['plan', 'show', '/data/kafka', '--stuck']);
    expect(stuck.code).toBe(7);
    expect(stuck.stderr).toMatch(/404/);
  });
});

describe('interrupts and timeouts speak', () => {
  beforeEach(async () => {
    sim = await SimCluster.start('cassandra-six-agents');
  });

  it('Ctrl-C during the changes: one line saying the cluster may be partly cleaned, exit 130; the same command finishes the job', async () => {
    // The second unreserve is applied but never answered: the run is mid-way when interrupted.
    let unreserves = 0;
    sim.onRequest = (entry) => {
      if (entry.url.startsWith('/mesos/master/unreserve') && ++unreserves === 1)
        sim.addFault({ pathPrefix: '/mesos/master/unreserve', effect: 'hang', times: 1 });
    };
    const run = await runCli(CASSANDRA, {
      env: { DCOS_URL: sim.url, DCOS_JANITOR_CONCURRENCY: '1' },
      killWhen: () => unreserves >= 2,
      signal: 'SIGINT',
    });
    expect(run.code).toBe(130);
    expect(run.stderr.trim().split('\n').at(-1)).toBe(
      'Interrupted: the cluster may be partly cleaned; run the same command again to finish.',
    );
    expect(reservedOf(sim, 'cassandra_role').length).toBeGreaterThan(0);

    sim.onRequest = undefined;
    const again = await runInProcess(CASSANDRA, { env: { DCOS_URL: sim.url } });
    expect(again.code).toBe(0);
    expect(reservedOf(sim, 'cassandra_role')).toEqual([]);
  });

  it('SIGTERM before any change: "nothing was changed", exit 130', async () => {
    sim.addFault({ pathPrefix: '/mesos/master/slaves', effect: 'hang', times: 1 });
    const run = await runCli(CASSANDRA, {
      env: { DCOS_URL: sim.url },
      killWhen: () => sim.requestsTo('GET', '/mesos/master/slaves').length > 0,
      signal: 'SIGTERM',
    });
    expect(run.code).toBe(130);
    expect(run.stderr).toMatch(/Interrupted: nothing was changed\.\n$/);
    expect(mutatingRequests(sim)).toEqual([]);
  });

  it('Ctrl-C at the prompt: "nothing was changed", exit 130', async () => {
    const run = await runInTerminal(['cleanup', ...CASSANDRA_ROLE_AND_PRINCIPAL], { DCOS_URL: sim.url }, [
      { prompt: /\(y\/N\)/, answer: '\u0003' },
    ]);
    expect(run.code).toBe(130);
    expect(run.stdout).toMatch(/Interrupted at the prompt: nothing was changed\./);
    expect(mutatingRequests(sim)).toEqual([]);
  });

  it('an invalid DCOS_TIMEOUT is exit 2, not a silent default', async () => {
    const run = await runInProcess(CASSANDRA, { env: { DCOS_URL: sim.url, DCOS_TIMEOUT: 'abc' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /DCOS_TIMEOUT is 'abc', not a number of seconds: set it to a positive number, e\.g\. DCOS_TIMEOUT=300/,
    );
    expect(sim.requests).toEqual([]);
  });
});

import * as fs from 'node:fs';
import * as path from 'node:path';

import { loadScenario, Scenario } from '../src/sim/scenario';
import { SimCluster } from '../src/sim/server';
import { runInProcessAgainst } from './helpers/in-process';

/** `dcos janitor plan ...` end to end against simulated SDK schedulers. */

let sim: SimCluster;
afterEach(async () => sim?.stop());

async function planBody(service: string, plan = 'deploy'): Promise<{ status: number; body: any }> {
  const response = await fetch(`${sim.url}/service/${service}/v1/plans/${plan}`);
  return { status: response.status, body: await response.json() };
}

/**
 * Move the simulated time on until the plan is in the awaited state (the documented state:
 * only gone agents' steps left); a state never reached within 60 s of simulated time is a bug.
 */
async function waitForPlan(service: string, ready: (body: any) => boolean): Promise<any> {
  for (let spent = 0; ; spent += 50) {
    const { body } = await planBody(service);
    if (ready(body)) return body;
    if (spent > 60_000) throw new Error(`plan never got ready: ${JSON.stringify(body.status)}`);
    sim.clock.advance(50);
  }
}

const unreserveDone = (count: number) => (body: any) =>
  body.phases
    .filter((phase: any) => phase.name.startsWith('unreserve-resources'))
    .flatMap((phase: any) => phase.steps)
    .filter((step: any) => step.status === 'COMPLETE').length === count;

/** The two `plan show deploy` outputs of the documentation's stuck Kafka uninstall, as the SDK CLI printed them (test/fixtures/SOURCES.md). */
function documentedTrees(): string[] {
  const documented = fs.readFileSync(
    path.join(__dirname, 'fixtures', 'docs-stuck-uninstall-plan-show-deploy.txt'),
    'utf8',
  );
  const trees: string[] = [];
  const lines = documented.split('\n');
  lines.forEach((line, index) => {
    if (line.trim() !== '$ dcos kafka --name=kafka plan show deploy') return;
    const tree: string[] = [];
    for (let next = index + 1; next < lines.length && lines[next].trim() !== ''; next++) tree.push(lines[next]);
    trees.push(tree.join('\n'));
  });
  return trees;
}

function scenarioWithSdk(sdkVersion: string, changes: (scenario: Scenario) => void = () => undefined): Scenario {
  const scenario = JSON.parse(JSON.stringify(loadScenario('kafka-uninstall-stuck'))) as Scenario;
  scenario.marathon.apps[0].scheduler = { ...scenario.marathon.apps[0].scheduler!, sdkVersion };
  changes(scenario);
  return scenario;
}

describe('the documented stuck uninstall: an uninstalling Kafka with three unreserve steps stuck on a gone agent (SDK < 0.52)', () => {
  beforeEach(async () => {
    sim = await SimCluster.start('kafka-uninstall-stuck');
    await waitForPlan('kafka', unreserveDone(5));
  });

  it("plan show prints the SDK CLI's tree line for line, and warns on stderr", async () => {
    const [before] = documentedTrees();
    expect(before.split('\n')).toHaveLength(16);
    const run = await runInProcessAgainst(sim.url, ['plan', 'show', 'kafka']);
    expect(run.code).toBe(0);
    expect(run.stdout.replace(/\n$/, '')).toBe(before);
    expect(run.stderr).toMatch(/3 unreserve steps can never finish/);
  });

  it('--stuck lists exactly the three steps of the gone agent, exit 10', async () => {
    const run = await runInProcessAgainst(sim.url, ['plan', 'show', 'kafka', '--stuck', '--json']);
    expect(run.code).toBe(10);
    const { stuck } = JSON.parse(run.stdout);
    expect(stuck.map((step: { step: string }) => step.step)).toEqual([
      'unreserve-402d51f5-6014-4ca3-bd13-324dae62b888',
      'unreserve-cb95e869-277f-48b9-954f-08c0d7a26bcf',
      'unreserve-5dd56b1d-4522-4bbd-88b5-de9fa0f181f2',
    ]);
    expect(
      stuck.every(
        (step: { phase: string; status: string }) => step.phase === 'unreserve-resources' && step.status === 'PENDING',
      ),
    ).toBe(true);
  });

  it('force-complete --stuck --yes forces exactly those, by name; the tree is the documented second one; the plan reaches COMPLETE', async () => {
    const [, after] = documentedTrees();
    // Hold the scheduler between two steps, to see the plan right after the force, as the documentation shows it.
    sim.schedulers.get('/kafka')!.stalled = true;
    const run = await runInProcessAgainst(sim.url, ['plan', 'force-complete', 'kafka', '--stuck', '--yes']);
    expect(run.code).toBe(0);
    const forced = sim.requestsTo('POST', '/service/kafka/v1/plans/deploy/forceComplete');
    expect(forced.map((entry) => new URL(entry.url, 'http://x').searchParams.get('step'))).toEqual([
      'unreserve-402d51f5-6014-4ca3-bd13-324dae62b888',
      'unreserve-cb95e869-277f-48b9-954f-08c0d7a26bcf',
      'unreserve-5dd56b1d-4522-4bbd-88b5-de9fa0f181f2',
    ]);
    expect(
      forced.every((entry) => new URL(entry.url, 'http://x').searchParams.get('phase') === 'unreserve-resources'),
    ).toBe(true);
    expect(run.stdout.slice(run.stdout.indexOf('deploy (')).replace(/\n$/, '')).toBe(after);
    expect((await runInProcessAgainst(sim.url, ['plan', 'show', 'kafka'])).stdout.replace(/\n$/, '')).toBe(after);

    sim.schedulers.get('/kafka')!.stalled = false;
    const done = await waitForPlan('kafka', (body) => body.status === 'COMPLETE');
    expect(done.phases.at(-1).steps[0]).toMatchObject({ name: 'deregister', status: 'COMPLETE' });
    expect((await planBody('kafka')).status).toBe(200);
    // Deregistration: the framework is torn down, ZooKeeper children gone but for lock.
    expect([...sim.state.frameworks.values()].some((framework) => framework.name === 'kafka')).toBe(false);
    expect([...sim.state.znodes.keys()].filter((node) => node.startsWith('/dcos-service-kafka/'))).toEqual([
      '/dcos-service-kafka/lock',
    ]);
  });

  it('force-complete --stuck needs --yes without a terminal', async () => {
    const run = await runInProcessAgainst(sim.url, ['plan', 'force-complete', 'kafka', '--stuck']);
    expect(run.code).toBe(2);
    expect(sim.requestsTo('POST', '/service/kafka/')).toEqual([]);
  });

  it('--json prints the scheduler body', async () => {
    const run = await runInProcessAgainst(sim.url, ['plan', 'show', 'kafka', '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({
      schemaVersion: 1,
      command: 'plan show',
      service: 'kafka',
      plan: 'deploy',
      exitCode: 0,
      error: null,
    });
    expect(result.body).toEqual((await planBody('kafka')).body);
  });

  it('a scheduler restart loses the force-complete overrides: the stuck steps come back, with new ids', async () => {
    const step = 'unreserve-402d51f5-6014-4ca3-bd13-324dae62b888';
    const forced = await runInProcessAgainst(sim.url, [
      'plan',
      'force-complete',
      'kafka',
      'deploy',
      'unreserve-resources',
      step,
      '--yes',
    ]);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(
      /"deploy" plan: step "unreserve-402d51f5-6014-4ca3-bd13-324dae62b888" in phase "unreserve-resources" has been forced to complete/,
    );
    const before = (await planBody('kafka')).body.phases[1].steps.find((item: any) => item.name === step);
    expect(before.status).toBe('COMPLETE');
    sim.startScheduler('/kafka');
    const after = (await planBody('kafka')).body.phases[1].steps.find((item: any) => item.name === step);
    expect(after.status).toBe('PENDING');
    expect(after.id).not.toBe(before.id);
    const stuck = JSON.parse(
      (await runInProcessAgainst(sim.url, ['plan', 'show', 'kafka', '--stuck', '--json'])).stdout,
    ).stuck;
    expect(stuck).toHaveLength(3);
  });

  it('refuses to force deregister unless --force', async () => {
    const run = await runInProcessAgainst(sim.url, [
      'plan',
      'force-complete',
      'kafka',
      'deploy',
      'deregister-service',
      '--yes',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Refusing to force deregister-service/);
    // The same phase and its step by UUID (the scheduler takes ids too): the same refusal, nothing forced.
    const plan = (await planBody('kafka')).body;
    const phase = plan.phases.find((item: any) => item.name === 'deregister-service');
    const forcesBefore = sim.requests.filter(
      (entry) => entry.method === 'POST' && entry.url.includes('forceComplete'),
    ).length;
    const byPhaseId = await runInProcessAgainst(sim.url, [
      'plan',
      'force-complete',
      'kafka',
      'deploy',
      phase.id,
      '--yes',
    ]);
    expect(byPhaseId.code).toBe(2);
    expect(byPhaseId.stderr).toMatch(/Refusing to force deregister-service \(/);
    const byStepId = await runInProcessAgainst(sim.url, [
      'plan',
      'force-complete',
      'kafka',
      'deploy',
      phase.id,
      phase.steps[0].id,
      '--yes',
    ]);
    expect(byStepId.code).toBe(2);
    expect(byStepId.stderr).toMatch(/Refusing to force deregister/);
    expect(sim.requests.filter((entry) => entry.method === 'POST' && entry.url.includes('forceComplete'))).toHaveLength(
      forcesBefore,
    );
    const whole = await runInProcessAgainst(sim.url, ['plan', 'force-complete', 'kafka', 'deploy', '--yes']);
    expect(whole.code).toBe(2);
    expect(whole.stderr).toMatch(/forcing a whole plan is never done/);
  });

  it('the legacy /v1/plan routes act on deploy', async () => {
    const legacy = await fetch(`${sim.url}/service/kafka/v1/plan`);
    expect(legacy.status).toBe(202);
    const answer = await fetch(
      `${sim.url}/service/kafka/v1/plan/forceComplete?phase=unreserve-resources&step=unreserve-402d51f5-6014-4ca3-bd13-324dae62b888`,
      { method: 'POST' },
    );
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as any).message).toBe(
      'Received cmd: forceComplete for Plan: deploy, Phase: unreserve-resources, Step: unreserve-402d51f5-6014-4ca3-bd13-324dae62b888',
    );
  });

  it('SDK < 0.50 answers 404 "Element not found", shown as a missing element (exit 2)', async () => {
    const run = await runInProcessAgainst(sim.url, ['plan', 'show', 'kafka', 'nope']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/answered "Element not found": the plan, phase or step does not exist/);
  });
});

describe('SDK >= 0.52: one unreserve phase per agent, dependency strategy', () => {
  beforeEach(async () => {
    sim = await SimCluster.start(scenarioWithSdk('0.52.0'));
    await waitForPlan('kafka', unreserveDone(5));
  });

  it('shows strategies, per-agent phases, PREPARED steps; --stuck names the gone agent; forcing them completes the plan', async () => {
    const show = await runInProcessAgainst(sim.url, ['plan', 'show', 'kafka']);
    expect(show.stdout.split('\n').slice(0, 2)).toEqual([
      'deploy (dependency strategy) (IN_PROGRESS)',
      '├─ kill-tasks (parallel strategy) (COMPLETE)',
    ]);
    expect(show.stdout).toMatch(
      /├─ unreserve-resources-10\.0\.1\.21 \(parallel strategy\) \(IN_PROGRESS\)\n│ {2}├─ unreserve-402d51f5-6014-4ca3-bd13-324dae62b888 \(PREPARED\)/,
    );
    expect(show.stdout).toMatch(
      /└─ deregister-service \(serial strategy\) \(PENDING\)\n {3}└─ deregister \(PENDING\)$/m,
    );

    const stuck = JSON.parse(
      (await runInProcessAgainst(sim.url, ['plan', 'show', 'kafka', '--stuck', '--json'])).stdout,
    ).stuck;
    expect(stuck.map((step: { phase: string }) => step.phase)).toEqual(Array(3).fill('unreserve-resources-10.0.1.21'));
    expect(stuck[0]).toMatchObject({ agentHostname: '10.0.1.21', reason: 'agent 10.0.1.21 is not registered (gone)' });

    const forced = await runInProcessAgainst(sim.url, [
      'plan',
      'force-complete',
      'kafka',
      '--stuck',
      '--yes',
      '--json',
    ]);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout).forced).toHaveLength(3);
    await waitForPlan('kafka', (body) => body.status === 'COMPLETE');
  });

  it('a whole gone-agent phase can be forced by name, and a second time is "already done" (208)', async () => {
    const first = await runInProcessAgainst(sim.url, [
      'plan',
      'force-complete',
      'kafka',
      'deploy',
      'unreserve-resources-10.0.1.21',
      '--yes',
      '--json',
    ]);
    expect(JSON.parse(first.stdout)).toMatchObject({ result: 'done', phase: 'unreserve-resources-10.0.1.21' });
    const second = await runInProcessAgainst(sim.url, [
      'plan',
      'force-complete',
      'kafka',
      'deploy',
      'unreserve-resources-10.0.1.21',
      '--yes',
    ]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/already done/);
  });

  it('a missing phase is the scheduler 404 (exit 2); a missing service is Admin Router 404 (exit 12)', async () => {
    const phase = await runInProcessAgainst(sim.url, ['plan', 'restart', 'kafka', 'deploy', 'no-such-phase']);
    expect(phase.code).toBe(2);
    expect(phase.stderr).toMatch(/"Phase no-such-phase not found"/);
    const service = await runInProcessAgainst(sim.url, ['plan', 'show', 'cassandra']);
    expect(service.code).toBe(12);
    expect(service.stderr).toMatch(/No running service 'cassandra' .*service not found/);
  });
});

describe('tls-cleanup in ERROR', () => {
  it('plan show shows the Errors block and exits 13; restarting the step lets the plan finish', async () => {
    sim = await SimCluster.start(
      scenarioWithSdk('0.58.0', (scenario) => (scenario.marathon.apps[0].scheduler!.tls = true)),
    );
    sim.schedulers.get('/kafka')!.tlsCleanupFails = true;
    await waitForPlan('kafka', unreserveDone(5));
    await runInProcessAgainst(sim.url, ['plan', 'force-complete', 'kafka', '--stuck', '--yes']);
    await waitForPlan('kafka', (body) => body.status === 'ERROR');
    const show = await runInProcessAgainst(sim.url, ['plan', 'show', 'kafka']);
    expect(show.code).toBe(13);
    expect(show.stdout).toMatch(/├─ tls-cleanup \(serial strategy\) \(ERROR\)\n│ {2}└─ tls-cleanup \(ERROR\)/);
    expect(show.stdout).toMatch(/\n\nErrors:\n- tls-cleanup: java\.io\.IOException: Unable to delete secrets\n?$/);
    sim.schedulers.get('/kafka')!.tlsCleanupFails = false;
    const restart = await runInProcessAgainst(sim.url, [
      'plan',
      'restart',
      'kafka',
      'deploy',
      'tls-cleanup',
      'tls-cleanup',
    ]);
    expect(restart.stdout).toMatch(/"deploy" plan: step "tls-cleanup" in phase "tls-cleanup" has been restarted\./);
    await waitForPlan('kafka', (body) => body.status === 'COMPLETE');
  });
});

describe('a healthy foldered service: /data/kafka (SDK 0.58)', () => {
  beforeEach(async () => {
    sim = await SimCluster.start('data-kafka-running');
  });

  it('plan list', async () => {
    const run = await runInProcessAgainst(sim.url, ['plan', 'list', '/data/kafka']);
    expect(run.stdout.trim().split('\n')).toEqual(['deploy', 'recovery', 'backup']);
    expect(sim.requestsTo('GET', '/service/data/kafka/v1/plans')).toHaveLength(1);
  });

  it('plan show --watch re-renders until COMPLETE', async () => {
    // Each poll of --watch moves the scheduler on by a few steps.
    sim.clock.msPerRequest = 200;
    const run = await runInProcessAgainst(sim.url, [
      'plan',
      'show',
      'data/kafka',
      'deploy',
      '--watch',
      '--interval',
      '1',
      '--timeout',
      '20',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Every 1 s: plan deploy of data\/kafka, read at \d\d:\d\d:\d\d UTC \(Ctrl-C to stop\)\n\ndeploy \(serial strategy\) \(IN_PROGRESS\)/,
    );
    expect(run.stdout).toMatch(
      /deploy \(serial strategy\) \(COMPLETE\)\n└─ broker \(serial strategy\) \(COMPLETE\)\n {3}├─ kafka-0:\[broker\] \(COMPLETE\)/,
    );
  });

  it('pause and resume, with 208 as "already done"', async () => {
    expect((await runInProcessAgainst(sim.url, ['plan', 'pause', '/data/kafka', 'deploy'])).stdout).toMatch(
      /^"deploy" plan has been paused\.$/m,
    );
    expect((await planBody('data/kafka')).body.status).toBe('WAITING');
    const again = await runInProcessAgainst(sim.url, ['plan', 'pause', '/data/kafka', 'deploy']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already done \(Command has already been reported or completed\)/);
    expect((await runInProcessAgainst(sim.url, ['plan', 'resume', '/data/kafka', 'deploy', 'broker'])).code).toBe(0);
    expect((await runInProcessAgainst(sim.url, ['plan', 'resume', '/data/kafka', 'deploy'])).stdout).toMatch(
      /^"deploy" plan has been resumed\./m,
    );
  });

  it('restart of a step whose name needs URL-encoding', async () => {
    const run = await runInProcessAgainst(sim.url, [
      'plan',
      'restart',
      '/data/kafka',
      'deploy',
      'broker',
      'kafka-0:[broker]',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/"deploy" plan: step "kafka-0:\[broker\]" in phase "broker" has been restarted\./);
    const [request] = sim.requestsTo('POST', '/service/data/kafka/v1/plans/deploy/restart');
    expect(request.url).toContain('step=kafka-0%3A%5Bbroker%5D');
    const step = (await planBody('data/kafka')).body.phases[0].steps[0];
    expect(['PENDING', 'PREPARED', 'STARTING', 'STARTED', 'COMPLETE']).toContain(step.status);
  });

  it('start (with parameters) and stop a sidecar plan; a bad parameter name is exit 2', async () => {
    expect((await planBody('data/kafka', 'backup')).body.status).toBe('WAITING');
    const start = await runInProcessAgainst(sim.url, [
      'plan',
      'start',
      '/data/kafka',
      'backup',
      '-p',
      'S3_BUCKET=my-bucket',
      '--json',
    ]);
    expect(JSON.parse(start.stdout)).toMatchObject({
      result: 'done',
      message: 'Received cmd: start backup with parameters: {"S3_BUCKET":"my-bucket"}',
    });
    const [request] = sim.requestsTo('POST', '/service/data/kafka/v1/plans/backup/start');
    expect(JSON.parse(request.body)).toEqual({ S3_BUCKET: 'my-bucket' });
    expect((await runInProcessAgainst(sim.url, ['plan', 'stop', '/data/kafka', 'backup'])).stdout).toMatch(
      /"backup" plan has been stopped\./,
    );
    const bad = await runInProcessAgainst(sim.url, ['plan', 'start', '/data/kafka', 'backup', '-p', '1BAD=x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/1BAD is not a valid environment variable name/);
  });

  it('force-complete of a phase needs confirmation; done, then 208', async () => {
    const refused = await runInProcessAgainst(sim.url, ['plan', 'force-complete', '/data/kafka', 'deploy', 'broker']);
    expect(refused.code).toBe(2);
    const done = await runInProcessAgainst(sim.url, [
      'plan',
      'force-complete',
      '/data/kafka',
      'deploy',
      'broker',
      '--yes',
    ]);
    expect(done.stdout).toMatch(/"deploy" plan: phase "broker" has been forced to complete\./);
    expect((await planBody('data/kafka')).status).toBe(200);
  });

  it('a step without a phase is 400 "Missing phase" from the scheduler', async () => {
    const response = await fetch(`${sim.url}/service/data/kafka/v1/plans/deploy/forceComplete?step=x`, {
      method: 'POST',
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toBe('Missing phase');
  });

  it('a stopped app is Admin Router 404: exit 12', async () => {
    sim.state.apps.get('/data/kafka')!.tasksRunning = 0;
    const run = await runInProcessAgainst(sim.url, ['plan', 'list', '/data/kafka']);
    expect(run.code).toBe(12);
  });
});

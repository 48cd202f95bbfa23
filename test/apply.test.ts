import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import Ajv from 'ajv';

import { SimCluster } from '../src/sim/server';
import { SimResource } from '../src/sim/resources';
import { listScenarios, loadScenario, Scenario } from '../src/sim/scenario';
import { MesosResource } from '../src/clients/mesos-schemas';
import { resourceKey } from '../src/domain/resources';
import { PlannedOperation, SavedPlan } from '../src/domain/saved-plan';
import { runCli } from './helpers/cli';
import { mutatingRequests, reservedOf } from './helpers/cluster';
import { runInProcess, runInProcessAgainst } from './helpers/in-process';

/**
 * Reviewed changes (docs/plan-files.md): a dry run saves its plan with --out; `apply` applies
 * exactly it, counts what is already done, and refuses drift (exit 14), another cluster and a
 * plan too old (exit 11) without sending anything. All against the simulator over real HTTP.
 */

const KAFKA = '4f657f09-c73f-408f-8d9e-37228a0f1a8e-0003';
const AGENT_1 = '4f657f09-c73f-408f-8d9e-37228a0f1a8e-S1';

let sim: SimCluster;
let dir: string;
afterEach(async () => {
  await sim?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function workDir(): string {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'janitor-apply-'));
  return dir;
}

/** The dry run whose plan most tests apply: Kafka's framework torn down, then its leftovers cleaned. */
const TEARDOWN_PLAN = ['teardown', '--service', 'kafka', '--cleanup', '--dry-run', '--out'];

const readPlan = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as SavedPlan;

/** Saves the plan of `teardown --service kafka --cleanup` on kafka-ui-destroyed. */
async function savedTeardownPlan(): Promise<string> {
  const file = path.join(workDir(), 'plan.json');
  const dry = await runInProcessAgainst(sim.url, [...TEARDOWN_PLAN, file]);
  expect(dry.code).toBe(0);
  expect(dry.stdout).toContain(`Plan saved to ${file} (1 step, 17 operations)`);
  expect(mutatingRequests(sim)).toEqual([]);
  return file;
}

/** Tears kafka down first (no cleanup), then saves the plan of `cleanup --service kafka`. */
async function savedCleanupPlan(): Promise<string> {
  expect((await runInProcessAgainst(sim.url, ['teardown', '--framework-id', KAFKA, '--yes'])).code).toBe(0);
  const file = path.join(workDir(), 'plan.json');
  const dry = await runInProcessAgainst(sim.url, [
    'cleanup',
    '--service',
    'kafka',
    '--dry-run',
    '--out',
    file,
    '--json',
  ]);
  expect(dry.code).toBe(0);
  expect(JSON.parse(dry.stdout).savedPlan).toBe(file);
  return file;
}

const mutationsSince = (count: number) => mutatingRequests(sim).slice(count);

/** Where a resource operation acts: its agent and the resource's key. */
function placeOf(operation: PlannedOperation): string {
  return `${operation.agentId} ${operation.key}`;
}

/** Every reserved resource the simulator's Mesos lists, by agent and key, read over HTTP as any client would. */
async function reservedBySimulator(): Promise<Set<string>> {
  const slaves = (await (await fetch(`${sim.url}/mesos/master/slaves`)).json()) as {
    slaves: Array<{ id: string; reserved_resources_full?: Record<string, MesosResource[]> }>;
  };
  return new Set(
    slaves.slaves.flatMap((agent) =>
      Object.values(agent.reserved_resources_full ?? {})
        .flat()
        .map((resource) => `${agent.id} ${resourceKey(resource)}`),
    ),
  );
}

/** A task of another framework (Marathon's) starts on AGENT_1 using kafka's reserved `name`. */
function occupy(name: string): void {
  const reserved = sim.state.agents
    .get(AGENT_1)!
    .total.find((resource) => resource.name === name && resource.reservations.length > 0)!;
  const marathon = [...sim.state.frameworks.values()].find((framework) => framework.name === 'marathon')!;
  marathon.tasks.push({
    id: 'squatter',
    name: 'squatter',
    frameworkId: marathon.id,
    agentId: AGENT_1,
    state: 'TASK_RUNNING',
    resources: [JSON.parse(JSON.stringify(reserved))],
  });
}

/** A reservation of kafka's role and principal the plan never saw. */
function lateReservation(): SimResource {
  return {
    name: 'cpus',
    type: 'SCALAR',
    scalar: 0.25,
    reservations: [
      {
        type: 'DYNAMIC',
        role: 'kafka-role',
        principal: 'kafka-principal',
        labels: [{ key: 'resource_id', value: 'late-resource' }],
      },
    ],
  } as SimResource;
}

describe('apply: the cluster as planned', () => {
  it('applies exactly the saved operations, verifies from a fresh read, exit 0', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const file = await savedTeardownPlan();
    const plan = readPlan(file);
    const hdfsBefore = JSON.stringify(reservedOf(sim, 'hdfs-role'));

    const run = await runInProcessAgainst(sim.url, ['apply', file, '--yes', '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({
      command: 'apply',
      exitCode: 0,
      verified: true,
      remaining: 0,
      drift: [],
      cluster: { url: sim.url, id: 'sim-kafka-ui-destroyed' },
      applied: { teardown: 1, 'destroy-volume': 3, unreserve: 12, 'delete-znode': 1, 'remove-app': 0 },
      alreadyDone: { teardown: 0, 'destroy-volume': 0, unreserve: 0 },
      steps: [{ index: 0, before: { done: 0, pending: 17 }, result: 'done', after: { done: 17, pending: 0 } }],
    });
    // What the simulator shows: kafka completed, nothing of its role left, znode gone, hdfs untouched.
    expect(sim.state.frameworks.has(KAFKA)).toBe(false);
    expect(reservedOf(sim, 'kafka-role')).toEqual([]);
    expect(sim.state.znodes.has('/dcos-service-kafka')).toBe(false);
    expect(JSON.stringify(reservedOf(sim, 'hdfs-role'))).toBe(hdfsBefore);
    // Every volume destroyed is one the plan named.
    const planned = new Set(plan.steps[0].operations.filter((op) => op.op === 'destroy-volume').map((op) => op.key));
    const destroyed = sim
      .requestsTo('POST', '/mesos/master/destroy-volumes')
      .flatMap((entry) => JSON.parse(new URLSearchParams(entry.body).get('volumes') ?? '[]'))
      .map((volume: { disk: { persistence: { id: string } } }) => `volume:${volume.disk.persistence.id}`);
    expect(destroyed.sort()).toEqual([...planned].sort());
  });

  it('a resource reserved after the comparison is never sent: only the plan is applied, the rest named', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const file = await savedTeardownPlan();
    // Right after apply's comparison, as its first change lands, the service reserves one more cpu.
    sim.onRequest = (entry) => {
      if (entry.method !== 'POST' || !entry.url.startsWith('/mesos/master/teardown')) return;
      sim.onRequest = undefined;
      sim.state.agents.get(AGENT_1)!.total.push(lateReservation());
    };
    const run = await runInProcessAgainst(sim.url, ['apply', file, '--yes', '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ verified: true, remaining: 0, applied: { unreserve: 12 } });
    expect(result.notInPlan).toEqual([expect.objectContaining({ kind: 'new-resource' })]);
    const sent = sim.requestsTo('POST', '/mesos/master/unreserve').map((entry) => entry.body);
    expect(sent.some((body) => body.includes('late-resource'))).toBe(false);
    expect(reservedOf(sim, 'kafka-role').map(({ resource }) => resource.reservations[0].labels)).toEqual([
      [{ key: 'resource_id', value: 'late-resource' }],
    ]);
    expect(run.stderr).toMatch(/since the plan, the cluster shows what it did not plan \(left alone\)/);
    // Applied again, the new reservation is drift: a new plan must be reviewed for it.
    expect((await runInProcessAgainst(sim.url, ['apply', file, '--yes'])).code).toBe(14);
  });

  it('a planned resource a task takes during the run is not done: exit 3, named', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const file = await savedCleanupPlan();
    // As the first volume is destroyed, a task of another framework starts on kafka's reserved memory.
    sim.onRequest = (entry) => {
      if (entry.method !== 'POST' || !entry.url.startsWith('/mesos/master/destroy-volumes')) return;
      sim.onRequest = undefined;
      occupy('mem');
    };
    const run = await runInProcessAgainst(sim.url, ['apply', file, '--yes', '--json', '--concurrency', '1']);
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject({ verified: false, remaining: 1, notInPlan: [] });
    expect(run.stderr).toMatch(
      /Not done: mem 2304 MB .* on 10\.0\.1\.11 is still there, and not taken now: in use by a task/,
    );
  });

  it('a plan whose operations are partly done counts them as done and applies the rest', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const file = await savedTeardownPlan();
    // Someone tore the framework down meanwhile (the cleanup not yet done).
    expect((await runInProcessAgainst(sim.url, ['teardown', '--framework-id', KAFKA, '--yes'])).code).toBe(0);
    const run = await runInProcessAgainst(sim.url, ['apply', file, '--yes', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      verified: true,
      alreadyDone: { teardown: 1 },
      applied: { teardown: 0, 'destroy-volume': 3, unreserve: 12, 'delete-znode': 1 },
      steps: [{ before: { done: 1, pending: 16 } }],
    });
    expect(reservedOf(sim, 'kafka-role')).toEqual([]);
    expect(sim.requestsTo('POST', '/mesos/master/teardown')).toHaveLength(1);

    // Applied again: everything is done, nothing is sent, still exit 0 from a fresh read.
    const before = mutatingRequests(sim).length;
    const again = await runInProcessAgainst(sim.url, ['apply', file, '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Everything in the plan was already done; nothing was sent.');
    expect(mutationsSince(before)).toEqual([]);
  });

  it('a framework Mesos has forgotten (a leader change): its saved cleanup is still applied', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const file = await savedTeardownPlan();
    expect(readPlan(file).steps[0].cleanupRequest).toEqual({
      service: 'kafka',
      roles: [],
      frameworkIds: [],
      includeUnlabeled: false,
    });
    expect((await runInProcessAgainst(sim.url, ['teardown', '--framework-id', KAFKA, '--yes'])).code).toBe(0);
    sim.state.completedFrameworks.splice(0, sim.state.completedFrameworks.length);
    const run = await runInProcessAgainst(sim.url, ['apply', file, '--yes', '--json']);
    expect(JSON.parse(run.stdout)).toMatchObject({
      verified: true,
      alreadyDone: { teardown: 1 },
      applied: { unreserve: 12 },
    });
    expect(run.code).toBe(0);
    expect(reservedOf(sim, 'kafka-role')).toEqual([]);
    expect(sim.state.znodes.has('/dcos-service-kafka')).toBe(false);
  });

  it('an apply killed part-way is finished by applying the same plan again', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const file = await savedTeardownPlan();
    // The first unreserve is applied and its answer held back: the process is killed while it waits.
    sim.addFault({ pathPrefix: '/mesos/master/unreserve', effect: 'hang', times: 1 });
    const killed = await runCli(['apply', file, '--yes', '--concurrency', '1'], {
      env: { DCOS_URL: sim.url },
      killWhen: () => sim.requestsTo('POST', '/mesos/master/unreserve').length >= 1,
    });
    expect(killed.code).toBeNull();
    expect(reservedOf(sim, 'kafka-role')).not.toEqual([]);
    const again = await runInProcessAgainst(sim.url, ['apply', file, '--yes', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      verified: true,
      drift: [],
      alreadyDone: { teardown: 1, 'destroy-volume': 3 },
    });
    expect(reservedOf(sim, 'kafka-role')).toEqual([]);
    expect(sim.state.znodes.has('/dcos-service-kafka')).toBe(false);
  });

  it('--dry-run compares and sends nothing; without --yes and no terminal it is exit 2', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const file = await savedTeardownPlan();
    const dry = await runInProcessAgainst(sim.url, ['apply', file, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Dry run: the plan holds; 17 operations would be applied. Nothing was changed.');
    const noYes = await runInProcessAgainst(sim.url, ['apply', file]);
    expect(noYes.code).toBe(2);
    expect(mutatingRequests(sim)).toEqual([]);
  });

  it('in a terminal, a live framework is confirmed by typing its name, as teardown does', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    // A live one: its scheduler connected and tasks running (the plan saw it so).
    const framework = sim.state.frameworks.get(KAFKA)!;
    framework.connected = true;
    framework.active = true;
    const file = await savedTeardownPlan();
    const declined = await runInProcess(['apply', file], { env: { DCOS_URL: sim.url }, answers: ['hdfs'] });
    expect(declined.code).toBe(8);
    expect(declined.prompts[0]).toMatch(/Type kafka to confirm:$/);
    expect(mutatingRequests(sim)).toEqual([]);
    const typed = await runInProcess(['apply', file], { env: { DCOS_URL: sim.url }, answers: ['kafka'] });
    expect(typed.code).toBe(0);
    expect(reservedOf(sim, 'kafka-role')).toEqual([]);
  });
});

describe('apply: drift sends nothing, exit 14', () => {
  const expectDrift = async (file: string, kind: string, detail: RegExp) => {
    const before = mutatingRequests(sim).length;
    const run = await runInProcessAgainst(sim.url, ['apply', file, '--yes', '--json']);
    expect(run.code).toBe(14);
    const result = JSON.parse(run.stdout);
    expect(result.error).toMatchObject({ kind: 'drift', exitCode: 14 });
    expect(result.drift).toEqual(expect.arrayContaining([expect.objectContaining({ kind })]));
    expect(result.drift.map((item: { detail: string }) => item.detail).join('\n')).toMatch(detail);
    expect(mutationsSince(before)).toEqual([]);
    // The text report says what differs.
    const text = await runInProcessAgainst(sim.url, ['apply', file, '--yes']);
    expect(text.code).toBe(14);
    expect(text.stdout).toMatch(/Drift: the cluster is not what the plan saw/);
    expect(text.stderr).toMatch(/nothing was sent/);
  };

  it('a new resource of the target that the plan did not see', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const file = await savedCleanupPlan();
    // The same service reserves one more cpu on an agent (a new resource_id).
    const agent = sim.state.agents.get(AGENT_1)!;
    const cpus = agent.total.find((resource) => resource.name === 'cpus' && resource.reservations.length > 0)!;
    const extra = JSON.parse(JSON.stringify(cpus)) as SimResource;
    extra.scalar = 0.5;
    extra.reservations[0].labels = [{ key: 'resource_id', value: 'new-resource-id' }];
    agent.total.push(extra);
    await expectDrift(
      file,
      'new-resource',
      /holds cpus 0\.5 \[new-resource-id\] in role kafka-role, which the plan did not see/,
    );
  });

  it('a framework that became connected again', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const file = await savedTeardownPlan();
    sim.state.frameworks.get(KAFKA)!.connected = true;
    await expectDrift(file, 'framework-connected', /its scheduler connected again/);
  });

  it('an app that appeared (Marathon would relaunch the scheduler)', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const file = await savedCleanupPlan();
    const hdfs = sim.state.apps.get('/hdfs')!;
    sim.state.apps.set('/kafka', { ...hdfs, id: '/kafka', schedulerFrameworkId: undefined, schedulerSpec: undefined });
    await expectDrift(file, 'app-appeared', /Marathon app \/kafka/);
  });

  it('tasks now using a planned resource', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const file = await savedCleanupPlan();
    occupy('mem');
    await expectDrift(file, 'in-use', /in use by running tasks/);
    // The planned resource is still there: not "already done".
    await expectDrift(
      file,
      'not-selected',
      /mem 2304 MB .* on 10\.0\.1\.11 is still there, and not taken now: in use by a task/,
    );
  });

  it("tasks now using a resource a teardown's plan saw free", async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    // Kafka's brokers are gone: its reservations are free when the plan is made.
    sim.state.frameworks.get(KAFKA)!.tasks.splice(0);
    const file = await savedTeardownPlan();
    expect(readPlan(file).steps[0].operations.some((operation) => operation.inUse)).toBe(false);
    occupy('cpus');
    await expectDrift(file, 'in-use', /a task now uses cpus 1 .* in role kafka-role on 10\.0\.1\.11/);
  });

  it('a target that resolves otherwise (a role the plan did not know)', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const file = await savedCleanupPlan();
    expect(readPlan(file).steps[0].facts.target).toMatchObject({ serviceName: 'kafka', roles: ['kafka-role'] });
    // Mesos now reports the completed framework with a second role.
    const completed = sim.state.completedFrameworks.find((framework) => framework.id === KAFKA)!;
    completed.roles = ['kafka-role', 'kafka-extra-role'];
    completed.role = undefined;
    await expectDrift(file, 'target-changed', /role kafka-role, kafka-extra-role .* now, not kafka-role/);
  });

  it('an agent that left', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const file = await savedTeardownPlan();
    sim.setAgentState(AGENT_1, 'gone');
    await expectDrift(file, 'agent-left', /is no longer registered/);
  });
});

describe('apply: refused, nothing sent, exit 11', () => {
  it('another cluster: Admin Router names another CLUSTER_ID at the same URL', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const file = await savedTeardownPlan();
    sim.clusterId = 'another-cluster';
    const run = await runInProcessAgainst(sim.url, ['apply', file, '--yes', '--json']);
    expect(run.code).toBe(11);
    expect(JSON.parse(run.stdout).error).toMatchObject({ kind: 'plan-refused' });
    expect(run.stderr).toMatch(/made for cluster sim-kafka-ui-destroyed .* this is cluster another-cluster/);
    expect(mutatingRequests(sim)).toEqual([]);
  });

  it('another cluster: a plan made at another URL (no cluster id to compare)', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const file = await savedTeardownPlan();
    const plan = readPlan(file);
    fs.writeFileSync(file, JSON.stringify({ ...plan, cluster: { url: 'https://prod.example.com', id: null } }));
    const run = await runInProcessAgainst(sim.url, ['apply', file, '--yes']);
    expect(run.code).toBe(11);
    expect(run.stderr).toMatch(/made for https:\/\/prod\.example\.com, and this run talks to http:\/\/127\.0\.0\.1/);
    expect(mutatingRequests(sim)).toEqual([]);
  });

  it('too old for --max-age (24 h by default); a larger --max-age takes it', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const file = await savedTeardownPlan();
    const plan = readPlan(file);
    const dayAndHourAgo = new Date(Date.now() - 25 * 3600_000).toISOString();
    fs.writeFileSync(file, JSON.stringify({ ...plan, createdAt: dayAndHourAgo }));
    const old = await runInProcessAgainst(sim.url, ['apply', file, '--yes']);
    expect(old.code).toBe(11);
    expect(old.stderr).toMatch(/The plan is 25 hours old, older than --max-age 24h/);
    expect(mutatingRequests(sim)).toEqual([]);
    const allowed = await runInProcessAgainst(sim.url, ['apply', file, '--dry-run', '--max-age', '2d']);
    expect(allowed.code).toBe(0);
    const badAge = await runInProcessAgainst(sim.url, ['apply', file, '--max-age', 'soon']);
    expect(badAge.code).toBe(2);
  });

  it("a plan changed by hand to take another service's reservation", async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const file = await savedTeardownPlan();
    const plan = readPlan(file);
    const [hdfs] = reservedOf(sim, 'hdfs-role');
    const resource = JSON.parse(JSON.stringify(hdfs.resource));
    plan.steps[0].operations.push({ ...plan.steps[0].operations[1], agentId: hdfs.agentId, resource });
    fs.writeFileSync(file, JSON.stringify(plan));
    const run = await runInProcessAgainst(sim.url, ['apply', file, '--yes']);
    expect(run.code).toBe(11);
    expect(run.stderr).toMatch(
      /which is not of its target .* the plan was changed after its dry run; nothing was sent/,
    );
    expect(mutatingRequests(sim)).toEqual([]);
  });

  it('a file that is not a plan, or of a newer format: a clear error', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const file = path.join(workDir(), 'other.json');
    fs.writeFileSync(file, '{"hello": 1}');
    expect((await runInProcessAgainst(sim.url, ['apply', file])).stderr).toMatch(/is not a dcos-janitor plan/);
    fs.writeFileSync(file, JSON.stringify({ format: 'dcos-janitor-plan', formatVersion: 2 }));
    const newer = await runInProcessAgainst(sim.url, ['apply', file]);
    expect(newer.code).toBe(11);
    expect(newer.stderr).toMatch(/newer than this dcos-janitor reads/);
    const missing = await runInProcessAgainst(sim.url, ['apply', path.join(dir, 'none.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Cannot read the plan .*ENOENT/);
  });
});

describe('apply: an uninstall through Cosmos and the SDK plan', () => {
  it('the plan names the package and what the scheduler releases; applied, then verified', async () => {
    const scenario = JSON.parse(JSON.stringify(loadScenario('data-kafka-running'))) as Scenario;
    scenario.marathon.apps[0].scheduler!.stepMs = 40;
    sim = await SimCluster.start(scenario, { deploymentMs: 120, cosmosLoopMs: 120, msPerRequest: 40 });
    const file = path.join(workDir(), 'plan.json');
    const dry = await runInProcessAgainst(sim.url, ['uninstall', '/data/kafka', '--dry-run', '--out', file]);
    expect(dry.code).toBe(0);
    const [step] = readPlan(file).steps;
    expect(step.action).toEqual({ kind: 'uninstall', service: '/data/kafka', manual: false, forceStuck: false });
    expect(step.operations[0]).toMatchObject({
      op: 'uninstall-package',
      by: 'janitor',
      appId: '/data/kafka',
      packageName: 'kafka',
    });
    // The scheduler's uninstall plan releases the resources; the run deletes the node it leaves.
    const byKind = (op: string) => step.operations.filter((operation) => operation.op === op);
    expect(
      [...byKind('destroy-volume'), ...byKind('unreserve')].every((operation) => operation.by === 'scheduler'),
    ).toBe(true);
    expect(byKind('unreserve').length).toBeGreaterThan(0);
    expect(byKind('delete-znode')).toEqual([{ op: 'delete-znode', by: 'janitor', znode: 'dcos-service-data__kafka' }]);

    const run = await runInProcessAgainst(sim.url, [
      'apply',
      file,
      '--yes',
      '--json',
      '--poll-ms',
      '60',
      '--grace',
      '1',
    ]);
    expect(JSON.parse(run.stdout)).toMatchObject({ verified: true, remaining: 0, applied: { 'uninstall-package': 1 } });
    expect(run.code).toBe(0);
    expect(sim.state.apps.has('/data/kafka')).toBe(false);
    expect(sim.requestsTo('POST', '/package/uninstall')).toHaveLength(1);
    expect(
      reservedOf(sim, 'data__kafka-role').filter(
        ({ agentId }) => sim.state.agents.get(agentId)?.state === 'registered',
      ),
    ).toEqual([]);
  });

  it('an empty plan (the dry run found nothing to fix) applies nothing and says so', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const file = path.join(workDir(), 'plan.json');
    expect((await runInProcessAgainst(sim.url, ['audit', '--fix', '--dry-run', '--out', file])).code).toBe(3);
    expect(readPlan(file).steps).toEqual([]);
    const run = await runInProcessAgainst(sim.url, ['apply', file, '--yes']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('The plan has no operations: nothing to apply.');
    expect(mutatingRequests(sim).filter((entry) => entry.url !== '/package/list')).toEqual([]);
  });
});

describe('saved plans', () => {
  it('follow docs/json/plan-file.schema.json, and never hold a token', async () => {
    const token = 'tok-3f9a-never-in-a-file';
    sim = await SimCluster.start('kafka-ui-destroyed');
    sim.state.scenario.authToken = token;
    const file = path.join(workDir(), 'plan.json');
    const env = { DCOS_URL: sim.url, DCOS_ACS_TOKEN: token };
    expect((await runInProcess([...TEARDOWN_PLAN, file], { env })).code).toBe(0);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain(token);
    const validate = new Ajv({ strict: false }).compile(
      JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', 'docs', 'json', 'plan-file.schema.json'), 'utf8')),
    );
    expect(validate(JSON.parse(text)) ? [] : validate.errors).toEqual([]);
    expect(JSON.parse(text).command.argv).toEqual(['dcos', 'janitor', ...TEARDOWN_PLAN, file]);
  });

  it('--out is refused on a run that would change the cluster, and not written for a blocked plan', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const file = path.join(workDir(), 'plan.json');
    const notDry = await runInProcessAgainst(sim.url, ['cleanup', '--service', 'kafka', '--yes', '--out', file]);
    expect(notDry.code).toBe(2);
    expect(notDry.stderr).toMatch(/--out saves the plan of a dry run: add --dry-run/);
    const blocked = await runInProcessAgainst(sim.url, ['cleanup', '--service', 'kafka', '--dry-run', '--out', file]);
    expect(blocked.code).toBe(11);
    expect(blocked.stderr).toMatch(/No plan was saved/);
    expect(fs.existsSync(file)).toBe(false);
    expect(mutatingRequests(sim)).toEqual([]);
  });

  it('audit --fix --dry-run --out, applied: the same fixes in the same order, verified', async () => {
    sim = await SimCluster.start('messy-cluster', { deploymentMs: 200, cosmosLoopMs: 200, msPerRequest: 50 });
    const file = path.join(workDir(), 'plan.json');
    const dry = await runInProcessAgainst(sim.url, ['audit', '--fix', '--dry-run', '--out', file, '--json']);
    expect(JSON.parse(dry.stdout).savedPlan).toBe(file);
    // Cosmos' list is a POST that only reads.
    expect(mutatingRequests(sim).filter((entry) => entry.url !== '/package/list')).toEqual([]);
    const plan = readPlan(file);
    expect(plan.command.name).toBe('audit');
    expect(plan.steps.map((step) => step.command)).toEqual(
      JSON.parse(dry.stdout).fixed.flatMap((entry: { steps: Array<{ command: string }> }) =>
        entry.steps.map((step) => step.command),
      ),
    );
    const run = await runInProcessAgainst(sim.url, ['apply', file, '--yes', '--json', '--poll-ms', '20'], {
      DCOS_JANITOR_GRACE: '0',
    });
    expect(JSON.parse(run.stdout)).toMatchObject({ verified: true, remaining: 0, drift: [] });
    expect(run.code).toBe(0);
    for (const role of ['old__kafka-role', 'hdfs-role']) expect(reservedOf(sim, role)).toEqual([]);
    // What the plan left to the operator is untouched.
    expect(reservedOf(sim, 'spark-role')).not.toEqual([]);
    expect(sim.state.znodes.has('/dcos-service-gone__redis')).toBe(true);
  });
});

describe('audit --fix as a reviewed plan, on every shipped scenario', () => {
  it.each(listScenarios())(
    '%s: the saved fixes apply, verified, and audit finds nothing --fix would do',
    async (name) => {
      sim = await SimCluster.start(name, { deploymentMs: 100, cosmosLoopMs: 100, msPerRequest: 20 });
      const file = path.join(workDir(), 'plan.json');
      const dry = await runInProcessAgainst(sim.url, ['audit', '--fix', '--dry-run', '--out', file]);
      expect([0, 3]).toContain(dry.code);
      const connectedBefore = [...sim.state.frameworks.values()].filter((framework) => framework.connected);
      const steps = readPlan(file).steps;
      const tornDownByPlan = new Set(
        steps.flatMap((step) =>
          step.operations.filter((operation) => operation.op === 'teardown').map((operation) => operation.frameworkId),
        ),
      );
      // An SDK uninstall's scheduler deregisters itself: its framework goes with the service.
      const uninstalled = steps.flatMap((step) =>
        step.action.kind === 'uninstall' ? [step.action.service.replace(/^\/+/, '')] : [],
      );
      const planned = new Set(
        steps.flatMap((step) => step.operations.flatMap((operation) => (operation.key ? [placeOf(operation)] : []))),
      );
      const heldBefore = await reservedBySimulator();
      const run = await runInProcessAgainst(sim.url, ['apply', file, '--yes', '--json', '--poll-ms', '20'], {
        DCOS_JANITOR_GRACE: '0',
      });
      const result = JSON.parse(run.stdout);
      expect(result).toMatchObject({ verified: true, remaining: 0, drift: [] });
      expect(run.code).toBe(0);
      // Nothing outside the plan changed; each count is what the simulator shows gone.
      const heldAfter = await reservedBySimulator();
      for (const place of heldBefore) if (!planned.has(place)) expect(heldAfter).toContain(place);
      const gone = (op: string) =>
        steps
          .flatMap((step) => step.operations)
          // The disk a destroyed volume leaves exists only between the destroy and its unreserve.
          .filter((operation) => operation.op === op && (heldBefore.has(placeOf(operation)) || operation.afterDestroy))
          .filter((operation) => !heldAfter.has(placeOf(operation))).length;
      expect(result.applied['destroy-volume']).toBe(gone('destroy-volume'));
      expect(result.applied.unreserve).toBe(gone('unreserve'));
      const after = JSON.parse((await runInProcessAgainst(sim.url, ['audit', '--json'])).stdout);
      expect(after.findings.filter((finding: { autoFix: boolean }) => finding.autoFix)).toEqual([]);
      // A connected scheduler the plan did not name is still there.
      for (const framework of connectedBefore)
        if (!tornDownByPlan.has(framework.id) && !uninstalled.includes(framework.name.replace(/^\/+/, '')))
          expect(sim.state.frameworks.has(framework.id)).toBe(true);
    },
  );
});

import { loadScenario, parseScenario, Scenario } from '../src/sim/scenario';
import { SimCluster } from '../src/sim/server';
import { addResources, MesosVersion, formatResource, parseResource, subtractResources } from '../src/sim/resources';

/**
 * The simulated cluster against docs/reference/simulator.md: status codes,
 * texts and state changes, over real HTTP with plain fetch.
 */

let sim: SimCluster;
afterEach(async () => sim?.stop());

async function form(path: string, fields: Record<string, string>, method = 'POST') {
  const response = await fetch(`${sim.url}${path}`, { method, body: new URLSearchParams(fields).toString() });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

async function getJson(path: string) {
  const response = await fetch(`${sim.url}${path}`);
  return response.json() as Promise<any>;
}

/** A small cluster: one agent with a dynamic reservation, a volume and a task, on the given Mesos version. */
function smallScenario(mesosVersion: string, extra: Partial<Scenario> = {}): Scenario {
  return parseScenario({
    name: 'small',
    mesosVersion,
    agents: [
      {
        id: 'A-S1',
        hostname: 'h1',
        resources: { cpus: 4, mem: 4096, disk: 10000, ports: [[31000, 32000]] },
        reservations: [
          {
            ref: 'r1',
            role: 'svc-role',
            principal: 'svc-principal',
            cpus: 1,
            mem: 512,
            volume: { containerPath: 'data', size: 1000 },
          },
          {
            ref: 'busy',
            role: 'svc-role',
            principal: 'svc-principal',
            cpus: 0.5,
            volume: { containerPath: 'busy', size: 100 },
          },
        ],
      },
      { id: 'A-S0', hostname: 'h0', staticRole: 'slave_public', resources: { cpus: 2, mem: 1024, disk: 1000 } },
    ],
    frameworks: [
      {
        id: 'F1',
        name: 'svc',
        role: 'svc-role',
        principal: 'svc-principal',
        active: false,
        connected: false,
        tasks: [{ id: 't1', name: 't', agent: 'A-S1', uses: ['busy'] }],
      },
    ],
    ...extra,
  });
}

function reservedFull(slaves: any, agentId: string, role: string): any[] {
  return slaves.slaves.find((agent: any) => agent.id === agentId).reserved_resources_full[role] ?? [];
}

describe('Mesos reads', () => {
  it('/master/slaves written agent by agent is the same text as made whole (chunked, then whole with a length)', async () => {
    const texts: string[] = [];
    for (const streamLargeAnswers of [true, false]) {
      const cluster = await SimCluster.start('messy-cluster', { streamLargeAnswers });
      try {
        const response = await fetch(`${cluster.url}/mesos/master/slaves`);
        expect(response.headers.get('transfer-encoding')).toBe(streamLargeAnswers ? 'chunked' : null);
        texts.push(await response.text());
        const one = (await (
          await fetch(`${cluster.url}/mesos/master/slaves?slave_id=${JSON.parse(texts[texts.length - 1]).slaves[1].id}`)
        ).json()) as { slaves: unknown[] };
        expect(one.slaves).toHaveLength(1);
      } finally {
        await cluster.stop();
      }
    }
    expect(texts[0]).toBe(texts[1]);
    expect(JSON.parse(texts[0]).slaves.length).toBeGreaterThan(3);
    expect(Object.keys(JSON.parse(texts[0]))).toEqual(['slaves', 'recovered_slaves']);
  });

  it('replayReads (benchmarks of read-only commands): a read answered again with the same bytes until a request that may change something arrives', async () => {
    sim = await SimCluster.start(smallScenario('1.11.0'), { replayReads: true });
    const first = await (await fetch(`${sim.url}/mesos/master/frameworks`)).text();
    expect(JSON.parse(first).frameworks[0].active).toBe(false);
    // A change that no request made: the kept answer does not show it...
    sim.state.frameworks.get('F1')!.active = true;
    expect(await (await fetch(`${sim.url}/mesos/master/frameworks`)).text()).toBe(first);
    // Cosmos' package/list is a POST that only reads: it forgets nothing.
    await fetch(`${sim.url}/package/list`, { method: 'POST', body: '{}' });
    expect(await (await fetch(`${sim.url}/mesos/master/frameworks`)).text()).toBe(first);
    // ...until a request that may change something: every kept answer is forgotten.
    const cpus = reservedFull(await getJson('/mesos/master/slaves'), 'A-S1', 'svc-role').filter(
      (r: any) => r.name === 'cpus' && r.scalar.value === 1,
    );
    expect((await form('/mesos/master/unreserve', { slaveId: 'A-S1', resources: JSON.stringify(cpus) })).status).toBe(
      202,
    );
    expect((await getJson('/mesos/master/frameworks')).frameworks[0].active).toBe(true);
    expect(
      reservedFull(await getJson('/mesos/master/slaves'), 'A-S1', 'svc-role').filter(
        (r: any) => r.name === 'cpus' && r.scalar.value === 1,
      ),
    ).toEqual([]);
    expect(sim.requestsTo('GET', '/mesos/master/frameworks').map((entry) => entry.status)).toEqual([
      200, 200, 200, 200,
    ]);
  });

  it('pre-1.4 format below 1.4: role + reservation, no reservations[]; static has no reservation key', async () => {
    sim = await SimCluster.start(smallScenario('1.2.2'));
    const slaves = await getJson('/mesos/master/slaves');
    const cpus = reservedFull(slaves, 'A-S1', 'svc-role').find((r: any) => r.name === 'cpus' && !r.disk);
    expect(cpus.role).toBe('svc-role');
    expect(cpus.reservation.principal).toBe('svc-principal');
    expect(cpus.reservation.labels.labels[0].key).toBe('resource_id');
    expect(cpus.reservations).toBeUndefined();
    expect(slaves.slaves[0].unreserved_resources_full).toBeUndefined();
    const publicCpus = reservedFull(slaves, 'A-S0', 'slave_public').find((r: any) => r.name === 'cpus');
    expect(publicCpus).toEqual({ name: 'cpus', type: 'SCALAR', scalar: { value: 2 }, role: 'slave_public' });
  });

  it('ENDPOINT format from 1.4: role + reservation + one-entry reservations; static adds reservations[STATIC]', async () => {
    sim = await SimCluster.start(smallScenario('1.11.0'));
    const slaves = await getJson('/mesos/master/slaves');
    const cpus = reservedFull(slaves, 'A-S1', 'svc-role').find((r: any) => r.name === 'cpus' && !r.disk);
    expect(cpus.reservations).toEqual([
      { type: 'DYNAMIC', role: 'svc-role', principal: 'svc-principal', labels: cpus.reservation.labels },
    ]);
    const publicCpus = reservedFull(slaves, 'A-S0', 'slave_public').find((r: any) => r.name === 'cpus');
    expect(publicCpus.reservations).toEqual([{ type: 'STATIC', role: 'slave_public' }]);
    expect(slaves.slaves[0].unreserved_resources_full.length).toBeGreaterThan(0);
    // Used resources carry allocation_info.
    expect(slaves.slaves.find((a: any) => a.id === 'A-S1').used_resources_full[0].allocation_info).toEqual({
      role: 'svc-role',
    });
  });

  it('frameworks: connected/recovered from 1.2, role or roles, completed list, filters from 1.4', async () => {
    sim = await SimCluster.start(smallScenario('1.0.3'));
    const old = await getJson('/mesos/master/frameworks');
    expect(old.frameworks[0].connected).toBeUndefined();
    await sim.stop();
    sim = await SimCluster.start(smallScenario('1.4.0'));
    const recent = await getJson('/mesos/master/frameworks?framework_id=F1');
    expect(recent.frameworks[0]).toMatchObject({
      id: 'F1',
      role: 'svc-role',
      principal: 'svc-principal',
      active: false,
      connected: false,
    });
    expect(recent.unregistered_frameworks).toEqual([]);
    expect((await getJson('/mesos/master/frameworks?framework_id=nope')).frameworks).toEqual([]);
  });

  it('serves /master/<ep> and /<ep>; state.json is gone from 1.8', async () => {
    sim = await SimCluster.start(smallScenario('1.8.0'));
    expect((await fetch(`${sim.url}/mesos/slaves`)).status).toBe(200);
    expect((await fetch(`${sim.url}/mesos/master/state`)).status).toBe(200);
    expect((await fetch(`${sim.url}/mesos/master/state.json`)).status).toBe(404);
    const summary = await getJson('/mesos/master/state-summary');
    expect(summary.slaves[0].reserved_resources).toBeDefined();
  });

  it('unreachable agents are not in slaves[]; recovered ones are in recovered_slaves', async () => {
    sim = await SimCluster.start(smallScenario('1.11.0'));
    sim.setAgentState('A-S1', 'recovered');
    const slaves = await getJson('/mesos/master/slaves');
    expect(slaves.slaves.map((a: any) => a.id)).toEqual(['A-S0']);
    expect(slaves.recovered_slaves.map((a: any) => a.id)).toEqual(['A-S1']);
  });
});

describe('Mesos operations', () => {
  it('GET on an operation endpoint is 405 with Allow: POST', async () => {
    sim = await SimCluster.start(smallScenario('1.11.0'));
    const response = await fetch(`${sim.url}/mesos/master/unreserve`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(await response.text()).toBe("405 Method Not Allowed. Expecting one of { 'POST' }, but received 'GET'.");
  });

  it('missing parameters: the text gained " in the request body" in 1.2', async () => {
    sim = await SimCluster.start(smallScenario('1.0.3'));
    expect((await form('/mesos/master/teardown', {})).text).toBe("Missing 'frameworkId' query parameter");
    await sim.stop();
    sim = await SimCluster.start(smallScenario('1.11.0'));
    expect((await form('/mesos/master/unreserve', { slaveId: 'A-S1' })).text).toBe(
      "Missing 'resources' query parameter in the request body",
    );
  });

  it('parameters come from the body only, with ";" separators and "+" as space', async () => {
    sim = await SimCluster.start(smallScenario('1.11.0'));
    const viaQuery = await fetch(`${sim.url}/mesos/master/teardown?frameworkId=F1`, { method: 'POST' });
    expect(viaQuery.status).toBe(400);
    const response = await fetch(`${sim.url}/mesos/master/teardown`, { method: 'POST', body: 'x=a+b;frameworkId=F1' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('unreserve: 202, the resource returns to "*", a repeat is 409, and the read reflects it before the answer', async () => {
    sim = await SimCluster.start(smallScenario('1.11.0'));
    const cpus = reservedFull(await getJson('/mesos/master/slaves'), 'A-S1', 'svc-role').filter(
      (r: any) => r.name === 'cpus' && r.scalar.value === 1,
    );
    const first = await form('/mesos/master/unreserve', { slaveId: 'A-S1', resources: JSON.stringify(cpus) });
    expect(first).toMatchObject({ status: 202, text: '' });
    const after = await getJson('/mesos/master/slaves');
    expect(
      reservedFull(after, 'A-S1', 'svc-role').filter((r: any) => r.name === 'cpus' && r.scalar.value === 1),
    ).toEqual([]);
    expect(after.slaves.find((a: any) => a.id === 'A-S1').unreserved_resources.cpus).toBe(5);
    const again = await form('/mesos/master/unreserve', { slaveId: 'A-S1', resources: JSON.stringify(cpus) });
    expect(again.status).toBe(409);
    expect(again.text).toMatch(/does not contain cpus\(svc-role, svc-principal\):1/);
  });

  it('0.28 answers 200 instead of 202', async () => {
    sim = await SimCluster.start(smallScenario('0.28.1'));
    const cpus = reservedFull(await getJson('/mesos/master/slaves'), 'A-S1', 'svc-role').filter(
      (r: any) => r.name === 'cpus' && r.scalar.value === 1,
    );
    expect((await form('/mesos/master/unreserve', { slaveId: 'A-S1', resources: JSON.stringify(cpus) })).status).toBe(
      200,
    );
  });

  it('unreserve refusals: static 400, volume 400, in use 409, unknown agent 400, bad JSON 400, batch all-or-nothing', async () => {
    sim = await SimCluster.start(smallScenario('1.11.0'));
    const slaves = await getJson('/mesos/master/slaves');
    const staticCpus = reservedFull(slaves, 'A-S0', 'slave_public').filter((r: any) => r.name === 'cpus');
    const staticAnswer = await form('/mesos/master/unreserve', {
      slaveId: 'A-S0',
      resources: JSON.stringify(staticCpus),
    });
    expect(staticAnswer.status).toBe(400);
    expect(staticAnswer.text).toMatch(
      /^Invalid UNRESERVE operation: Resource cpus\(slave_public\):2 is not dynamically reserved$/,
    );

    const reserved = reservedFull(slaves, 'A-S1', 'svc-role');
    const volume = reserved.find((r: any) => r.disk?.volume?.container_path === 'data');
    const volumeAnswer = await form('/mesos/master/unreserve', {
      slaveId: 'A-S1',
      resources: JSON.stringify([volume]),
    });
    expect(volumeAnswer.status).toBe(400);
    expect(volumeAnswer.text).toMatch(
      /cannot be unreserved directly\. Please destroy the persistent volume first then unreserve the resource$/,
    );

    const busyCpus = reserved.find((r: any) => r.name === 'cpus' && r.scalar.value === 0.5);
    const freeCpus = reserved.find((r: any) => r.name === 'cpus' && r.scalar.value === 1);
    const batch = await form('/mesos/master/unreserve', {
      slaveId: 'A-S1',
      resources: JSON.stringify([freeCpus, busyCpus]),
    });
    expect(batch.status).toBe(409);
    // All-or-nothing: the free one was not unreserved either.
    const stillThere = reservedFull(await getJson('/mesos/master/slaves'), 'A-S1', 'svc-role').filter(
      (r: any) => r.name === 'cpus',
    );
    expect(stillThere).toHaveLength(2);

    expect((await form('/mesos/master/unreserve', { slaveId: 'nope', resources: '[]' })).text).toBe(
      'No agent found with specified ID',
    );
    expect((await form('/mesos/master/unreserve', { slaveId: 'A-S1', resources: '[{' })).text).toMatch(
      /^Error in parsing 'resources' query parameter in the request body/,
    );
  });

  it('an amount larger than reserved, or another principal, is 409', async () => {
    sim = await SimCluster.start(smallScenario('1.11.0'));
    const [cpus] = reservedFull(await getJson('/mesos/master/slaves'), 'A-S1', 'svc-role').filter(
      (r: any) => r.name === 'cpus' && r.scalar.value === 1,
    );
    const more = { ...cpus, scalar: { value: 2 } };
    expect((await form('/mesos/master/unreserve', { slaveId: 'A-S1', resources: JSON.stringify([more]) })).status).toBe(
      409,
    );
    const otherPrincipal = {
      ...cpus,
      reservation: { ...cpus.reservation, principal: 'x' },
      reservations: [{ ...cpus.reservations[0], principal: 'x' }],
    };
    expect(
      (await form('/mesos/master/unreserve', { slaveId: 'A-S1', resources: JSON.stringify([otherPrincipal]) })).status,
    ).toBe(409);
  });

  it('inconsistent mixed ENDPOINT input is 400; pre-1.4 input is accepted on a 1.11 master', async () => {
    sim = await SimCluster.start(smallScenario('1.11.0'));
    const [cpus] = reservedFull(await getJson('/mesos/master/slaves'), 'A-S1', 'svc-role').filter(
      (r: any) => r.name === 'cpus' && r.scalar.value === 1,
    );
    const inconsistent = { ...cpus, role: 'other-role' };
    expect(
      (await form('/mesos/master/unreserve', { slaveId: 'A-S1', resources: JSON.stringify([inconsistent]) })).status,
    ).toBe(400);
    const { reservations, ...pre14 } = cpus;
    expect(reservations).toHaveLength(1);
    expect(
      (await form('/mesos/master/unreserve', { slaveId: 'A-S1', resources: JSON.stringify([pre14]) })).status,
    ).toBe(202);
  });

  it('destroy-volumes: the volume becomes reserved disk (not unreserved), another container_path is accepted', async () => {
    sim = await SimCluster.start(smallScenario('1.11.0'));
    const reserved = reservedFull(await getJson('/mesos/master/slaves'), 'A-S1', 'svc-role');
    const volume = reserved.find((r: any) => r.disk?.volume?.container_path === 'data');
    const renamed = { ...volume, disk: { ...volume.disk, volume: { mode: 'RW', container_path: 'elsewhere' } } };
    expect(
      (await form('/mesos/master/destroy-volumes', { slaveId: 'A-S1', volumes: JSON.stringify([renamed]) })).status,
    ).toBe(202);
    const after = reservedFull(await getJson('/mesos/master/slaves'), 'A-S1', 'svc-role');
    const disk = after.find((r: any) => r.name === 'disk' && r.scalar.value === 1000);
    expect(disk.disk).toBeUndefined();
    expect(disk.reservation).toEqual(volume.reservation);
    // Destroying it again: not found.
    const again = await form('/mesos/master/destroy-volumes', { slaveId: 'A-S1', volumes: JSON.stringify([volume]) });
    expect(again).toMatchObject({ status: 400, text: 'Invalid DESTROY operation: Persistent volumes not found' });
  });

  it('destroy-volumes of a volume in use: 400 from 1.1, 409 on 1.0', async () => {
    for (const [version, status] of [
      ['1.1.0', 400],
      ['1.0.3', 409],
    ] as const) {
      sim = await SimCluster.start(smallScenario(version));
      const busy = reservedFull(await getJson('/mesos/master/slaves'), 'A-S1', 'svc-role').find(
        (r: any) => r.disk?.volume?.container_path === 'busy',
      );
      const answer = await form('/mesos/master/destroy-volumes', { slaveId: 'A-S1', volumes: JSON.stringify([busy]) });
      expect(answer.status).toBe(status);
      expect(answer.text).toMatch(/Persistent volumes in use/);
      await sim.stop();
    }
  });

  it('unreserving a disk that still carries a volume, asked for in full, is 409', async () => {
    sim = await SimCluster.start(smallScenario('1.11.0'));
    const volume = reservedFull(await getJson('/mesos/master/slaves'), 'A-S1', 'svc-role').find(
      (r: any) => r.disk?.volume?.container_path === 'data',
    );
    const { disk, ...asPlainDisk } = volume;
    expect(disk).toBeDefined();
    expect(
      (await form('/mesos/master/unreserve', { slaveId: 'A-S1', resources: JSON.stringify([asPlainDisk]) })).status,
    ).toBe(409);
  });

  it('teardown: 200 empty, moves the framework to completed, kills its tasks and frees what they used; a second is 400', async () => {
    sim = await SimCluster.start(smallScenario('1.11.0'));
    expect(await form('/mesos/master/teardown', { frameworkId: 'F1' })).toMatchObject({ status: 200, text: '' });
    const frameworks = await getJson('/mesos/master/frameworks');
    expect(frameworks.frameworks).toEqual([]);
    expect(frameworks.completed_frameworks[0]).toMatchObject({ id: 'F1', active: false, tasks: [] });
    expect(frameworks.completed_frameworks[0].completed_tasks[0].state).toBe('TASK_KILLED');
    const slaves = await getJson('/mesos/master/slaves');
    expect(slaves.slaves.find((a: any) => a.id === 'A-S1').used_resources_full).toEqual([]);
    // Reservations stay.
    expect(reservedFull(slaves, 'A-S1', 'svc-role').length).toBeGreaterThan(0);
    expect(await form('/mesos/master/teardown', { frameworkId: 'F1' })).toMatchObject({
      status: 400,
      text: 'No framework found with specified ID',
    });
  });
});

describe('refined reservations (Mesos >= 1.4)', () => {
  it('are listed under the innermost role with only reservations[], and unreserve pops one level back to static', async () => {
    sim = await SimCluster.start('shared-role-siblings');
    const slaves = await getJson('/mesos/master/slaves');
    const refined = reservedFull(slaves, '7d1f0e2a-5b3c-4e8d-9f60-2a1b3c4d5e6f-S0', 'slave_public/quota');
    expect(refined).toHaveLength(3);
    for (const resource of refined) {
      expect(resource.role).toBeUndefined();
      expect(resource.reservation).toBeUndefined();
      expect(resource.reservations.map((r: any) => r.type)).toEqual(['STATIC', 'DYNAMIC']);
    }
    const cpus = refined.filter((r: any) => r.name === 'cpus');
    expect(
      (
        await form('/mesos/master/unreserve', {
          slaveId: '7d1f0e2a-5b3c-4e8d-9f60-2a1b3c4d5e6f-S0',
          resources: JSON.stringify(cpus),
        })
      ).status,
    ).toBe(202);
    const after = await getJson('/mesos/master/slaves');
    const publicCpus = reservedFull(after, '7d1f0e2a-5b3c-4e8d-9f60-2a1b3c4d5e6f-S0', 'slave_public').find(
      (r: any) => r.name === 'cpus',
    );
    expect(publicCpus.scalar.value).toBe(4);
  });
});

describe('Exhibitor', () => {
  beforeEach(async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
  });

  it('DELETE is recursive and always 200; a missing node says NoNode', async () => {
    const ok = await fetch(`${sim.url}/exhibitor/exhibitor/v1/explorer/znode/dcos-service-kafka`, { method: 'DELETE' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ message: 'OK', succeeded: true });
    expect([...sim.state.znodes.keys()].some((node) => node.startsWith('/dcos-service-kafka'))).toBe(false);
    const missing = await fetch(`${sim.url}/exhibitor/exhibitor/v1/explorer/znode/dcos-service-kafka`, {
      method: 'DELETE',
    });
    expect(missing.status).toBe(200);
    expect(await missing.json()).toEqual({
      message: 'KeeperErrorCode = NoNode for /dcos-service-kafka',
      succeeded: false,
    });
  });

  it('node and node-data answer as Exhibitor does, for present and missing nodes', async () => {
    expect(await getJson('/exhibitor/exhibitor/v1/explorer/node?key=/dcos-service-kafka/Tasks')).toEqual([
      { title: 'kafka-0-broker', key: '/dcos-service-kafka/Tasks/kafka-0-broker', isLazy: true, expand: false },
      { title: 'kafka-1-broker', key: '/dcos-service-kafka/Tasks/kafka-1-broker', isLazy: true, expand: false },
      { title: 'kafka-2-broker', key: '/dcos-service-kafka/Tasks/kafka-2-broker', isLazy: true, expand: false },
    ]);
    expect(await getJson('/exhibitor/exhibitor/v1/explorer/node?key=/nope')).toEqual([
      { title: '* Exception *', key: '*', isLazy: false, expand: false },
    ]);
    expect((await getJson('/exhibitor/exhibitor/v1/explorer/node-data?key=/dcos-service-kafka/servicename')).str).toBe(
      'kafka',
    );
    expect(await getJson('/exhibitor/exhibitor/v1/explorer/node-data?key=/nope')).toEqual({
      bytes: '',
      str: '',
      stat: '* not found * ',
    });
  });

  it('an empty path would be "/": the simulator refuses and records it', async () => {
    const response = await fetch(`${sim.url}/exhibitor/exhibitor/v1/explorer/znode/`, { method: 'DELETE' });
    expect(((await response.json()) as any).succeeded).toBe(false);
    expect(sim.violations.rootDeleteAttempted).toBe(true);
    expect(sim.state.znodes.size).toBeGreaterThan(10);
  });

  it('node modification disabled: 403 with an empty body', async () => {
    sim.faults.exhibitor.mutationsDisabled = true;
    const response = await fetch(`${sim.url}/exhibitor/exhibitor/v1/explorer/znode/dcos-service-kafka`, {
      method: 'DELETE',
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toBe('');
  });
});

describe('Marathon', () => {
  beforeEach(async () => {
    sim = await SimCluster.start('kafka-ui-destroyed', { deploymentMs: 100 });
  });

  it('gets apps by id and label, 404 with the Marathon message for a missing one', async () => {
    expect((await getJson('/service/marathon/v2/apps/hdfs')).app.labels.DCOS_PACKAGE_NAME).toBe('hdfs');
    expect((await getJson('/service/marathon/v2/apps?label=DCOS_PACKAGE_NAME==hdfs')).apps).toHaveLength(1);
    expect((await getJson('/service/marathon/v2/apps?label=DCOS_PACKAGE_NAME==kafka')).apps).toHaveLength(0);
    const missing = await fetch(`${sim.url}/service/marathon/v2/apps/kafka`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: "App '/kafka' does not exist" });
  });

  it('DELETE returns a deployment that is listed until done; then the app is gone and its framework inactive', async () => {
    const response = await fetch(`${sim.url}/service/marathon/v2/apps/hdfs?force=true`, { method: 'DELETE' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as any;
    expect(response.headers.get('marathon-deployment-id')).toBe(body.deploymentId);
    expect((await getJson('/service/marathon/v2/deployments')).map((d: any) => d.id)).toEqual([body.deploymentId]);
    // force defaults to true; force=false while the deployment runs is 409.
    const locked = await fetch(`${sim.url}/service/marathon/v2/apps/hdfs?force=false`, { method: 'DELETE' });
    expect(locked.status).toBe(409);
    expect(((await locked.json()) as any).deployments).toEqual([{ id: body.deploymentId }]);
    sim.clock.advance(100);
    expect((await fetch(`${sim.url}/service/marathon/v2/apps/hdfs`)).status).toBe(404);
    expect(await getJson('/service/marathon/v2/deployments')).toEqual([]);
    const hdfs = (await getJson('/mesos/master/frameworks')).frameworks.find((f: any) => f.name === 'hdfs');
    expect(hdfs).toMatchObject({ active: false, connected: false });
  });

  it('unknown routes are 500 "URI not found"', async () => {
    const response = await fetch(`${sim.url}/service/marathon/v2/nothing`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'URI not found' });
  });
});

describe('Admin Router', () => {
  it('an unknown /service/<name> is 404 "service not found"; dcos-version.json gives the profile version', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const response = await fetch(`${sim.url}/service/kafka/v1/plans/deploy`);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('404 Not Found: service not found.');
    expect((await getJson('/dcos-metadata/dcos-version.json')).version).toBe('1.9.0');
  });

  it('binds to loopback only', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    expect(new URL(sim.url).hostname).toBe('127.0.0.1');
    expect(new URL(sim.leaderUrl).hostname).toBe('127.0.0.1');
  });
});

describe('scenarios', () => {
  it.each(['kafka-ui-destroyed', 'cassandra-six-agents', 'shared-role-siblings', 'generated:50'])(
    '%s loads and serves its agents',
    async (name) => {
      sim = await SimCluster.start(name);
      const slaves = await getJson('/mesos/master/slaves');
      expect(slaves.slaves.length).toBe(
        loadScenario(name).agents.filter((agent) => agent.state === 'registered').length,
      );
    },
  );

  it('an unknown scenario names the known ones', () => {
    expect(() => loadScenario('nope')).toThrow(/known ones are .*kafka-ui-destroyed/);
  });
});

describe('resource arithmetic', () => {
  const v = new MesosVersion('1.11.0');
  const reserved = (value: number, principal = 'p') =>
    parseResource({ name: 'cpus', type: 'SCALAR', scalar: { value }, role: 'r', reservation: { principal } });

  it('merges identical reservations and never different principals', () => {
    expect(addResources([reserved(1)], [reserved(2)])).toHaveLength(1);
    expect(addResources([reserved(1)], [reserved(2, 'q')])).toHaveLength(2);
  });

  it('allows partial subtraction and refuses more than there is', () => {
    expect(subtractResources([reserved(2)], [reserved(0.5)])?.[0].scalar).toBe(1.5);
    expect(subtractResources([reserved(1)], [reserved(1.5)])).toBeUndefined();
  });

  it('ranges subtract inside a range and not across a gap', () => {
    const ports = (ranges: Array<[number, number]>) =>
      parseResource({
        name: 'ports',
        type: 'RANGES',
        ranges: { range: ranges.map(([begin, end]) => ({ begin, end })) },
        role: '*',
      });
    expect(subtractResources([ports([[1, 10]])], [ports([[3, 4]])])?.[0].ranges).toEqual([
      [1, 2],
      [5, 10],
    ]);
    expect(
      subtractResources(
        [
          ports([
            [1, 2],
            [5, 6],
          ]),
        ],
        [ports([[2, 5]])],
      ),
    ).toBeUndefined();
  });

  it('round-trips the ENDPOINT format', () => {
    const printed = formatResource(reserved(1), v);
    expect(parseResource(printed)).toEqual(reserved(1));
  });
});

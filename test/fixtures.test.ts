import * as fs from 'node:fs';
import * as path from 'node:path';

import { MesosClient } from '../src/clients/mesos';
import { AgentSchema, ResourceSchema, RolesResponseSchema } from '../src/clients/mesos-schemas';
import { PackageListSchema } from '../src/clients/cosmos-schemas';
import { MarathonAppSchema } from '../src/clients/marathon-schemas';
import { ClusterHttp } from '../src/cluster/http';
import { appNamed as appLaunching } from '../src/domain/ownership';
import { AgentSpec, parseScenario } from '../src/sim/scenario';
import { SimCluster } from '../src/sim/server';
import { innermostRole, SimResource } from '../src/sim/resources';
import { runInProcessAgainst } from './helpers/in-process';
import { lastPrincipal, reservedWhere, snapshotWhere } from './helpers/cluster';

/**
 * Payloads captured from real clusters (test/fixtures, sources and licences in
 * test/fixtures/SOURCES.md): every Mesos one parses through the real client over
 * HTTP, as captured and as other tools re-serialise it, and a cleanup of one SDK
 * service built from each capture leaves that service nothing and everything else as it was.
 */

const FIXTURES = path.join(__dirname, 'fixtures');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

const SLAVES_103 = 'mesos-1.0.3-slaves-cassandra-volume.reconstructed.json';
const SLAVES_130 = 'mesos-1.3.0-slaves-dcos-checks-dcos-1.10-dev.json';
const ELEMENT_112 = 'mesos-1.12dev-slaves-element-partial-endpoint-format-persistent-volume-mesos-unittest.json';

let sim: SimCluster;
afterEach(async () => sim?.stop());

function mesosClient(): MesosClient {
  return new MesosClient(new ClusterHttp({ url: sim.url, tls: { verify: false }, timeoutMs: 5000, source: 'test' }));
}

/** Serve these bodies verbatim for these Admin Router paths. */
function serveVerbatim(bodies: Record<string, string>): void {
  sim.rewriteResponse = (requestPath, body) => bodies[requestPath] ?? body;
}

/**
 * What tools that touch Mesos JSON do to it (jq, Python's json, Jackson): summary
 * `ports` as arrays of range strings, floats in E-notation, fields of their own.
 */
function reserialise(text: string): string {
  const json = JSON.parse(text);
  const visit = (value: any): any => {
    if (Array.isArray(value)) return value.map(visit);
    if (!value || typeof value !== 'object') return value;
    const out: any = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] =
        typeof inner === 'string' && key === 'ports' && inner.startsWith('[')
          ? inner.slice(1, -1).split(', ')
          : visit(inner);
    }
    // A field of the tool's own, on records (not on maps keyed by role).
    if ('id' in value || 'name' in value) out.x_exported_by = { tool: 'cluster-backup', at: 1.7e9 };
    return out;
  };
  return JSON.stringify(visit(json), null, 1).replace(
    /"value": (\d+(?:\.\d+)?)(?=[,\n}])/g,
    (_, number) => `"value": ${Number(number) / 1000}E3`,
  );
}

describe('every Mesos capture parses through MesosClient over HTTP', () => {
  beforeEach(async () => {
    sim = await SimCluster.start(parseScenario({ name: 'verbatim', agents: [] }));
  });

  it.each([SLAVES_103, SLAVES_130])('%s (GET /master/slaves), as captured and re-serialised', async (name) => {
    for (const body of [fixture(name), reserialise(fixture(name))]) {
      serveVerbatim({ '/mesos/master/slaves': body });
      const slaves = await mesosClient().getAgents();
      expect(slaves.slaves).toHaveLength(1);
      expect(Object.keys(slaves.slaves[0].reserved_resources_full ?? {}).length).toBeGreaterThan(0);
    }
  });

  it('the re-serialised capture is the shape that used to abort every command (exit 7 on slaves.0.resources.ports)', () => {
    const agent = JSON.parse(reserialise(fixture(SLAVES_103))).slaves[0];
    expect(Array.isArray(agent.resources.ports)).toBe(true);
    expect(reserialise(fixture(SLAVES_103))).toMatch(/"value": \d+(\.\d+)?E3/);
    expect(AgentSchema.safeParse(agent).success).toBe(true);
  });

  it('unknown fields pass through untouched; optional fields may be missing', () => {
    const agent = JSON.parse(fixture(SLAVES_103)).slaves[0];
    for (const key of [
      'pid',
      'version',
      'attributes',
      'registered_time',
      'resources',
      'used_resources_full',
      'offered_resources',
    ])
      delete agent[key];
    agent.drain_info = { state: 'DRAINING', config: { mark_gone: false } };
    const parsed = AgentSchema.parse(agent);
    expect((parsed as Record<string, unknown>).drain_info).toEqual(agent.drain_info);
    const resource = Object.values(agent.reserved_resources_full as Record<string, unknown[]>)[0][0];
    expect(ResourceSchema.parse(resource)).toEqual(resource);
  });

  it('mesos-1.0.x frameworks (no completed_frameworks key), and re-serialised', async () => {
    for (const body of [
      fixture('mesos-1.0.x-frameworks.reconstructed.json'),
      reserialise(fixture('mesos-1.0.x-frameworks.reconstructed.json')),
    ]) {
      serveVerbatim({ '/mesos/master/frameworks': body });
      const frameworks = await mesosClient().getFrameworks();
      expect(frameworks.frameworks[0]).toMatchObject({
        name: 'orders-demo-1',
        role: 'orders-demo-1-role',
        principal: 'cassandra-principal',
      });
      expect(frameworks.completed_frameworks).toBeUndefined();
    }
  });

  it('mesos-1.0.x state-summary (empty slaves), and with the agents of the 1.3.0 capture: each kept as its id and hostname', async () => {
    const summary = fixture('mesos-1.0.x-state-summary.reconstructed.json');
    for (const body of [summary, reserialise(summary)]) {
      serveVerbatim({ '/mesos/master/state-summary': body });
      const read = await mesosClient().getStateSummary();
      expect(read.slaves).toEqual([]);
      expect(read.frameworks[0]).toMatchObject({
        name: 'metronome',
        TASK_FINISHED: 3,
        webui_url: 'http://10.17.3.21:9090',
      });
    }
    // Mesos writes an agent's summary fields the same way in both endpoints.
    const agents = JSON.parse(fixture(SLAVES_130)).slaves;
    serveVerbatim({ '/mesos/master/state-summary': JSON.stringify({ ...JSON.parse(summary), slaves: agents }) });
    const read = await mesosClient().getStateSummary();
    expect(read.slaves).toEqual(
      agents.map((agent: { id: string; hostname: string }) => ({ id: agent.id, hostname: agent.hostname })),
    );
  });

  it('roles in the 1.0 shape', () => {
    const roles = {
      roles: [
        { name: '*', weight: 1.0, resources: { ports: '[1025-2180]' }, frameworks: [] },
        { name: 'slave_public', weight: '1.0E0', resources: { ports: ['1025-2180'] } },
      ],
    };
    expect(RolesResponseSchema.parse(roles).roles.map((role) => role.name)).toEqual(['*', 'slave_public']);
  });

  it('mesos 1.12-dev partial agent element: every resource list parses, echoed unchanged', () => {
    const element = JSON.parse(fixture(ELEMENT_112));
    const agent = AgentSchema.parse({ id: 'S', hostname: 'h', active: true, ...element });
    expect(agent.reserved_resources_full?.role1).toHaveLength(4);
    for (const list of [
      element.unreserved_resources_full,
      element.used_resources_full,
      element.offered_resources_full,
    ]) {
      for (const resource of list) expect(ResourceSchema.parse(resource)).toEqual(resource);
    }
  });

  it('Cosmos /package/list: foldered app ids included', () => {
    const list = PackageListSchema.parse(JSON.parse(fixture('cosmos-package-list-response-v1-dcos-core-cli.json')));
    expect(list.packages.map((entry) => entry.appId)).toContain('/data-services/kafka');
    expect(list.packages.every((entry) => entry.packageInformation.packageDefinition.name.length > 0)).toBe(true);
  });

  it('Marathon /v2/groups of SDK apps: every app parses; the app whose id is the name launches it', () => {
    const collect = (group: any): any[] => [...(group.apps ?? []), ...(group.groups ?? []).flatMap(collect)];
    const apps = collect(JSON.parse(fixture('marathon-v2-groups-sdk-services-dcos-ui.json')));
    expect(apps.length).toBeGreaterThan(0);
    for (const app of apps) expect(MarathonAppSchema.safeParse(app).success).toBe(true);
    const parsed = apps.map((app) => MarathonAppSchema.parse(app));
    expect(appLaunching('/services/sdk-sleep', parsed)?.id).toBe('/services/sdk-sleep');
    expect(appLaunching('services/sdk-sleep', [...parsed].reverse())?.id).toBe('/services/sdk-sleep');
    expect(appLaunching('/services/nothing', parsed)).toBeUndefined();
  });
});

/**
 * An agent of a capture, its reservations as captured, plus a sibling service that
 * shares the target's role with another principal (a DC/OS group role, a shared
 * service.role): the cleanup must leave the sibling exactly as it was.
 */
function agentFromCapture(captured: any, extra: Partial<AgentSpec> = {}): AgentSpec {
  return {
    id: captured.id ?? 'capture-S0',
    hostname: captured.hostname ?? 'capture-0',
    resources: { cpus: 1, mem: 1024, disk: 1024 },
    rawReserved: Object.values(captured.reserved_resources_full as Record<string, unknown[]>).flat(),
    reservations: [],
    state: 'registered',
    ...extra,
  };
}

const SIBLING = 'sibling-principal';
const siblingOf = (role: string) => ({
  ref: 'sibling',
  role,
  principal: SIBLING,
  sdkLabels: true,
  cpus: 0.5,
  mem: 256,
  volume: { containerPath: 'sibling-data', size: 128 },
});
const isSibling = (resource: SimResource) => lastPrincipal(resource) === SIBLING;
const notOf = (role: string, principal: string) => (resource: SimResource) =>
  !(innermostRole(resource) === role && lastPrincipal(resource) === principal);

describe('cleanup of one SDK service in each real capture', () => {
  it('Mesos 1.0.3 Cassandra agent (pre-1.4 format, a volume): the service is gone, the sibling and every other role untouched', async () => {
    const captured = JSON.parse(fixture(SLAVES_103)).slaves[0];
    const role = Object.keys(captured.reserved_resources_full)[0];
    sim = await SimCluster.start(
      parseScenario({
        name: 'capture-103',
        mesosVersion: '1.0.3',
        agents: [agentFromCapture(captured, { reservations: [siblingOf(role)] })],
      }),
    );
    sim.rewriteResponse = (requestPath, body) => (requestPath === '/mesos/master/slaves' ? reserialise(body) : body);
    const others = snapshotWhere(sim, notOf(role, 'cassandra-principal'));

    const run = await runInProcessAgainst(sim.url, [
      'cleanup',
      '-r',
      role,
      '-p',
      'cassandra-principal',
      '--yes',
      '--json',
    ]);

    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.outcome).toMatchObject({ volumesDestroyed: 1, resourcesUnreserved: 4, agentsTouched: 1 });
    expect(result.verification).toEqual({ clean: true, leftovers: [], unverifiableAgents: [] });
    expect(
      reservedWhere(
        sim.state,
        (resource) => innermostRole(resource) === role && lastPrincipal(resource) === 'cassandra-principal',
      ),
    ).toEqual([]);
    expect(snapshotWhere(sim, notOf(role, 'cassandra-principal'))).toBe(others);
    expect(reservedWhere(sim.state, isSibling).length).toBeGreaterThan(0);
  });

  it('Mesos 1.3.0 public agent (static slave_public): a Kafka reserved there is cleaned, slave_public and the sibling untouched', async () => {
    const captured = JSON.parse(fixture(SLAVES_130)).slaves[0];
    const kafka = {
      ref: 'kafka',
      role: 'kafka-role',
      principal: 'kafka-principal',
      sdkLabels: true,
      cpus: 1,
      mem: 2048,
      disk: 512,
      volume: { containerPath: 'kafka-data', size: 1024 },
    };
    sim = await SimCluster.start(
      parseScenario({
        name: 'capture-130',
        mesosVersion: '1.3.0',
        agents: [agentFromCapture(captured, { reservations: [kafka, siblingOf('kafka-role')] })],
      }),
    );
    const others = snapshotWhere(sim, notOf('kafka-role', 'kafka-principal'));
    expect(reservedWhere(sim.state, (resource) => innermostRole(resource) === 'slave_public').length).toBeGreaterThan(
      0,
    );

    const run = await runInProcessAgainst(sim.url, [
      'cleanup',
      '-r',
      'kafka-role',
      '-p',
      'kafka-principal',
      '--yes',
      '--json',
    ]);

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).outcome).toMatchObject({ volumesDestroyed: 1, resourcesUnreserved: 4 });
    expect(snapshotWhere(sim, notOf('kafka-role', 'kafka-principal'))).toBe(others);
    expect(
      reservedWhere(
        sim.state,
        (resource) => innermostRole(resource) === 'kafka-role' && lastPrincipal(resource) === 'kafka-principal',
      ),
    ).toEqual([]);
    expect(
      sim.requestsTo('POST', '/mesos/master/unreserve').every((entry) => !entry.body.includes('slave_public')),
    ).toBe(true);
  });

  describe('Mesos 1.12-dev agent (ENDPOINT format, unlabeled reservations, a task using some)', () => {
    const element = () => JSON.parse(fixture(ELEMENT_112));
    const scenario = (withTask: boolean) =>
      parseScenario({
        name: 'capture-112',
        mesosVersion: '1.11.0',
        agents: [
          agentFromCapture({ id: 'U-S0', hostname: 'u0', ...element() }, { reservations: [siblingOf('role1')] }),
        ],
        frameworks: withTask
          ? [
              {
                id: 'U-0001',
                name: 'unit',
                role: 'role1',
                principal: 'test-principal',
                active: false,
                connected: false,
                tasks: [{ id: 't1', name: 't1', agent: 'U-S0', usesRaw: element().used_resources_full }],
              },
            ]
          : [],
      });

    it('unlabeled reservations are never reported clean: exit 3, each listed with the command that takes it', async () => {
      sim = await SimCluster.start(scenario(false));
      const run = await runInProcessAgainst(sim.url, [
        'cleanup',
        '-r',
        'role1',
        '-p',
        'test-principal',
        '--yes',
        '--json',
      ]);
      expect(run.code).toBe(3);
      const { verification } = JSON.parse(run.stdout);
      expect(verification.clean).toBe(false);
      expect(verification.leftovers).toHaveLength(4);
      expect(
        verification.leftovers.every(
          (leftover: { detail: string; hint: string }) =>
            /unlabeled/.test(leftover.detail) && /--include-unlabeled/.test(leftover.hint),
        ),
      ).toBe(true);

      const others = snapshotWhere(sim, notOf('role1', 'test-principal'));
      const cleaned = await runInProcessAgainst(sim.url, [
        'cleanup',
        '-r',
        'role1',
        '-p',
        'test-principal',
        '--include-unlabeled',
        '--yes',
        '--json',
      ]);
      expect(cleaned.code).toBe(0);
      expect(JSON.parse(cleaned.stdout).outcome).toMatchObject({ volumesDestroyed: 1 });
      expect(reservedWhere(sim.state, (resource) => lastPrincipal(resource) === 'test-principal')).toEqual([]);
      expect(snapshotWhere(sim, notOf('role1', 'test-principal'))).toBe(others);
    });

    it('a reservation in use by a running task refuses the run (exit 11); --force cleans the idle ones, keeps the znode, exit 3', async () => {
      sim = await SimCluster.start(scenario(true));
      const refused = await runInProcessAgainst(sim.url, [
        'cleanup',
        '-r',
        'role1',
        '-p',
        'test-principal',
        '--include-unlabeled',
        '--yes',
      ]);
      expect(refused.code).toBe(11);
      expect(refused.stdout).toMatch(/in use by running tasks/);
      expect(sim.requests.filter((entry) => entry.method === 'POST')).toEqual([]);

      const forced = await runInProcessAgainst(sim.url, [
        'cleanup',
        '-r',
        'role1',
        '-p',
        'test-principal',
        '--include-unlabeled',
        '--yes',
        '--force',
        '--json',
      ]);
      expect(forced.code).toBe(3);
      const result = JSON.parse(forced.stdout);
      expect(result.verification.clean).toBe(false);
      expect(result.verification.leftovers.map((leftover: { kind: string }) => leftover.kind)).toEqual(
        expect.arrayContaining(['in-use', 'framework']),
      );
    });
  });
});

import * as fs from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';

import { MesosClient } from '../src/clients/mesos';
import { AgentSchema, ResourceSchema, RolesResponseSchema } from '../src/clients/mesos-schemas';
import { PackageListSchema } from '../src/clients/cosmos-schemas';
import { MarathonAppSchema } from '../src/clients/marathon-schemas';
import { ClusterHttp } from '../src/cluster/http';
import { appLaunching } from '../src/domain/teardown';
import { parseScenario } from '../src/sim/scenario';
import { SimCluster } from '../src/sim/server';
import { runAgainst } from './helpers/cli';
import { reservedOf } from './helpers/cluster';

/**
 * Payloads captured from real clusters (../shared/fixtures): every Mesos one must
 * parse through the real client over HTTP, and a cleanup must work on an agent
 * built from a capture.
 */

// The captures live in shared/ beside the repository (as CI lays it out); their licences
// are not all known, so they are read from there, not copied in.
const FIXTURES = process.env.JANITOR_SHARED_FIXTURES ?? path.resolve(__dirname, '..', '..', 'shared', 'fixtures');
const fixture = (name: string) => {
  const file = path.join(FIXTURES, name);
  if (!fs.existsSync(file)) throw new Error(`Fixture ${file} not found: run the tests with shared/ beside the repository, or set JANITOR_SHARED_FIXTURES.`);
  return fs.readFileSync(file, 'utf8');
};

describe('Mesos fixtures parse through MesosClient over HTTP', () => {
  let server: http.Server;
  let mesos: MesosClient;
  const routes = new Map<string, string>([
    ['/mesos/master/slaves', ''],
    ['/mesos/master/frameworks', fixture('mesos-1.0.x-frameworks-ge-dcosb.json')],
    ['/mesos/master/state-summary', fixture('mesos-1.0.x-state-summary-ge-dcosb.json')],
  ]);
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(routes.get(req.url ?? '') ?? '{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    mesos = new MesosClient(new ClusterHttp({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tls: { verify: false }, timeoutMs: 5000, source: 'test' }));
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each(['mesos-1.0.3-slaves-ge-dcosb-cassandra-volume.json', 'mesos-1.3.0-slaves-dcos-checks-dcos-1.10-dev.json'])('%s (GET /master/slaves)', async (name) => {
    routes.set('/mesos/master/slaves', fixture(name));
    const slaves = await mesos.getAgents();
    expect(slaves.slaves).toHaveLength(1);
    expect(Object.keys(slaves.slaves[0].reserved_resources_full ?? {}).length).toBeGreaterThan(0);
  });

  it('mesos-1.0.x-frameworks-ge-dcosb.json (GET /master/frameworks, no completed_frameworks key)', async () => {
    const frameworks = await mesos.getFrameworks();
    expect(frameworks.frameworks[0]).toMatchObject({ name: 'predix-demo-1', role: 'predix-demo-1-role', principal: 'cassandra-principal' });
    expect(frameworks.completed_frameworks).toBeUndefined();
  });

  it('mesos-1.0.x-state-summary-ge-dcosb.json (GET /master/state-summary)', async () => {
    const summary = await mesos.getStateSummary();
    expect(summary.frameworks[0].name).toBe('metronome');
  });

  it('mesos-1.0.x-roles-ge-dcosb.json (GET /master/roles)', () => {
    expect(RolesResponseSchema.parse(JSON.parse(fixture('mesos-1.0.x-roles-ge-dcosb.json'))).roles.map((role) => role.name)).toContain('slave_public');
  });

  it('mesos-1.12dev partial agent element: every resource list parses', () => {
    const element = JSON.parse(fixture('mesos-1.12dev-slaves-element-partial-endpoint-format-persistent-volume-mesos-unittest.json'));
    const agent = AgentSchema.parse({ id: 'S', hostname: 'h', active: true, ...element });
    expect(agent.reserved_resources_full?.role1).toHaveLength(4);
    for (const list of [element.unreserved_resources_full, element.used_resources_full, element.offered_resources_full]) {
      for (const resource of list) expect(ResourceSchema.safeParse(resource).success).toBe(true);
    }
  });

  it('cosmos-package-list-response-v1-dcos-core-cli.json: parses as /package/list, foldered app ids included', () => {
    const list = PackageListSchema.parse(JSON.parse(fixture('cosmos-package-list-response-v1-dcos-core-cli.json')));
    expect(list.packages.map((entry) => entry.appId)).toContain('/data-services/kafka');
    expect(list.packages.every((entry) => entry.packageInformation.packageDefinition.name.length > 0)).toBe(true);
  });

  it('marathon-v2-groups-sdk-services-dcos-ui.json: every app parses', () => {
    const collect = (group: any): any[] => [...(group.apps ?? []), ...(group.groups ?? []).flatMap(collect)];
    const apps = collect(JSON.parse(fixture('marathon-v2-groups-sdk-services-dcos-ui.json')));
    expect(apps.length).toBeGreaterThan(0);
    for (const app of apps) expect(MarathonAppSchema.safeParse(app).success).toBe(true);
    // Two apps carry the same framework-name label: the app whose id is the name launches it.
    const parsed = apps.map((app) => MarathonAppSchema.parse(app));
    expect(appLaunching('/services/sdk-sleep', parsed)?.id).toBe('/services/sdk-sleep');
    expect(appLaunching('services/sdk-sleep', [...parsed].reverse())?.id).toBe('/services/sdk-sleep');
    expect(appLaunching('/services/nothing', parsed)).toBeUndefined();
  });
});

describe('cleanup of agents built from real captures', () => {
  let sim: SimCluster;
  afterEach(async () => sim.stop());

  it('pre-1.4 Cassandra agent (Mesos 1.0.3, GE capture): destroys the volume, unreserves the rest', async () => {
    const agent = JSON.parse(fixture('mesos-1.0.3-slaves-ge-dcosb-cassandra-volume.json')).slaves[0];
    const role = 'predix-c6be02f0-11d7-4977-b0d8-0a56e0e3b179-role';
    sim = await SimCluster.start(
      parseScenario({
        name: 'ge-capture',
        mesosVersion: '1.0.3',
        agents: [{ id: agent.id, hostname: agent.hostname, resources: { cpus: 1.5, mem: 5134, disk: 467398 }, rawReserved: agent.reserved_resources_full[role] }],
      }),
    );
    const run = await runAgainst(sim.url, ['cleanup', '-r', role, '-p', 'cassandra-principal', '--yes']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Destroyed 1 volume\(s\) and unreserved 4 resource\(s\)/);
    expect(reservedOf(sim, role)).toEqual([]);
  });

  it('ENDPOINT agent (Mesos 1.12-dev unit test values): unlabeled reservations need --include-unlabeled', async () => {
    const element = JSON.parse(fixture('mesos-1.12dev-slaves-element-partial-endpoint-format-persistent-volume-mesos-unittest.json'));
    sim = await SimCluster.start(
      parseScenario({
        name: 'mesos-unittest',
        mesosVersion: '1.11.0',
        agents: [{ id: 'U-S0', hostname: 'u0', resources: { cpus: 3, mem: 1536, disk: 3072, ports: [[31000, 32000]] }, rawReserved: element.reserved_resources_full.role1 }],
      }),
    );
    const spared = await runAgainst(sim.url, ['cleanup', '-r', 'role1', '-p', 'test-principal', '--yes']);
    expect(spared.code).toBe(0);
    expect(spared.stdout).toMatch(/4 unlabeled/);
    expect(reservedOf(sim, 'role1')).toHaveLength(4);

    const cleaned = await runAgainst(sim.url, ['cleanup', '-r', 'role1', '-p', 'test-principal', '--include-unlabeled', '--yes']);
    expect(cleaned.code).toBe(0);
    expect(reservedOf(sim, 'role1')).toEqual([]);
  });
});

import { MesosAgent, MesosResource } from '../src/clients/mesos-schemas';
import { CleanupTarget, planAgentCleanup, selectResource } from '../src/domain/selection';
import { targetFromRequest } from '../src/domain/cleanup';
import { reservationOf, summariseResources } from '../src/domain/resources';

/** The selection rule, one resource at a time, in every format Mesos prints. */

const target: CleanupTarget = {
  roles: ['kafka-role'],
  principals: ['kafka-principal'],
  frameworkNames: ['kafka'],
  frameworkIds: [],
  onlyFrameworkIds: [],
  foreignFrameworks: {},
  claimants: [],
  includeUnlabeled: false,
};

const labels = (pairs: Record<string, string>) => ({
  labels: Object.entries(pairs).map(([key, value]) => ({ key, value })),
});

const pre14Dynamic: MesosResource = {
  name: 'cpus',
  type: 'SCALAR',
  scalar: { value: 1 },
  role: 'kafka-role',
  reservation: { principal: 'kafka-principal', labels: labels({ resource_id: 'r1' }) },
};

const endpointDynamic: MesosResource = {
  ...pre14Dynamic,
  reservations: [
    { type: 'DYNAMIC', role: 'kafka-role', principal: 'kafka-principal', labels: labels({ resource_id: 'r1' }) },
  ],
};

const refined: MesosResource = {
  name: 'cpus',
  type: 'SCALAR',
  scalar: { value: 1 },
  reservations: [
    { type: 'STATIC', role: 'slave_public' },
    {
      type: 'DYNAMIC',
      role: 'slave_public/kafka-role',
      principal: 'kafka-principal',
      labels: labels({ resource_id: 'r2' }),
    },
  ],
};

describe('reservationOf', () => {
  it('reads pre-1.4, ENDPOINT and refined formats alike', () => {
    expect(reservationOf(pre14Dynamic)).toMatchObject({
      kind: 'dynamic',
      role: 'kafka-role',
      principal: 'kafka-principal',
      depth: 1,
    });
    expect(reservationOf(endpointDynamic)).toMatchObject({
      kind: 'dynamic',
      role: 'kafka-role',
      principal: 'kafka-principal',
      depth: 1,
    });
    expect(reservationOf(refined)).toMatchObject({ kind: 'dynamic', role: 'slave_public/kafka-role', depth: 2 });
    expect(reservationOf({ name: 'cpus', type: 'SCALAR', role: 'slave_public' })).toMatchObject({ kind: 'static' });
    expect(reservationOf({ name: 'cpus', type: 'SCALAR', role: '*' })).toMatchObject({ kind: 'unreserved' });
    expect(
      reservationOf({
        name: 'cpus',
        type: 'SCALAR',
        role: 'slave_public',
        reservations: [{ type: 'STATIC', role: 'slave_public' }],
      }),
    ).toMatchObject({ kind: 'static' });
  });
});

describe('selectResource', () => {
  it('selects a dynamic reservation of the role and principal with the SDK label, in both formats', () => {
    expect(selectResource(pre14Dynamic, target)).toEqual({ selected: true });
    expect(selectResource(endpointDynamic, target)).toEqual({ selected: true });
  });

  it('selects the refined reservation of a pre-reserved pod', () => {
    expect(selectResource(refined, target)).toEqual({ selected: true });
  });

  it('does not select a hierarchical child role reserved directly', () => {
    expect(selectResource({ ...pre14Dynamic, role: 'kafka-role/child' }, target)).toEqual({ selected: false });
  });

  it('spares another principal, and says so', () => {
    const sibling = {
      ...pre14Dynamic,
      reservation: { principal: 'other-principal', labels: labels({ resource_id: 'x' }) },
    };
    expect(selectResource(sibling, target)).toEqual({ selected: false, reason: 'other-principal' });
  });

  it('spares a volume created by another principal', () => {
    const volume = { ...pre14Dynamic, name: 'disk', disk: { persistence: { id: 'v', principal: 'other-principal' } } };
    expect(selectResource(volume, target)).toEqual({ selected: false, reason: 'other-principal' });
  });

  it('spares static reservations of the role', () => {
    expect(selectResource({ name: 'cpus', type: 'SCALAR', role: 'kafka-role' }, target)).toEqual({
      selected: false,
      reason: 'static',
    });
  });

  it('spares Marathon resident reservations', () => {
    const resident = {
      ...pre14Dynamic,
      reservation: {
        principal: 'kafka-principal',
        labels: labels({ marathon_framework_id: 'm', marathon_task_id: 't' }),
      },
    };
    expect(selectResource(resident, target)).toEqual({ selected: false, reason: 'marathon-resident' });
  });

  it('spares unlabeled reservations unless asked', () => {
    const unlabeled = { ...pre14Dynamic, reservation: { principal: 'kafka-principal' } };
    expect(selectResource(unlabeled, target)).toEqual({ selected: false, reason: 'unlabeled' });
    expect(selectResource(unlabeled, { ...target, includeUnlabeled: true })).toEqual({ selected: true });
  });

  it('spares a framework_id label of another framework when the target framework is known', () => {
    const labelled = {
      ...pre14Dynamic,
      reservation: { principal: 'kafka-principal', labels: labels({ resource_id: 'r', framework_id: 'F2' }) },
    };
    expect(selectResource(labelled, { ...target, frameworkIds: ['F1'] })).toEqual({
      selected: false,
      reason: 'other-framework',
    });
    expect(selectResource(labelled, { ...target, frameworkIds: ['F2'] })).toEqual({ selected: true });
    expect(selectResource(labelled, target)).toEqual({ selected: true });
  });

  it('ignores other roles entirely', () => {
    expect(selectResource({ ...pre14Dynamic, role: 'hdfs-role' }, target)).toEqual({ selected: false });
  });
});

describe('planAgentCleanup', () => {
  const volume: MesosResource = {
    name: 'disk',
    type: 'SCALAR',
    scalar: { value: 5000 },
    role: 'kafka-role',
    reservation: { principal: 'kafka-principal', labels: labels({ resource_id: 'v1' }) },
    disk: { persistence: { id: 'p1', principal: 'kafka-principal' }, volume: { mode: 'RW', container_path: 'data' } },
  };
  const agent = (used: MesosResource[]): MesosAgent => ({
    id: 'S1',
    hostname: 'h1',
    active: true,
    reserved_resources_full: {
      'kafka-role': [pre14Dynamic, volume],
      slave_public: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 4 }, role: 'slave_public' }],
    },
    used_resources_full: used,
  });

  it('separates volumes from reservations', () => {
    const plan = planAgentCleanup(agent([]), target);
    expect(plan.volumes).toEqual([volume]);
    expect(plan.reservations).toEqual([pre14Dynamic]);
    expect(plan.inUse).toEqual([]);
    expect(plan.skipped).toEqual([]);
  });

  it('marks what a task uses (allocation_info and partial amounts do not matter)', () => {
    const used = { ...pre14Dynamic, scalar: { value: 0.5 }, allocation_info: { role: 'kafka-role' } };
    const plan = planAgentCleanup(agent([used]), target);
    expect(plan.inUse).toEqual([pre14Dynamic]);
    expect(plan.reservations).toEqual([]);
  });

  it('summarises amounts for the table', () => {
    expect(summariseResources([pre14Dynamic, volume])).toBe('cpus 1, disk 5000 MB');
  });
});

describe('targetFromRequest', () => {
  const base = { roles: [], frameworkIds: [], includeUnlabeled: false };
  it('derives everything from --service, flags override', () => {
    const { target: derived } = targetFromRequest({ ...base, service: '/data/kafka' });
    expect(derived).toMatchObject({
      roles: ['data__kafka-role'],
      principals: ['/data/kafka-principal', 'data/kafka-principal'],
      zkNode: 'dcos-service-data__kafka',
      marathonAppId: '/data/kafka',
    });
    const { target: overridden } = targetFromRequest({
      ...base,
      service: 'kafka',
      roles: ['custom'],
      principal: 'sa',
      zkNode: 'zk',
    });
    expect(overridden).toMatchObject({ roles: ['custom'], principals: ['sa'], zkNode: 'zk' });
  });

  it('knows the service behind an SDK znode given with -z', () => {
    const { target: fromZk } = targetFromRequest({ ...base, zkNode: 'dcos-service-data__kafka' });
    expect(fromZk).toMatchObject({
      marathonAppId: '/data/kafka',
      frameworkNames: ['/data/kafka', 'data/kafka'],
      roles: [],
    });
  });
});

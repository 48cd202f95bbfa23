import { SlavesResponse } from '../src/clients/mesos-schemas';
import { SdkPlan } from '../src/clients/sdk-scheduler-schemas';
import { findStuckSteps, isUnreservePhase } from '../src/domain/stuck-steps';
import { renderPlanTree } from '../src/render/plan-tree';

/** The tree format and the stuck-step rule, on the reference's composed examples (docs/reference/sdk-plans.md §3, §7). */

const composed: SdkPlan = {
  phases: [
    {
      id: 'a',
      name: 'kill-tasks',
      strategy: 'parallel',
      status: 'COMPLETE',
      steps: [
        {
          id: '1',
          status: 'COMPLETE',
          name: 'kill-task-data.kafka__kafka-0-broker__7c2e55d0-1f43-4b8e-9a65-2f1d3c4b5a69',
        },
      ],
    },
    {
      id: 'b',
      name: 'unreserve-resources-10.0.2.31',
      strategy: 'parallel',
      status: 'COMPLETE',
      steps: [{ id: '2', status: 'COMPLETE', name: 'unreserve-1e5a9c3b-7d2f-4a60-b8e4-0f6c2d9a1b37' }],
    },
    {
      id: 'c',
      name: 'unreserve-resources-10.0.4.7',
      strategy: 'parallel',
      status: 'IN_PROGRESS',
      steps: [
        { id: '3', status: 'PREPARED', name: 'unreserve-6a0e3f71-2c9b-4d5e-8f14-b7a2c6d90e58' },
        { id: '4', status: 'PREPARED', name: 'unreserve-d3b1e8c4-5f60-4a2d-9e37-1c8b4f6a2d05' },
      ],
    },
    {
      id: 'd',
      name: 'deregister-service',
      strategy: 'serial',
      status: 'PENDING',
      steps: [{ id: '5', status: 'PENDING', name: 'deregister' }],
    },
  ],
  errors: [],
  status: 'IN_PROGRESS',
  strategy: 'dependency',
};

describe('renderPlanTree', () => {
  it('prints the current format (SDK CLI >= 0.31)', () => {
    expect(renderPlanTree('deploy', composed)).toBe(
      [
        'deploy (dependency strategy) (IN_PROGRESS)',
        '├─ kill-tasks (parallel strategy) (COMPLETE)',
        '│  └─ kill-task-data.kafka__kafka-0-broker__7c2e55d0-1f43-4b8e-9a65-2f1d3c4b5a69 (COMPLETE)',
        '├─ unreserve-resources-10.0.2.31 (parallel strategy) (COMPLETE)',
        '│  └─ unreserve-1e5a9c3b-7d2f-4a60-b8e4-0f6c2d9a1b37 (COMPLETE)',
        '├─ unreserve-resources-10.0.4.7 (parallel strategy) (IN_PROGRESS)',
        '│  ├─ unreserve-6a0e3f71-2c9b-4d5e-8f14-b7a2c6d90e58 (PREPARED)',
        '│  └─ unreserve-d3b1e8c4-5f60-4a2d-9e37-1c8b4f6a2d05 (PREPARED)',
        '└─ deregister-service (serial strategy) (PENDING)',
        '   └─ deregister (PENDING)',
      ].join('\n'),
    );
  });

  it('prints the legacy format for a scheduler that sends no strategy', () => {
    const legacy: SdkPlan = {
      status: 'IN_PROGRESS',
      errors: [],
      phases: [
        {
          name: 'kill-tasks',
          status: 'COMPLETE',
          steps: [{ name: 'kill-task-broker-0__0f9e8d7c-6b5a-4493-8271-605f4e3d2c1b', status: 'COMPLETE' }],
        },
        { name: 'deregister-service', status: 'PENDING', steps: [{ name: 'deregister', status: 'PENDING' }] },
      ],
    };
    expect(renderPlanTree('deploy', legacy)).toBe(
      [
        'deploy (IN_PROGRESS)',
        '├─ kill-tasks (COMPLETE)',
        '│  └─ kill-task-broker-0__0f9e8d7c-6b5a-4493-8271-605f4e3d2c1b (COMPLETE)',
        '└─ deregister-service (PENDING)',
        '   └─ deregister (PENDING)',
      ].join('\n'),
    );
  });

  it('prints <UNKNOWN> for missing fields, and the errors block', () => {
    expect(renderPlanTree('deploy', {})).toBe('deploy (<UNKNOWN> strategy) (<UNKNOWN>)');
    expect(renderPlanTree('deploy', { status: 'ERROR', strategy: 'serial', phases: [], errors: ['a', 'b'] })).toBe(
      'deploy (serial strategy) (ERROR)\n\nErrors:\n- a\n- b',
    );
  });

  it('parses back with the reference pattern', () => {
    const pattern = /^((?:│ {2}| {3})?)([├└]─ )?(.+?)(?: \(([^()]+) strategy\))? \(([A-Z_]+|<UNKNOWN>)\)$/;
    for (const line of renderPlanTree('deploy', composed).split('\n')) expect(pattern.test(line)).toBe(true);
  });
});

describe('findStuckSteps', () => {
  const slaves: SlavesResponse = {
    slaves: [
      {
        id: 'S1',
        hostname: '10.0.2.31',
        active: true,
        reserved_resources_full: {
          'kafka-role': [
            {
              name: 'cpus',
              type: 'SCALAR',
              scalar: { value: 1 },
              role: 'kafka-role',
              reservation: { principal: 'p', labels: { labels: [{ key: 'resource_id', value: 'live-1' }] } },
            },
          ],
        },
      },
    ],
  };

  it('per-agent phases: stuck when the phase host is not a registered agent', () => {
    const stuck = findStuckSteps(composed, slaves);
    expect(stuck.map((step) => step.step)).toEqual([
      'unreserve-6a0e3f71-2c9b-4d5e-8f14-b7a2c6d90e58',
      'unreserve-d3b1e8c4-5f60-4a2d-9e37-1c8b4f6a2d05',
    ]);
    expect(stuck[0]).toMatchObject({ phase: 'unreserve-resources-10.0.4.7', agentHostname: '10.0.4.7' });
  });

  it('the single legacy phase: stuck when no registered agent holds the resource_id; never deregister', () => {
    const plan: SdkPlan = {
      status: 'IN_PROGRESS',
      phases: [
        {
          name: 'unreserve-resources',
          status: 'IN_PROGRESS',
          steps: [
            { name: 'unreserve-live-1', status: 'PENDING' },
            { name: 'unreserve-gone-1', status: 'PENDING' },
            { name: 'unreserve-gone-2', status: 'COMPLETE' },
          ],
        },
        { name: 'deregister-service', status: 'PENDING', steps: [{ name: 'deregister', status: 'PENDING' }] },
      ],
    };
    expect(findStuckSteps(plan, slaves).map((step) => step.step)).toEqual(['unreserve-gone-1']);
  });

  it('an inactive agent counts as not registered', () => {
    const inactive = { slaves: [{ ...slaves.slaves[0], active: false }] };
    expect(
      findStuckSteps(
        {
          phases: [
            { name: 'unreserve-resources-10.0.2.31', steps: [{ name: 'unreserve-live-1', status: 'PREPARED' }] },
          ],
        },
        inactive,
      ),
    ).toHaveLength(1);
  });

  it('recognises unreserve phases by name', () => {
    expect(isUnreservePhase('unreserve-resources')).toBe(true);
    expect(isUnreservePhase('unreserve-resources-10.0.0.1')).toBe(true);
    expect(isUnreservePhase('unreserve')).toBe(false);
    expect(isUnreservePhase('deregister-service')).toBe(false);
  });
});

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';

/**
 * Scenario files: a compact description of a cluster (agents, reservations,
 * volumes, frameworks, tasks, Marathon apps, znodes) that the simulator expands
 * into Mesos resources. Resource ids are derived from the scenario name and the
 * reservation's `ref`, so every run of a scenario serves the same payloads.
 */

const RangeList = z.array(z.tuple([z.number(), z.number()]));

const ReservationSpec = z.object({
  /** Name tasks use to say they run on these resources. */
  ref: z.string(),
  role: z.string(),
  principal: z.string().optional(),
  /** Extra labels; the SDK's resource_id is added per resource unless sdkLabels is false. */
  labels: z.record(z.string(), z.string()).optional(),
  sdkLabels: z.boolean().default(true),
  /** resource_id labels given explicitly (by resource: cpus, mem, disk, ports, volume), e.g. to replay a seed. */
  resourceIds: z.record(z.string(), z.string()).optional(),
  /** SDK >= 0.57.3 adds a framework_id label (docs/reference/mesos.md §7). */
  frameworkIdLabel: z.string().optional(),
  /** A pod with pre-reserved-role: X reserves under the refined role X/<role> (Mesos >= 1.4). */
  preReservedRole: z.string().optional(),
  cpus: z.number().optional(),
  mem: z.number().optional(),
  disk: z.number().optional(),
  ports: RangeList.optional(),
  volume: z
    .object({
      id: z.string().optional(),
      containerPath: z.string(),
      size: z.number(),
      source: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
});
export type ReservationSpec = z.infer<typeof ReservationSpec>;

const AgentSpec = z.object({
  id: z.string(),
  hostname: z.string(),
  /** Unreserved capacity beyond the reservations below. */
  resources: z.object({ cpus: z.number(), mem: z.number(), disk: z.number(), ports: RangeList.optional() }),
  /** Public agents run with --default_role=slave_public: their capacity is statically reserved. */
  staticRole: z.string().optional(),
  attributes: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  reservations: z.array(ReservationSpec).default([]),
  /** Resources in raw Mesos JSON (any accepted format), e.g. copied from a capture. */
  rawReserved: z.array(z.unknown()).default([]),
  /** registered (default), recovered (known, not re-registered) or gone (removed: invisible). */
  state: z.enum(['registered', 'recovered', 'gone']).default('registered'),
});
export type AgentSpec = z.infer<typeof AgentSpec>;

const TaskSpec = z.object({
  id: z.string(),
  name: z.string(),
  agent: z.string(),
  state: z.string().default('TASK_RUNNING'),
  /** Reservation refs whose resources the task uses. */
  uses: z.array(z.string()).default([]),
  /** Resources in raw Mesos JSON the task uses, e.g. a capture's used_resources_full. */
  usesRaw: z.array(z.unknown()).default([]),
});

const FrameworkSpec = z.object({
  id: z.string(),
  name: z.string(),
  role: z.string().optional(),
  roles: z.array(z.string()).optional(),
  principal: z.string().optional(),
  active: z.boolean().default(true),
  connected: z.boolean().default(true),
  /** Torn down already: listed in completed_frameworks. */
  completed: z.boolean().default(false),
  /** DC/OS system frameworks (marathon, metronome): teardown refuses them unless forced. */
  system: z.boolean().default(false),
  hostname: z.string().optional(),
  webuiUrl: z.string().optional(),
  /** Seconds before the simulation starts that it registered (default a day). */
  registeredAgo: z.number().optional(),
  /** Seconds before the start that its scheduler re-registered (Mesos writes reregistered_time only then). */
  reregisteredAgo: z.number().optional(),
  /**
   * Seconds before the start that its scheduler went away (default an hour, for one not connected).
   * null: Mesos writes `unregistered_time: 0`, as the Mesos 1.0 capture does (the time is unknown).
   */
  unregisteredAgo: z.number().nullable().optional(),
  tasks: z.array(TaskSpec).default([]),
});
export type FrameworkSpec = z.infer<typeof FrameworkSpec>;

/** A DC/OS SDK scheduler run by a Marathon app (docs/reference/sdk-plans.md). */
const SchedulerPlanSpec = z.object({
  strategy: z.string().default('serial'),
  /** Sidecar plans (backup...) wait interrupted until `plan start`. */
  interrupted: z.boolean().default(false),
  phases: z.array(
    z.object({
      name: z.string(),
      strategy: z.string().default('serial'),
      steps: z.array(z.object({ name: z.string(), status: z.string().default('PENDING') })),
    }),
  ),
});
const SchedulerSpec = z.object({
  /** SDK version: selects phase naming, statuses, 404 texts and strategy fields. */
  sdkVersion: z.string().default('0.58.0'),
  /** Normal-mode plans by name (deploy, and sidecar plans such as backup). Ignored in uninstall mode. */
  plans: z.record(z.string(), SchedulerPlanSpec).default({}),
  /** Order of the unreserve steps (resource ids), as the scheduler's state store happens to list them. */
  unreserveOrder: z.array(z.string()).optional(),
  /** The service uses TLS: the uninstall plan gets a tls-cleanup phase. */
  tls: z.boolean().default(false),
  /** How often the scheduler makes progress on its plans. */
  stepMs: z.number().default(50),
});
export type SchedulerSpec = z.infer<typeof SchedulerSpec>;
export type SchedulerPlanSpec = z.infer<typeof SchedulerPlanSpec>;

const AppSpec = z
  .object({
    id: z.string(),
    instances: z.number().default(1),
    labels: z.record(z.string(), z.string()).default({}),
    env: z.record(z.string(), z.string()).default({}),
    /** The Mesos framework this app's scheduler registers (for relaunch behaviour). */
    schedulerFrameworkId: z.string().optional(),
    /** An SDK scheduler behind /service/<DCOS_SERVICE_NAME>; uninstall mode when env SDK_UNINSTALL is set. */
    scheduler: SchedulerSpec.optional(),
  })
  .loose();
export type AppSpec = z.infer<typeof AppSpec>;

/** Nested ZooKeeper tree: a string is a leaf's data, an object a node with children. */
export type ZnodeTree = { [name: string]: string | ZnodeTree };
const ZnodeTreeSchema: z.ZodType<ZnodeTree> = z.lazy(() =>
  z.record(z.string(), z.union([z.string(), ZnodeTreeSchema])),
);

export const ScenarioSchema = z.object({
  name: z.string(),
  description: z.string().default(''),
  dcosVersion: z.string().default('1.11.0'),
  mesosVersion: z.string().default('1.5.0'),
  clusterName: z.string().default('sim'),
  /** What Admin Router's /metadata says as CLUSTER_ID (a cluster's id is a UUID; any string here). */
  clusterId: z.string().optional(),
  /** When set, Admin Router requires `Authorization: token=<this>`. */
  authToken: z.string().optional(),
  /** Accounts /acs/api/v1/auth/login accepts: RS256 login tokens checked with publicKey (PEM), or a password. */
  serviceAccounts: z
    .array(z.object({ uid: z.string(), publicKey: z.string().optional(), password: z.string().optional() }))
    .default([]),
  agents: z.array(AgentSpec),
  frameworks: z.array(FrameworkSpec).default([]),
  marathon: z.object({ apps: z.array(AppSpec).default([]) }).default({ apps: [] }),
  znodes: ZnodeTreeSchema.default({}),
});
export type Scenario = z.infer<typeof ScenarioSchema>;

export const SCENARIO_DIR = path.resolve(__dirname, '../../scenarios');

/** A shipped scenario by name, a JSON file path, or `generated:<agents>`. */
export function loadScenario(nameOrPath: string): Scenario {
  const generated = /^generated:(\d+)$/.exec(nameOrPath);
  if (generated) return generateScenario(Number(generated[1]));
  const file = fs.existsSync(nameOrPath) ? nameOrPath : path.join(SCENARIO_DIR, `${nameOrPath}.json`);
  if (!fs.existsSync(file)) {
    throw new Error(
      `No scenario '${nameOrPath}': known ones are ${listScenarios().join(', ')}, generated:<N>, or a JSON file path.`,
    );
  }
  return parseScenario(JSON.parse(fs.readFileSync(file, 'utf8')), file);
}

export function parseScenario(json: unknown, where = 'scenario'): Scenario {
  const result = ScenarioSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`${where}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return result.data;
}

export function listScenarios(): string[] {
  return fs
    .readdirSync(SCENARIO_DIR)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.replace(/\.json$/, ''))
    .sort();
}

/** A UUID-shaped id that is the same for the same seed text. */
export function stableUuid(seed: string): string {
  const hex = crypto.createHash('sha1').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A cluster of N agents for the benchmark: an SDK service "bench" (role
 * bench-role, principal bench-principal) with a reservation on every agent and a
 * volume on every other one, a sibling service sharing nothing, and a public agent.
 */
export function generateScenario(agentCount: number): Scenario {
  const agents: AgentSpec[] = [];
  for (let i = 0; i < agentCount; i++) {
    const reservations: ReservationSpec[] = [
      {
        ref: `bench-${i}`,
        role: 'bench-role',
        principal: 'bench-principal',
        sdkLabels: true,
        cpus: 1,
        mem: 1024,
        disk: 256,
        ports: [[10000 + (i % 1000), 10000 + (i % 1000)]],
        ...(i % 2 === 0 ? { volume: { containerPath: 'bench-data', size: 4096 } } : {}),
      },
    ];
    if (i % 10 === 0) {
      reservations.push({
        ref: `other-${i}`,
        role: 'other-role',
        principal: 'other-principal',
        sdkLabels: true,
        cpus: 0.5,
        mem: 512,
      });
    }
    agents.push({
      id: `b0000000-0000-4000-8000-000000000000-S${i}`,
      hostname: `10.1.${Math.floor(i / 250)}.${i % 250}`,
      resources: {
        cpus: 8,
        mem: 32768,
        disk: 200000,
        ports: [
          [1025, 2180],
          [2182, 3887],
          [3889, 5049],
          [5052, 8079],
        ],
      },
      reservations,
      rawReserved: [],
      state: 'registered',
    });
  }
  return parseScenario({
    name: `generated:${agentCount}`,
    description: `Generated cluster of ${agentCount} agents for the benchmark.`,
    dcosVersion: '1.12.0',
    mesosVersion: '1.7.0',
    agents,
    frameworks: [
      {
        id: 'b0000000-0000-4000-8000-000000000000-0000',
        name: 'marathon',
        roles: ['slave_public'],
        principal: 'dcos_marathon',
        system: true,
      },
      {
        id: 'b0000000-0000-4000-8000-000000000000-0007',
        name: 'bench',
        role: 'bench-role',
        principal: 'bench-principal',
        completed: true,
        active: false,
        connected: false,
      },
    ],
    znodes: { 'dcos-service-bench': { FrameworkID: 'b0000000-0000-4000-8000-000000000000-0007', SchemaVersion: '1' } },
  });
}

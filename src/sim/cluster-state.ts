import { AgentSpec, FrameworkSpec, ReservationSpec, Scenario, SchedulerSpec, ZnodeTree, stableUuid } from './scenario';
import { SimClock } from './clock';
import {
  MesosVersion,
  SimReservation,
  SimResource,
  addResources,
  lastReservation,
  parseResource,
  subtractResources,
} from './resources';

/**
 * The simulated cluster's state, shared by the Mesos, Marathon and Exhibitor
 * handlers so that an operation through one is seen by the others (a teardown
 * frees the resources its tasks used; a deleted app stops relaunching).
 */

export interface SimTask {
  id: string;
  name: string;
  frameworkId: string;
  agentId: string;
  state: string;
  resources: SimResource[];
}

export interface SimFramework {
  id: string;
  name: string;
  role?: string;
  roles?: string[];
  principal?: string;
  active: boolean;
  connected: boolean;
  recovered: boolean;
  system: boolean;
  hostname: string;
  webuiUrl: string;
  registeredTime: number;
  /** Written only after a re-registration, as Mesos does. */
  reregisteredTime?: number;
  unregisteredTime: number;
  tasks: SimTask[];
  completedTasks: SimTask[];
}

export interface SimAgent {
  id: string;
  hostname: string;
  port: number;
  state: 'registered' | 'recovered' | 'gone';
  attributes: Record<string, string | number>;
  registeredTime: number;
  /** Everything the agent has: unreserved, static, dynamic and volumes, merged as Mesos does. */
  total: SimResource[];
}

export interface SimApp {
  id: string;
  instances: number;
  labels: Record<string, string>;
  env: Record<string, string>;
  schedulerFrameworkId?: string;
  schedulerSpec?: SchedulerSpec;
  version: string;
  /** Extra fields of the scenario's app definition, served as they are. */
  extra: Record<string, unknown>;
  tasksRunning: number;
  tasksStaged: number;
  /**
   * Where its task listens (SDK schedulers: the simulator's listener for it); Marathon reports it as
   * the task's host and ports.
   */
  taskAddress?: { host: string; ports: number[] };
  /** Set when the relaunched scheduler crash-loops ("Framework has been removed"). */
  lastTaskFailure?: { state: string; message: string; timestamp: string };
  deployments: string[];
}

export interface SimDeployment {
  id: string;
  version: string;
  affectedApps: string[];
  action: 'StopApplication' | 'RestartApplication' | 'ScaleApplication';
}

const START_TIME = 1_700_000_000;

export class ClusterState {
  readonly version: MesosVersion;
  readonly agents = new Map<string, SimAgent>();
  readonly frameworks = new Map<string, SimFramework>();
  readonly completedFrameworks: SimFramework[] = [];
  /** ZooKeeper: absolute path -> data. The root "/" is implied. */
  readonly znodes = new Map<string, string>();
  readonly apps = new Map<string, SimApp>();
  readonly deployments = new Map<string, SimDeployment>();
  /** Called after a teardown; the simulator uses it to let Marathon relaunch the scheduler. */
  onTornDown?: (framework: SimFramework) => void;

  constructor(
    readonly scenario: Scenario,
    readonly clock: SimClock = new SimClock('real'),
  ) {
    this.version = new MesosVersion(scenario.mesosVersion);
    const refs = new Map<string, { agentId: string; resources: SimResource[] }>();
    for (const spec of scenario.agents) this.addAgent(spec, refs);
    for (const spec of scenario.frameworks) this.addFramework(spec, refs);
    addZnodes(this.znodes, '', scenario.znodes);
    for (const app of scenario.marathon.apps) {
      const {
        id,
        instances,
        labels,
        env,
        schedulerFrameworkId,
        scheduler,
        tasksRunning,
        tasksStaged,
        lastTaskFailure,
        ...extra
      } = app;
      const appId = `/${id.replace(/^\/+/, '')}`;
      this.apps.set(appId, {
        id: appId,
        instances,
        labels,
        env,
        schedulerFrameworkId,
        schedulerSpec: scheduler,
        version: new Date(START_TIME * 1000).toISOString(),
        extra,
        // A scenario may start an app mid-life: a scheduler crash-looping (0 running, 1 staged, its last failure).
        tasksRunning: typeof tasksRunning === 'number' ? tasksRunning : instances,
        tasksStaged: typeof tasksStaged === 'number' ? tasksStaged : 0,
        lastTaskFailure: lastTaskFailure as SimApp['lastTaskFailure'],
        deployments: [],
      });
    }
  }

  /** The simulated time, in the seconds Mesos timestamps use. */
  nowSeconds(): number {
    return this.clock.now() / 1000;
  }

  nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  registeredAgents(): SimAgent[] {
    return [...this.agents.values()].filter((agent) => agent.state === 'registered');
  }

  /** Resources of the agent used by live tasks of any framework. */
  usedResources(agentId: string): Array<{ task: SimTask; framework: SimFramework }> {
    const used: Array<{ task: SimTask; framework: SimFramework }> = [];
    for (const framework of this.frameworks.values()) {
      for (const task of framework.tasks) if (task.agentId === agentId) used.push({ task, framework });
    }
    return used;
  }

  /** Total minus what tasks use: what an operation may take (offers are not modelled: Mesos rescinds them first). */
  availableResources(agent: SimAgent): SimResource[] {
    const used = this.usedResources(agent.id).flatMap(({ task }) => task.resources);
    return subtractResources(agent.total, used) ?? agent.total;
  }

  /**
   * Teardown: the framework moves to completed_frameworks, its tasks are killed and
   * their resources freed. `byItsScheduler`: an SDK scheduler deregistering itself at
   * the end of an uninstall keeps running, so Marathon has nothing to relaunch.
   */
  tearDown(frameworkId: string, byItsScheduler = false): boolean {
    const framework = this.frameworks.get(frameworkId);
    if (!framework) return false;
    this.frameworks.delete(frameworkId);
    for (const task of framework.tasks) framework.completedTasks.push({ ...task, state: 'TASK_KILLED' });
    framework.tasks = [];
    framework.active = false;
    framework.connected = false;
    framework.unregisteredTime = this.nowSeconds();
    this.completedFrameworks.push(framework);
    if (!byItsScheduler) this.onTornDown?.(framework);
    return true;
  }

  /** A framework id the master has not handed out yet, in the scenario's id style. */
  nextFrameworkId(): string {
    const all = [...this.frameworks.keys(), ...this.completedFrameworks.map((framework) => framework.id)];
    const prefix = all[0]?.replace(/-\d+$/, '') ?? 'sim-master';
    const highest = Math.max(0, ...all.map((id) => Number(/-(\d+)$/.exec(id)?.[1] ?? 0)));
    return `${prefix}-${String(highest + 1).padStart(4, '0')}`;
  }

  /**
   * What an SDK scheduler does with an offered resource it owns during uninstall:
   * destroy the volume (if it is one), then unreserve it (one level). Only on a
   * registered agent: Mesos offers nothing from the others.
   */
  releaseOwnResource(resourceId: string): 'released' | 'agent-unavailable' | 'in-use' | 'absent' {
    const carries = (resource: SimResource) =>
      lastReservation(resource)?.labels?.some((label) => label.key === 'resource_id' && label.value === resourceId) ??
      false;
    for (const agent of this.agents.values()) {
      const index = agent.total.findIndex(carries);
      if (index < 0) continue;
      if (agent.state !== 'registered') return 'agent-unavailable';
      if (this.usedResources(agent.id).some(({ task }) => task.resources.some(carries))) return 'in-use';
      const resource = agent.total[index];
      const rest = [...agent.total.slice(0, index), ...agent.total.slice(index + 1)];
      const plain: SimResource = {
        name: resource.name,
        type: resource.type,
        scalar: resource.scalar,
        ranges: resource.ranges,
        set: resource.set,
        reservations: resource.reservations.slice(0, -1),
      };
      if (resource.disk?.source) plain.disk = { source: resource.disk.source };
      agent.total = addResources(rest, [plain]);
      return 'released';
    }
    return 'absent';
  }

  deleteZnodeRecursive(path: string, failAfter?: number): { deleted: number; failedAt?: string } {
    const victims = [...this.znodes.keys()].filter((key) => key === path || key.startsWith(`${path}/`));
    // Depth first, as Exhibitor does: children before their parent.
    victims.sort((a, b) => b.split('/').length - a.split('/').length || a.localeCompare(b));
    let deleted = 0;
    for (const victim of victims) {
      if (failAfter !== undefined && deleted >= failAfter) return { deleted, failedAt: victim };
      this.znodes.delete(victim);
      deleted++;
    }
    return { deleted };
  }

  private addAgent(spec: AgentSpec, refs: Map<string, { agentId: string; resources: SimResource[] }>): void {
    const unreservedStack: SimReservation[] = spec.staticRole ? [{ type: 'STATIC', role: spec.staticRole }] : [];
    let total: SimResource[] = [
      { name: 'cpus', type: 'SCALAR', scalar: spec.resources.cpus, reservations: unreservedStack },
      { name: 'mem', type: 'SCALAR', scalar: spec.resources.mem, reservations: unreservedStack },
      { name: 'disk', type: 'SCALAR', scalar: spec.resources.disk, reservations: unreservedStack },
      { name: 'gpus', type: 'SCALAR', scalar: 0, reservations: unreservedStack },
    ];
    if (spec.resources.ports)
      total.push({ name: 'ports', type: 'RANGES', ranges: spec.resources.ports, reservations: unreservedStack });
    total = total.filter((resource) => resource.type !== 'SCALAR' || (resource.scalar ?? 0) > 0);
    for (const reservation of spec.reservations) {
      const resources = this.expandReservation(reservation);
      refs.set(reservation.ref, { agentId: spec.id, resources });
      total = addResources(total, resources);
    }
    total = addResources(total, spec.rawReserved.map(parseResource));
    this.agents.set(spec.id, {
      id: spec.id,
      hostname: spec.hostname,
      port: 5051,
      state: spec.state,
      attributes: spec.attributes ?? {},
      registeredTime: START_TIME,
      total,
    });
  }

  private expandReservation(spec: ReservationSpec): SimResource[] {
    if (spec.preReservedRole && !this.version.atLeast(1, 4)) {
      throw new Error(
        `Scenario ${this.scenario.name}: reservation ${spec.ref} is refined (preReservedRole), which Mesos < 1.4 cannot represent`,
      );
    }
    const stackFor = (name: string): SimReservation[] => {
      const labels = Object.entries(spec.labels ?? {}).map(([key, value]) => ({ key, value }));
      if (spec.sdkLabels)
        labels.push({
          key: 'resource_id',
          value: spec.resourceIds?.[name] ?? stableUuid(`${this.scenario.name}/${spec.ref}/${name}`),
        });
      if (spec.frameworkIdLabel) labels.push({ key: 'framework_id', value: spec.frameworkIdLabel });
      const dynamic: SimReservation = {
        type: 'DYNAMIC',
        role: spec.preReservedRole ? `${spec.preReservedRole}/${spec.role}` : spec.role,
      };
      if (spec.principal !== undefined) dynamic.principal = spec.principal;
      if (labels.length > 0) dynamic.labels = labels;
      return spec.preReservedRole ? [{ type: 'STATIC', role: spec.preReservedRole }, dynamic] : [dynamic];
    };
    const resources: SimResource[] = [];
    for (const name of ['cpus', 'mem', 'disk'] as const) {
      const value = spec[name];
      if (value !== undefined) resources.push({ name, type: 'SCALAR', scalar: value, reservations: stackFor(name) });
    }
    if (spec.ports)
      resources.push({ name: 'ports', type: 'RANGES', ranges: spec.ports, reservations: stackFor('ports') });
    if (spec.volume) {
      const volume: SimResource = {
        name: 'disk',
        type: 'SCALAR',
        scalar: spec.volume.size,
        reservations: stackFor('volume'),
        disk: {
          persistence: {
            id: spec.volume.id ?? stableUuid(`${this.scenario.name}/${spec.ref}/persistence`),
            ...(spec.principal ? { principal: spec.principal } : {}),
          },
          volume: { mode: 'RW', container_path: spec.volume.containerPath },
          ...(spec.volume.source ? { source: spec.volume.source } : {}),
        },
      };
      resources.push(volume);
    }
    return resources;
  }

  private addFramework(spec: FrameworkSpec, refs: Map<string, { agentId: string; resources: SimResource[] }>): void {
    // Relative to the simulated clock's start (the virtual clock's fixed start, or the wall clock for a demo).
    const started = Math.floor(this.clock.now() / 1000);
    const framework: SimFramework = {
      id: spec.id,
      name: spec.name,
      role: spec.role,
      roles: spec.roles,
      principal: spec.principal,
      active: spec.completed ? false : spec.active,
      connected: spec.completed ? false : spec.connected,
      recovered: false,
      system: spec.system,
      hostname: spec.hostname ?? '10.0.0.1',
      webuiUrl: spec.webuiUrl ?? '',
      // Times in seconds before the simulation starts; the defaults: registered a day before, and a
      // scheduler that is gone went an hour before. Mesos writes 0 for a framework that never unregistered.
      registeredTime: started - (spec.registeredAgo ?? 86_400),
      reregisteredTime: spec.reregisteredAgo === undefined ? undefined : started - spec.reregisteredAgo,
      unregisteredTime:
        spec.unregisteredAgo === null
          ? 0
          : spec.active && spec.connected && !spec.completed
            ? 0
            : started - (spec.unregisteredAgo ?? 3600),
      tasks: [],
      completedTasks: [],
    };
    for (const taskSpec of spec.tasks) {
      const resources = taskSpec.uses
        .flatMap((ref) => {
          const found = refs.get(ref);
          if (!found)
            throw new Error(`Scenario ${this.scenario.name}: task ${taskSpec.id} uses unknown reservation '${ref}'`);
          return found.resources;
        })
        .concat(taskSpec.usesRaw.map(parseResource));
      const task: SimTask = {
        id: taskSpec.id,
        name: taskSpec.name,
        frameworkId: spec.id,
        agentId: taskSpec.agent,
        state: taskSpec.state,
        resources,
      };
      if (spec.completed || isTerminal(taskSpec.state)) framework.completedTasks.push(task);
      else framework.tasks.push(task);
    }
    if (spec.completed) this.completedFrameworks.push(framework);
    else this.frameworks.set(spec.id, framework);
  }
}

export function isTerminal(state: string): boolean {
  return [
    'TASK_FINISHED',
    'TASK_FAILED',
    'TASK_KILLED',
    'TASK_LOST',
    'TASK_ERROR',
    'TASK_DROPPED',
    'TASK_GONE',
    'TASK_GONE_BY_OPERATOR',
  ].includes(state);
}

function addZnodes(store: Map<string, string>, parent: string, tree: ZnodeTree): void {
  for (const [name, value] of Object.entries(tree)) {
    const path = `${parent}/${name}`;
    if (typeof value === 'string') store.set(path, value);
    else {
      store.set(path, '');
      addZnodes(store, path, value);
    }
  }
}

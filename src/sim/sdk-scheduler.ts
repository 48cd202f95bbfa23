import * as crypto from 'node:crypto';

import { ClusterState, SimApp, SimFramework } from './cluster-state';
import { SimRequest, SimResponse, text } from './http-types';
import { innermostRole, lastReservation } from './resources';
import { SchedulerPlanSpec, SchedulerSpec } from './scenario';

/**
 * A DC/OS SDK scheduler behind `/service/<name>/v1/...` (docs/reference/sdk-plans.md):
 * plans with the status aggregation of PlanUtils, the plan commands and their
 * codes, normal mode and uninstall mode, steps that progress on a timer, unreserve
 * steps that complete only for resources on registered agents, and in-memory
 * force-complete overrides that a restart loses.
 */

type Status =
  'PENDING' | 'PREPARED' | 'STARTING' | 'STARTED' | 'COMPLETE' | 'IN_PROGRESS' | 'WAITING' | 'DELAYED' | 'ERROR';
type StepKind = 'deploy' | 'kill' | 'unreserve' | 'tls' | 'deregister';

interface SimStep {
  id: string;
  name: string;
  status: Status;
  kind: StepKind;
  resourceId?: string;
  taskId?: string;
  interrupted: boolean;
}

interface SimPhase {
  id: string;
  name: string;
  strategy: string;
  steps: SimStep[];
  interrupted: boolean;
}

interface SimPlan {
  name: string;
  strategy: string;
  phases: SimPhase[];
  errors: string[];
  interrupted: boolean;
}

class SdkVersion {
  private readonly parts: number[];
  constructor(text: string) {
    this.parts = text.split('.').map(Number);
  }
  atLeast(major: number, minor: number, patch = 0): boolean {
    const [a = 0, b = 0, c = 0] = this.parts;
    return a !== major ? a > major : b !== minor ? b > minor : c >= patch;
  }
}

export class SimScheduler {
  readonly version: SdkVersion;
  private plans = new Map<string, SimPlan>();
  /** Fault switch: the tls-cleanup step fails (IOException) until restarted. */
  tlsCleanupFails = false;
  /** Fault switch: the scheduler makes no progress (still answers), e.g. to look at a plan between two steps. */
  stalled = false;

  constructor(
    private readonly state: ClusterState,
    readonly app: SimApp,
    readonly spec: SchedulerSpec,
  ) {
    this.version = new SdkVersion(spec.sdkVersion);
    this.restart();
  }

  get uninstalling(): boolean {
    return this.app.env.SDK_UNINSTALL !== undefined;
  }

  get serviceName(): string {
    return this.app.labels.DCOS_SERVICE_NAME ?? this.app.id.replace(/^\//, '');
  }

  private framework(): SimFramework | undefined {
    const id = this.app.schedulerFrameworkId;
    return id
      ? (this.state.frameworks.get(id) ?? this.state.completedFrameworks.find((framework) => framework.id === id))
      : undefined;
  }

  /** A restart rebuilds every plan from the state store: new UUIDs, and in-memory overrides are lost. */
  restart(): void {
    this.plans.clear();
    if (this.uninstalling) {
      this.writeUninstallingProperty();
      const framework = this.framework();
      const deregistered = !framework || !this.state.frameworks.has(framework.id);
      if (deregistered && !this.state.znodes.has(`${this.zkRoot()}/FrameworkID`)) {
        // "Not registering with Mesos because uninstall is complete.": only the skeleton plan is served.
        this.plans.set('deploy', { name: 'deploy', strategy: 'serial', phases: [], errors: [], interrupted: false });
        return;
      }
      this.plans.set('deploy', this.uninstallPlan(framework));
      return;
    }
    for (const [name, planSpec] of Object.entries(this.spec.plans)) this.plans.set(name, buildPlan(name, planSpec));
  }

  private zkRoot(): string {
    return `/dcos-service-${this.serviceName.replace(/^\//, '').replace(/\//g, '__')}`;
  }

  private writeUninstallingProperty(): void {
    const root = this.zkRoot();
    if (!this.state.znodes.has(root)) return;
    this.state.znodes.set(`${root}/Properties`, this.state.znodes.get(`${root}/Properties`) ?? '');
    this.state.znodes.set(`${root}/Properties/uninstalling`, 'true');
  }

  private uninstallPlan(framework: SimFramework | undefined): SimPlan {
    const perAgent = this.version.atLeast(0, 52);
    const unreserveStatus: Status = this.version.atLeast(0, 50) ? 'PREPARED' : 'PENDING';
    // The state store lists tasks by name.
    const tasks = framework
      ? [...framework.tasks, ...framework.completedTasks].sort((a, b) => a.name.localeCompare(b.name))
      : [];
    const phases: SimPhase[] = [
      phase(
        'kill-tasks',
        'parallel',
        tasks.map((task) => step(`kill-task-${task.id}`, 'PENDING', 'kill', { taskId: task.id })),
      ),
    ];
    // One step per resource_id the scheduler reserved, on any agent it knows, registered or not.
    const owned = new Map<string, string>();
    for (const agent of this.state.agents.values()) {
      for (const resource of agent.total) {
        const reservation = lastReservation(resource);
        const resourceId = reservation?.labels?.find((label) => label.key === 'resource_id')?.value;
        if (!resourceId || !framework || reservation?.principal !== framework.principal) continue;
        // The real scheduler unreserves what its state store recorded as its own; where the SDK
        // labels the framework id (>= 0.57.3), a sibling's resources in a shared role are not.
        const frameworkLabel = reservation?.labels?.find((label) => label.key === 'framework_id')?.value;
        if (frameworkLabel !== undefined && frameworkLabel !== framework.id) continue;
        const roles = framework.roles ?? (framework.role ? [framework.role] : []);
        const role = innermostRole(resource);
        if (!roles.some((owned) => role === owned || role.endsWith(`/${owned}`))) continue;
        if (!owned.has(resourceId)) owned.set(resourceId, agent.hostname);
      }
    }
    const order = this.spec.unreserveOrder ?? [...owned.keys()];
    const ordered = [...order.filter((id) => owned.has(id)), ...[...owned.keys()].filter((id) => !order.includes(id))];
    const unreserveStep = (resourceId: string) =>
      step(`unreserve-${resourceId}`, unreserveStatus, 'unreserve', { resourceId });
    if (perAgent) {
      const hosts = [...new Set(ordered.map((id) => owned.get(id) as string))].sort();
      for (const host of hosts) {
        phases.push(
          phase(
            `unreserve-resources-${host}`,
            'parallel',
            ordered.filter((id) => owned.get(id) === host).map(unreserveStep),
          ),
        );
      }
    } else {
      phases.push(phase('unreserve-resources', 'parallel', ordered.map(unreserveStep)));
    }
    if (this.spec.tls) phases.push(phase('tls-cleanup', 'serial', [step('tls-cleanup', 'PENDING', 'tls')]));
    phases.push(phase('deregister-service', 'serial', [step('deregister', 'PENDING', 'deregister')]));
    // SDK >= 0.52: a dependency plan (every phase at once, deregister last); before: serial.
    return { name: 'deploy', strategy: perAgent ? 'dependency' : 'serial', phases, errors: [], interrupted: false };
  }

  // ------------------------------------------------------------ progress

  /** One unit of progress on every running plan. */
  tick(): void {
    if (this.stalled) return;
    for (const plan of this.plans.values()) {
      if (plan.interrupted || aggregate(plan, this.version) === 'COMPLETE') continue;
      for (const current of candidatePhases(plan)) {
        if (current.interrupted) continue;
        for (const candidate of candidateSteps(current)) {
          if (candidate.interrupted) continue;
          this.advance(candidate, plan);
        }
      }
    }
  }

  private advance(current: SimStep, plan: SimPlan): void {
    switch (current.kind) {
      case 'kill': {
        const framework = this.framework();
        const task = framework?.tasks.find((candidate) => candidate.id === current.taskId);
        if (framework && task) {
          framework.tasks = framework.tasks.filter((candidate) => candidate !== task);
          framework.completedTasks.push({ ...task, state: 'TASK_KILLED' });
        }
        current.status = 'COMPLETE';
        return;
      }
      case 'unreserve': {
        // Completes only when a registered agent offers the resource (docs/reference/sdk-plans.md §5.3).
        const released = this.state.releaseOwnResource(current.resourceId as string);
        if (released === 'released' || released === 'absent') current.status = 'COMPLETE';
        return;
      }
      case 'tls':
        if (this.tlsCleanupFails) {
          current.status = 'ERROR';
          plan.errors = ['tls-cleanup: java.io.IOException: Unable to delete secrets'];
        } else current.status = 'COMPLETE';
        return;
      case 'deregister':
        if (current.status === 'PENDING') {
          current.status = 'PREPARED';
          return;
        }
        this.deregister();
        current.status = 'COMPLETE';
        return;
      case 'deploy': {
        const next: Record<string, Status> = {
          PENDING: 'PREPARED',
          PREPARED: 'STARTING',
          STARTING: this.version.atLeast(0, 31) ? 'STARTED' : 'COMPLETE',
          STARTED: 'COMPLETE',
          DELAYED: 'PREPARED',
        };
        current.status = next[current.status] ?? current.status;
        return;
      }
    }
  }

  /** Delete every child of the service's znode except `lock` (the ACL keeps the root), then tear the framework down. */
  private deregister(): void {
    const root = this.zkRoot();
    for (const node of [...this.state.znodes.keys()]) {
      if (node.startsWith(`${root}/`) && node !== `${root}/lock`) this.state.znodes.delete(node);
    }
    const framework = this.framework();
    if (framework && this.state.frameworks.has(framework.id)) this.state.tearDown(framework.id, true);
  }

  // ------------------------------------------------------------ HTTP

  handle(request: SimRequest): SimResponse {
    const path = request.path.replace(/\/+$/, '');
    if (path === '/v1/health' && request.method === 'GET') return this.health();
    if (path === '/v1/state/frameworkId' && request.method === 'GET') {
      if (this.uninstalling) return text(404, 'Not Found');
      return jackson(200, { frameworkId: this.app.schedulerFrameworkId ?? '' });
    }
    if (path === '/v1/plans' && request.method === 'GET') return jackson(200, [...this.plans.keys()]);
    // The legacy single-plan API acts on deploy.
    const legacy = /^\/v1\/plan(?:\/(continue|interrupt|forceComplete|restart))?$/.exec(path);
    if (legacy) return legacy[1] ? this.command('deploy', legacy[1], request) : this.getPlan('deploy', request.method);
    const match = /^\/v1\/plans\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    if (!match) return text(404, 'Not Found');
    const planName = decodeURIComponent(match[1]);
    if (!match[2]) return this.getPlan(planName, request.method);
    if (request.method !== 'POST') return text(405, 'Method Not Allowed');
    return this.command(planName, match[2], request);
  }

  private health(): SimResponse {
    const deploy = this.plans.get('deploy');
    if (this.uninstalling) return { status: deploy?.errors.length ? 500 : 318, body: '' };
    return { status: deploy && aggregate(deploy, this.version) !== 'COMPLETE' ? 202 : 200, body: '' };
  }

  private notFound(kind: 'Plan' | 'Phase' | 'Step', name: string): SimResponse {
    return text(404, this.version.atLeast(0, 50) ? `${kind} ${name} not found` : 'Element not found');
  }

  private getPlan(name: string, method: string): SimResponse {
    if (method !== 'GET') return text(405, 'Method Not Allowed');
    const plan = this.plans.get(name);
    if (!plan) return this.notFound('Plan', name);
    const status = aggregate(plan, this.version);
    const body = this.planBody(plan);
    if (status === 'COMPLETE') return jackson(200, body);
    if (status === 'ERROR') return jackson(417, body);
    // SDK < 0.15 answered an incomplete plan with 503.
    return jackson(this.version.atLeast(0, 15) ? 202 : 503, body);
  }

  private planBody(plan: SimPlan): object {
    const withStrategy = this.version.atLeast(0, 31);
    const stepBody = (current: SimStep, interrupted: boolean) => {
      const status = displayStatus(current, interrupted);
      return {
        id: current.id,
        status,
        name: current.name,
        message: `com.mesosphere.sdk.scheduler.plan.DeploymentStep: ${current.name} [${current.id}] with status: ${status}`,
      };
    };
    return {
      phases: plan.phases.map((current) => ({
        id: current.id,
        name: current.name,
        steps: current.steps.map((item) => stepBody(item, plan.interrupted || current.interrupted || item.interrupted)),
        ...(withStrategy ? { strategy: current.strategy } : {}),
        status: aggregatePhase(current, plan.interrupted, this.version),
      })),
      errors: plan.errors,
      status: aggregate(plan, this.version),
      ...(withStrategy ? { strategy: plan.strategy } : {}),
    };
  }

  private command(planName: string, verb: string, request: SimRequest): SimResponse {
    const plan = this.plans.get(planName);
    if (!plan) return this.notFound('Plan', planName);
    const phaseName = request.query.get('phase');
    const stepName = request.query.get('step');
    const done = (what: string) => jackson(200, { message: what });
    const already = () => text(208, 'Command has already been reported or completed');

    if (verb === 'start' || verb === 'stop') {
      if (verb === 'start') {
        let parameters: Record<string, unknown> = {};
        try {
          parameters = request.body.trim() ? (JSON.parse(request.body) as Record<string, unknown>) : {};
        } catch {
          return text(400, "Couldn't parse parameters: the body is not a JSON object");
        }
        const bad = Object.keys(parameters).find((key) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key));
        if (bad !== undefined)
          return text(400, `Couldn't parse parameters: ${bad} is not a valid environment variable name`);
        resetAll(plan);
        plan.interrupted = false;
        return done(`Received cmd: start ${planName} with parameters: ${JSON.stringify(parameters)}`);
      }
      plan.interrupted = true;
      resetAll(plan);
      return done('Received cmd: stop');
    }

    if (stepName !== null && phaseName === null) {
      return this.version.atLeast(0, 50) ? text(400, 'Missing phase') : text(404, 'Element not found');
    }
    const target = phaseName === null ? undefined : findPhase(plan, phaseName);
    if (phaseName !== null && !target) return this.notFound('Phase', phaseName);
    const targetStep = target && stepName !== null ? findStep(target, stepName) : undefined;
    if (stepName !== null && !targetStep) return this.notFound('Step', stepName);
    const label = `Plan: ${planName}, Phase: ${phaseName ?? 'null'}, Step: ${stepName ?? 'null'}`;

    switch (verb) {
      case 'continue':
      case 'interrupt': {
        const interrupt = verb === 'interrupt';
        const element = target ?? plan;
        const complete = target
          ? aggregatePhase(target, false, this.version) === 'COMPLETE'
          : aggregate(plan, this.version) === 'COMPLETE';
        if (complete || element.interrupted === interrupt) return already();
        element.interrupted = interrupt;
        return done(`Received cmd: ${verb}`);
      }
      case 'forceComplete': {
        const steps = targetStep
          ? [targetStep]
          : target
            ? target.steps
            : plan.phases.flatMap((current) => current.steps);
        if (steps.every((current) => current.status === 'COMPLETE')) return already();
        for (const current of steps) current.status = 'COMPLETE';
        return done(`Received cmd: forceComplete for ${label}`);
      }
      case 'restart': {
        const steps = targetStep
          ? [targetStep]
          : target
            ? target.steps
            : plan.phases.flatMap((current) => current.steps);
        if (steps.every((current) => current.status === 'PENDING')) return already();
        for (const current of steps) current.status = 'PENDING';
        if (targetStep === undefined && target === undefined) plan.errors = [];
        if (steps.some((current) => current.kind === 'tls')) plan.errors = [];
        return done(`Received cmd: restart for ${label}`);
      }
      default:
        return text(404, 'Not Found');
    }
  }
}

// ------------------------------------------------------------ plan helpers

function uuid(): string {
  return crypto.randomUUID();
}

function step(name: string, status: Status, kind: StepKind, extra: Partial<SimStep> = {}): SimStep {
  return { id: uuid(), name, status, kind, interrupted: false, ...extra };
}

function phase(name: string, strategy: string, steps: SimStep[]): SimPhase {
  return { id: uuid(), name, strategy, steps, interrupted: false };
}

function buildPlan(name: string, spec: SchedulerPlanSpec): SimPlan {
  return {
    name,
    strategy: spec.strategy,
    phases: spec.phases.map((current) =>
      phase(
        current.name,
        current.strategy,
        current.steps.map((item) => step(item.name, item.status as Status, 'deploy')),
      ),
    ),
    errors: [],
    interrupted: spec.interrupted,
  };
}

function resetAll(plan: SimPlan): void {
  for (const current of plan.phases) {
    current.interrupted = false;
    for (const item of current.steps) {
      item.status = 'PENDING';
      item.interrupted = false;
    }
  }
  plan.errors = [];
}

/** Lookup by UUID first, then by name (docs/reference/sdk-plans.md §2). */
function findPhase(plan: SimPlan, key: string): SimPhase | undefined {
  return plan.phases.find((current) => current.id === key) ?? plan.phases.find((current) => current.name === key);
}

function findStep(current: SimPhase, key: string): SimStep | undefined {
  return current.steps.find((item) => item.id === key) ?? current.steps.find((item) => item.name === key);
}

/** WAITING is computed for an interrupted element in PENDING or PREPARED; it is never stored. */
function displayStatus(current: SimStep, interrupted: boolean): Status {
  return interrupted && (current.status === 'PENDING' || current.status === 'PREPARED') ? 'WAITING' : current.status;
}

/** The children a strategy lets run now. */
function candidates<T>(
  children: T[],
  strategy: string,
  isComplete: (child: T) => boolean,
  isLastDependent: (child: T) => boolean,
): T[] {
  const open = children.filter((child) => !isComplete(child));
  if (strategy === 'serial' || strategy === 'serial-canary') return open.slice(0, 1);
  if (strategy === 'dependency') {
    // The uninstall plan's dependency: deregister-service waits for every other phase.
    const others = open.filter((child) => !isLastDependent(child));
    return others.length > 0 ? others : open;
  }
  return open;
}

function candidatePhases(plan: SimPlan): SimPhase[] {
  return candidates(
    plan.phases,
    plan.strategy,
    (current) => current.steps.every((item) => item.status === 'COMPLETE'),
    (current) => current.name === 'deregister-service',
  );
}

function candidateSteps(current: SimPhase): SimStep[] {
  return candidates(
    current.steps,
    current.strategy,
    (item) => item.status === 'COMPLETE',
    () => false,
  );
}

/** PlanUtils.getAggregateStatus, rules in order (docs/reference/sdk-plans.md §4). */
function aggregateOf(
  statuses: Status[],
  candidateStatuses: Status[],
  interrupted: boolean,
  hasErrors: boolean,
): Status {
  const any = (list: Status[], wanted: Status) => list.includes(wanted);
  if (hasErrors || any(statuses, 'ERROR')) return 'ERROR';
  if (statuses.every((status) => status === 'COMPLETE')) return 'COMPLETE';
  if (interrupted) return 'WAITING';
  if (
    candidateStatuses.length > 0 &&
    candidateStatuses.every((status) => status === 'DELAYED') &&
    statuses.every((status) => status === 'DELAYED')
  )
    return 'DELAYED';
  if (any(statuses, 'PREPARED')) return 'IN_PROGRESS';
  if (any(candidateStatuses, 'WAITING')) return 'WAITING';
  if (any(candidateStatuses, 'IN_PROGRESS')) return 'IN_PROGRESS';
  if (
    any(statuses, 'COMPLETE') &&
    candidateStatuses.some((status) => status === 'PENDING' || status === 'STARTING' || status === 'STARTED')
  )
    return 'IN_PROGRESS';
  if (any(candidateStatuses, 'PENDING')) return 'PENDING';
  if (any(statuses, 'WAITING')) return 'WAITING';
  if (any(candidateStatuses, 'STARTING')) return 'STARTING';
  if (any(candidateStatuses, 'STARTED')) return 'STARTED';
  return 'ERROR';
}

function aggregatePhase(current: SimPhase, planInterrupted: boolean, version: SdkVersion): Status {
  const interrupted = planInterrupted || current.interrupted;
  const statuses = current.steps.map((item) => displayStatus(item, interrupted || item.interrupted));
  const candidateStatuses = candidateSteps(current).map((item) => displayStatus(item, interrupted || item.interrupted));
  return olderStatus(aggregateOf(statuses, candidateStatuses, current.interrupted, false), version);
}

function aggregate(plan: SimPlan, version: SdkVersion): Status {
  const statuses = plan.phases.map((current) => aggregatePhase(current, plan.interrupted, version));
  const candidateIds = new Set(candidatePhases(plan).map((current) => current.id));
  const candidateStatuses = plan.phases
    .filter((current) => candidateIds.has(current.id))
    .map((current) => aggregatePhase(current, plan.interrupted, version));
  return olderStatus(aggregateOf(statuses, candidateStatuses, plan.interrupted, plan.errors.length > 0), version);
}

/** STARTED exists from SDK 0.31; older schedulers said STARTING. */
function olderStatus(status: Status, version: SdkVersion): Status {
  return status === 'STARTED' && !version.atLeast(0, 31) ? 'STARTING' : status;
}

/** Jackson's default pretty printer: `"key" : value`, arrays inline as `[ {`. */
export function jacksonPretty(value: unknown, indent = 0): string {
  if (Array.isArray(value))
    return value.length === 0 ? '[ ]' : `[ ${value.map((item) => jacksonPretty(item, indent)).join(', ')} ]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return '{ }';
    const pad = ' '.repeat(indent + 2);
    return `{\n${entries.map(([key, item]) => `${pad}${JSON.stringify(key)} : ${jacksonPretty(item, indent + 2)}`).join(',\n')}\n${' '.repeat(indent)}}`;
  }
  return JSON.stringify(value);
}

function jackson(status: number, body: unknown): SimResponse {
  return { status, body: jacksonPretty(body), headers: { 'Content-Type': 'application/json' } };
}

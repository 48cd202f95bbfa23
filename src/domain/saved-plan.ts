import { z } from 'zod';

import { MesosResource } from '../clients/mesos-schemas';
import { CleanupRequest, JanitorAction, actionCommand } from './actions';
import { CleanupPlan, ResourceAllowList, planCleanup } from './cleanup';
import { silentProgress } from './progress';
import { describeResource, isPersistentVolume, reservationOf, resourceKey } from './resources';
import { sameName } from './ownership';
import { HoldingFramework, SKIP_REASON_TEXT } from './selection';
import { cleanupRequestFor, readClusterView, viewFramework } from './teardown';
import { UninstallClients, readInventory } from './uninstall';

/**
 * Reviewed changes (docs/plan-files.md): a dry run's plan saved as data, and what a later
 * read of the cluster says of it. The same observation is made when the plan is saved and
 * when it is applied, so the two are compared field by field: an operation the cluster no
 * longer needs is done, one it still needs is pending, and anything the plan did not see
 * (a new resource of the target, a framework that came back, an app that appeared, tasks on a
 * planned resource, an agent that left) is drift, and nothing is sent.
 */

export const PLAN_FORMAT = 'dcos-janitor-plan';
export const PLAN_FORMAT_VERSION = 1;

export type OperationKind =
  'remove-app' | 'uninstall-package' | 'teardown' | 'destroy-volume' | 'unreserve' | 'delete-znode';

/** One request the run sends (`by: janitor`), or one the service's own uninstall plan makes (`by: scheduler`). */
export interface PlannedOperation {
  op: OperationKind;
  by: 'janitor' | 'scheduler';
  agentId?: string;
  hostname?: string;
  /** The resource as Mesos listed it (destroy, unreserve): what is sent. */
  resource?: MesosResource;
  /** Its identity across reads (resources.ts resourceKey): what is compared. */
  key?: string;
  /** The disk a destroyed volume leaves, unreserved after the destroy. */
  afterDestroy?: boolean;
  /**
   * Used by a task when observed (a teardown or an uninstall stops the tasks first). A resource
   * the plan saw free and a task uses now is drift.
   */
  inUse?: boolean;
  appId?: string;
  packageName?: string;
  packageVersion?: string;
  frameworkId?: string;
  frameworkName?: string;
  znode?: string;
}

export interface FrameworkFact {
  id: string;
  name: string;
  registered: boolean;
  connected: boolean;
  active: boolean;
  tasks: number;
  /** By the ownership rules (docs/ownership.md); null where the step does not judge it (its blockers do). */
  alive: boolean | null;
}

/** A cleanup's target as the cluster resolved it: whose reservations, which node. */
export interface TargetFact {
  serviceName: string | null;
  roles: string[];
  principals: string[];
  zkNode: string | null;
  /** The incarnations whose labelled reservations are taken (they change as frameworks complete). */
  frameworkIds: string[];
}

/** What the plan rests on: read from the cluster when it was made, compared when it is applied. */
export interface StepFacts {
  frameworks: FrameworkFact[];
  app: { id: string; launches: string | null } | null;
  znode: { node: string; present: boolean } | null;
  /** The cleanup's resolved target (a teardown's --cleanup, an uninstall's, a cleanup's); null without one. */
  target: TargetFact | null;
  /** Why the step would fight something alive (a cleanup's blockers); a saved plan has none. */
  blockers: Array<{ kind: string; reason: string }>;
  /** Agents the master lists as registered: an operation on another one cannot be seen done. */
  registeredAgents: number;
}

export interface PlannedStep {
  action: JanitorAction;
  /** teardown --cleanup: the cleanup of what the framework reserved (null for other steps). */
  cleanupRequest: CleanupRequest | null;
  /** The command line the step is, as `audit` prints it. */
  command: string;
  keepApp: boolean;
  facts: StepFacts;
  operations: PlannedOperation[];
}

export interface SavedPlan {
  format: typeof PLAN_FORMAT;
  formatVersion: typeof PLAN_FORMAT_VERSION;
  createdAt: string;
  toolVersion: string;
  cluster: { url: string; id: string | null };
  command: { name: string; argv: string[] };
  steps: PlannedStep[];
}

/** A step as the cluster shows it now, with the registered agents (not saved: compared only). */
export interface Observation {
  facts: StepFacts;
  operations: PlannedOperation[];
  registeredAgentIds: Set<string>;
  /**
   * Resources of the target's role the read shows but does not take (in use, or skipped with a
   * reason), by agent and key: an operation on one of them is neither done nor to be sent.
   */
  notTaken: Map<string, Map<string, string>>;
  /** A teardown --cleanup's cleanup, as decided when the plan was made (it is what apply runs after the teardown). */
  cleanupRequest?: CleanupRequest | null;
}

export type DriftKind =
  | 'new-resource'
  | 'framework-appeared'
  | 'framework-connected'
  | 'framework-active'
  | 'framework-alive'
  | 'app-appeared'
  | 'app-replaced'
  | 'in-use'
  | 'agent-left'
  | 'znode-appeared'
  | 'target-changed'
  | 'not-selected';

export interface Drift {
  step: number;
  kind: DriftKind;
  detail: string;
}

export interface StepComparison {
  done: PlannedOperation[];
  pending: PlannedOperation[];
  /**
   * Neither done nor to be sent: on an agent that left (nothing can be seen of it), or still there
   * and not the target's to take now. Each has its drift line.
   */
  unsettled: PlannedOperation[];
  drift: Drift[];
}

// ------------------------------------------------------------------ observing

export interface ObserveContext {
  extraSystemNames: string[];
  dcosVersion: () => Promise<string | undefined>;
}

/** Reads the cluster for one action: the same reads its command makes before it acts. */
export async function observeStep(
  clients: UninstallClients,
  action: JanitorAction,
  keepApp: boolean,
  context: ObserveContext,
  /** The step as saved, when comparing with it: its cleanup is the one observed again. */
  saved?: PlannedStep,
): Promise<Observation> {
  switch (action.kind) {
    case 'cleanup':
      return observeCleanupPlan(await planCleanup(clients, action.request, silentProgress));
    case 'uninstall': {
      const inventory = await readInventory(
        clients,
        {
          service: action.service,
          manual: action.manual,
          cleanup: { roles: [], frameworkIds: [], includeUnlabeled: false },
        },
        silentProgress,
        context.dcosVersion,
      );
      const { plan } = inventory;
      const app = plan.marathonApp;
      const sdk = inventory.route.route === 'sdk' && app !== undefined;
      const operations: PlannedOperation[] = [];
      if (sdk)
        operations.push({
          op: 'uninstall-package',
          by: 'janitor',
          appId: app.id,
          packageName: app.labels.DCOS_PACKAGE_NAME,
          packageVersion: app.labels.DCOS_PACKAGE_VERSION,
        });
      else {
        if (app) operations.push({ op: 'remove-app', by: 'janitor', appId: app.id });
        for (const framework of plan.frameworks)
          operations.push({ op: 'teardown', by: 'janitor', frameworkId: framework.id, frameworkName: framework.name });
      }
      // The uninstall removes the app and the frameworks, then the node the scheduler left.
      const own = new Set(
        plan.frameworks
          .filter((framework) => plan.target.frameworkNames.some((name) => sameName(name, framework.name)))
          .map((framework) => framework.id),
      );
      operations.push(...resourceOperations(plan, true, sdk ? 'scheduler' : 'janitor', true, own));
      return {
        facts: factsOf(plan, false),
        operations,
        registeredAgentIds: new Set(plan.registeredAgentIds),
        notTaken: notTakenOf(plan),
      };
    }
    case 'teardown': {
      const cluster = await readClusterView(clients, context.extraSystemNames);
      const registered = cluster.frameworks.frameworks.find((framework) => framework.id === action.frameworkId);
      const completed = (cluster.frameworks.completed_frameworks ?? []).find(
        (framework) => framework.id === action.frameworkId,
      );
      const found = registered ?? completed;
      const registeredAgentIds = new Set(cluster.summary.slaves.map((agent) => agent.id));
      // Mesos forgets completed frameworks when its leader changes: then only the saved cleanup says what is left.
      const view = found ? viewFramework(found, registered === undefined, cluster) : undefined;
      const operations: PlannedOperation[] = [];
      if (view?.app && !keepApp) operations.push({ op: 'remove-app', by: 'janitor', appId: view.app.id });
      if (view && !view.completed)
        operations.push({ op: 'teardown', by: 'janitor', frameworkId: view.id, frameworkName: view.name });
      let plan: CleanupPlan | undefined;
      const request =
        saved?.cleanupRequest ?? (action.cleanup && view ? cleanupRequestFor(view, cluster.ownership) : undefined);
      if (request) {
        plan = await planCleanup(clients, request, silentProgress);
        // The node goes when nothing of the service stays: no other incarnation registered (a
        // re-install keeps its state), no app left to relaunch a scheduler.
        const others = plan.frameworks.filter(
          (framework) =>
            framework.id !== action.frameworkId &&
            plan?.target.frameworkNames.some((name) => sameName(name, framework.name)),
        );
        const appStays = plan.marathonApp !== undefined && !(view?.app?.id === plan.marathonApp.id && !keepApp);
        operations.push(
          ...resourceOperations(plan, true, 'janitor', others.length === 0 && !appStays, new Set([action.frameworkId])),
        );
      }
      return {
        facts: {
          frameworks: view
            ? [
                {
                  id: view.id,
                  name: view.name,
                  registered: !view.completed,
                  connected: view.connected,
                  active: view.active,
                  tasks: view.tasks,
                  alive: view.alive,
                },
              ]
            : [],
          app: view?.app ? { id: view.app.id, launches: view.id } : null,
          znode: plan?.znode ? { node: plan.znode.node, present: plan.znode.present } : null,
          target: plan ? targetFact(plan) : null,
          blockers: [],
          registeredAgents: registeredAgentIds.size,
        },
        operations,
        registeredAgentIds,
        notTaken: plan ? notTakenOf(plan) : new Map(),
        cleanupRequest: request ?? null,
      };
    }
  }
}

/**
 * A cleanup's plan as operations: what its dry run showed is exactly what is saved (no second
 * read). Resources in use are blockers of a cleanup, not operations.
 */
export function observeCleanupPlan(plan: CleanupPlan): Observation {
  return {
    facts: factsOf(plan, true),
    operations: resourceOperations(plan, false, 'janitor', plan.znode?.action === 'delete'),
    registeredAgentIds: new Set(plan.registeredAgentIds),
    notTaken: notTakenOf(plan),
  };
}

/** What the read shows of the target's role and does not take, with why. */
function notTakenOf(plan: CleanupPlan): Map<string, Map<string, string>> {
  const notTaken = new Map<string, Map<string, string>>();
  for (const agent of plan.agents) {
    const keys = new Map<string, string>();
    for (const resource of agent.inUse) keys.set(resourceKey(resource), 'in use by a task');
    for (const { resource, reason } of agent.skipped) keys.set(resourceKey(resource), SKIP_REASON_TEXT[reason]);
    if (keys.size > 0) notTaken.set(agent.agentId, keys);
  }
  return notTaken;
}

function factsOf(plan: CleanupPlan, withBlockers: boolean): StepFacts {
  return {
    frameworks: plan.frameworks.map(holdingFact),
    app: plan.marathonApp ? { id: plan.marathonApp.id, launches: plan.marathonApp.launches ?? null } : null,
    znode: plan.znode ? { node: plan.znode.node, present: plan.znode.present } : null,
    target: targetFact(plan),
    blockers: withBlockers ? plan.blockers.map((blocker) => ({ kind: blocker.kind, reason: blocker.reason })) : [],
    registeredAgents: plan.registeredAgentIds.length,
  };
}

/** The target as resolved from the cluster (roles found on frameworks, principals, the node, incarnations). */
function targetFact(plan: CleanupPlan): TargetFact {
  return {
    serviceName: plan.target.serviceName ?? null,
    roles: [...plan.target.roles],
    principals: [...plan.target.principals],
    zkNode: plan.target.zkNode ?? null,
    frameworkIds: [...plan.target.frameworkIds],
  };
}

function holdingFact(framework: HoldingFramework): FrameworkFact {
  return {
    id: framework.id,
    name: framework.name,
    registered: true,
    connected: framework.connected,
    active: framework.active,
    tasks: framework.taskCount,
    alive: null,
  };
}

/**
 * Destroy each volume, unreserve its disk after, unreserve each reservation, delete the znode
 * when the step ends with it deleted.
 * `withInUse`: the step first stops what uses them (a teardown, an uninstall), so they are its to clean.
 */
function resourceOperations(
  plan: CleanupPlan,
  withInUse: boolean,
  by: PlannedOperation['by'],
  /** Whether the step ends with the service's ZooKeeper node deleted (the run deletes it, never the scheduler). */
  znodeGoes: boolean,
  /**
   * Frameworks the step stops (a teardown's, an uninstall's): what a cleanup skips as theirs while they
   * live (labelled with their id) is released by the step, so it is the step's.
   */
  stopped: Set<string> = new Set(),
): PlannedOperation[] {
  const operations: PlannedOperation[] = [];
  for (const agent of plan.agents) {
    const where = { agentId: agent.agentId, hostname: agent.hostname };
    const inUse = new Set(withInUse ? agent.inUse : []);
    const ofStopped = agent.skipped
      .filter(
        ({ resource, reason }) =>
          reason === 'live-framework' && stopped.has(reservationOf(resource).labels.framework_id ?? ''),
      )
      .map(({ resource }) => resource);
    for (const resource of [...agent.volumes, ...agent.reservations, ...inUse, ...ofStopped]) {
      const used = inUse.has(resource) ? { inUse: true } : {};
      if (isPersistentVolume(resource)) {
        operations.push({ op: 'destroy-volume', by, ...where, resource, key: resourceKey(resource), ...used });
        const disk = diskAfterDestroy(resource);
        operations.push({
          op: 'unreserve',
          by,
          ...where,
          resource: disk,
          key: resourceKey(disk),
          afterDestroy: true,
          ...used,
        });
      } else operations.push({ op: 'unreserve', by, ...where, resource, key: resourceKey(resource), ...used });
    }
  }
  if (plan.znode?.present && znodeGoes) operations.push({ op: 'delete-znode', by: 'janitor', znode: plan.znode.node });
  return dedupe(operations);
}

/** What a DESTROY leaves: the same reservation without the volume (docs/reference/mesos.md §5). */
function diskAfterDestroy(volume: MesosResource): MesosResource {
  const disk = { ...(volume.disk ?? {}) } as Record<string, unknown>;
  delete disk.persistence;
  delete disk.volume;
  const rest: Record<string, unknown> = { ...volume };
  if (Object.keys(disk).length > 0) rest.disk = disk;
  else delete rest.disk;
  return rest as MesosResource;
}

/** Two volumes on one disk reservation leave one disk: one unreserve. */
function dedupe(operations: PlannedOperation[]): PlannedOperation[] {
  const seen = new Set<string>();
  return operations.filter((operation) => {
    const key = operationIdentity(operation);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** What "the same operation" means across reads: its kind and what it acts on, never amounts. */
export function operationIdentity(operation: PlannedOperation): string {
  const op = operation.op === 'uninstall-package' ? 'remove-app' : operation.op;
  return [
    op,
    operation.agentId ?? '',
    operation.key ?? '',
    operation.appId ?? '',
    operation.frameworkId ?? '',
    operation.znode ?? '',
  ].join('|');
}

// ------------------------------------------------------------------ comparing

/** The saved step against the cluster now: done, pending, and drift (docs/plan-files.md). */
export function compareStep(step: PlannedStep, now: Observation, index: number): StepComparison {
  const comparison: StepComparison = { done: [], pending: [], unsettled: [], drift: [] };
  const drift = (kind: DriftKind, detail: string) => {
    if (!comparison.drift.some((known) => known.detail === detail))
      comparison.drift.push({ step: index, kind, detail });
  };
  const nowById = new Map(now.operations.map((operation) => [operationIdentity(operation), operation]));
  const saved = new Set(step.operations.map(operationIdentity));
  for (const operation of step.operations) {
    if (operation.agentId && !now.registeredAgentIds.has(operation.agentId)) {
      drift(
        'agent-left',
        `agent ${operation.hostname ?? operation.agentId} (${operation.agentId}) is no longer registered: what it holds cannot be seen`,
      );
      comparison.unsettled.push(operation);
      continue;
    }
    const current = nowById.get(operationIdentity(operation));
    const notTaken =
      operation.agentId && operation.key ? now.notTaken.get(operation.agentId)?.get(operation.key) : undefined;
    if (!current && notTaken) {
      // Still there, but the cluster no longer shows it as the target's: not done, and not to be sent.
      drift(
        'not-selected',
        `${describeOperation(operation)} on ${operation.hostname ?? operation.agentId} is still there, and not taken now: ${notTaken}`,
      );
      comparison.unsettled.push(operation);
      continue;
    }
    if (!current) {
      comparison.done.push(operation);
      continue;
    }
    comparison.pending.push(operation);
    if (current.inUse && !operation.inUse)
      drift('in-use', `a task now uses ${describeOperation(operation)} on ${operation.hostname ?? operation.agentId}`);
  }
  for (const [identity, operation] of nowById) {
    if (saved.has(identity)) continue;
    switch (operation.op) {
      case 'destroy-volume':
      case 'unreserve':
        drift(
          'new-resource',
          `${operation.hostname ?? operation.agentId} holds ${describeOperation(operation)}, which the plan did not see`,
        );
        break;
      case 'teardown':
        drift(
          'framework-appeared',
          `framework ${operation.frameworkName} (${operation.frameworkId}) is registered, and the plan did not see it`,
        );
        break;
      case 'remove-app':
      case 'uninstall-package':
        drift('app-appeared', `Marathon app ${operation.appId} exists, and the plan did not see it`);
        break;
      case 'delete-znode':
        drift('znode-appeared', `ZooKeeper node /${operation.znode} exists, and the plan saw it absent`);
        break;
    }
  }
  for (const framework of now.facts.frameworks) {
    const before = step.facts.frameworks.find((known) => known.id === framework.id);
    const named = `framework ${framework.name} (${framework.id})`;
    if (!before) {
      if (framework.registered) drift('framework-appeared', `${named} is registered, and the plan did not see it`);
    } else if (framework.connected && !before.connected)
      drift('framework-connected', `${named}: its scheduler connected again since the plan`);
    else if (framework.active && !before.active) drift('framework-active', `${named} became active since the plan`);
    else if (framework.alive === true && before.alive === false)
      drift('framework-alive', `${named} lives again (a task or an app relaunching it) since the plan`);
  }
  const app = now.facts.app;
  if (app && !step.facts.app) drift('app-appeared', `Marathon app ${app.id} exists, and the plan saw none`);
  else if (app && step.facts.app && app.launches && step.facts.app.launches && app.launches !== step.facts.app.launches)
    drift(
      'app-replaced',
      `Marathon app ${app.id} now launches framework ${app.launches}, not ${step.facts.app.launches}`,
    );
  const plannedTarget = step.facts.target;
  const target = now.facts.target;
  if (plannedTarget && target) {
    const differs = (a: string[], b: string[]) => [...a].sort().join(',') !== [...b].sort().join(',');
    if (differs(plannedTarget.roles, target.roles) || differs(plannedTarget.principals, target.principals))
      drift(
        'target-changed',
        `the target resolves to role ${target.roles.join(', ') || '-'} and principal ${target.principals.join(', ') || '-'} now, not ${plannedTarget.roles.join(', ') || '-'} and ${plannedTarget.principals.join(', ') || '-'}`,
      );
  }
  for (const blocker of now.facts.blockers) {
    if (step.facts.blockers.some((known) => known.reason === blocker.reason)) continue;
    const kind: DriftKind =
      blocker.kind === 'in-use' ? 'in-use' : blocker.kind === 'app' ? 'app-appeared' : 'framework-alive';
    drift(kind, blocker.reason);
  }
  return comparison;
}

/** What an operation acts on, in the words of the plan view: "disk 5000 MB volume 1f2e... in role kafka-role". */
export function describeOperation(operation: PlannedOperation): string {
  switch (operation.op) {
    case 'destroy-volume':
    case 'unreserve': {
      const resource = operation.resource;
      const what = resource ? `${describeResource(resource)} in role ${reservationOf(resource).role}` : operation.key;
      return `${what}${operation.afterDestroy ? ' (the disk of a destroyed volume)' : ''}`;
    }
    case 'remove-app':
      return `Marathon app ${operation.appId}`;
    case 'uninstall-package':
      return `package ${[operation.packageName ?? '?', operation.packageVersion].filter(Boolean).join(' ')} of app ${operation.appId}`;
    case 'teardown':
      return `framework ${operation.frameworkName} (${operation.frameworkId})`;
    case 'delete-znode':
      return `ZooKeeper node /${operation.znode}`;
  }
}

/** Apply's allow-list: the pending resource operations' keys, per agent. */
export function allowListOf(operations: PlannedOperation[]): ResourceAllowList {
  const only: ResourceAllowList = new Map();
  for (const operation of operations) {
    if (!operation.agentId || !operation.key) continue;
    const keys = only.get(operation.agentId) ?? new Set<string>();
    keys.add(operation.key);
    only.set(operation.agentId, keys);
  }
  return only;
}

// ------------------------------------------------------------------ the file

const ResourceSchema = z.looseObject({ name: z.string() });
const OperationSchema = z.looseObject({
  op: z.enum(['remove-app', 'uninstall-package', 'teardown', 'destroy-volume', 'unreserve', 'delete-znode']),
  by: z.enum(['janitor', 'scheduler']),
  agentId: z.string().optional(),
  hostname: z.string().optional(),
  resource: ResourceSchema.optional(),
  key: z.string().optional(),
  afterDestroy: z.boolean().optional(),
  inUse: z.boolean().optional(),
  appId: z.string().optional(),
  packageName: z.string().optional(),
  packageVersion: z.string().optional(),
  frameworkId: z.string().optional(),
  frameworkName: z.string().optional(),
  znode: z.string().optional(),
});
const RequestSchema = z.looseObject({
  service: z.string().optional(),
  roles: z.array(z.string()),
  principal: z.string().optional(),
  zkNode: z.string().optional(),
  frameworkIds: z.array(z.string()),
  includeUnlabeled: z.boolean(),
});
const ActionSchema = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('cleanup'), request: RequestSchema }),
  z.looseObject({ kind: z.literal('teardown'), frameworkId: z.string(), cleanup: z.boolean() }),
  z.looseObject({ kind: z.literal('uninstall'), service: z.string(), manual: z.boolean(), forceStuck: z.boolean() }),
]);
const FactsSchema = z.looseObject({
  frameworks: z.array(
    z.looseObject({
      id: z.string(),
      name: z.string(),
      registered: z.boolean(),
      connected: z.boolean(),
      active: z.boolean(),
      tasks: z.number(),
      alive: z.boolean().nullable(),
    }),
  ),
  app: z.looseObject({ id: z.string(), launches: z.string().nullable() }).nullable(),
  znode: z.looseObject({ node: z.string(), present: z.boolean() }).nullable(),
  target: z
    .looseObject({
      serviceName: z.string().nullable(),
      roles: z.array(z.string()),
      principals: z.array(z.string()),
      zkNode: z.string().nullable(),
      frameworkIds: z.array(z.string()),
    })
    .nullable(),
  blockers: z.array(z.looseObject({ kind: z.string(), reason: z.string() })),
  registeredAgents: z.number(),
});
export const SavedPlanSchema = z.looseObject({
  format: z.literal(PLAN_FORMAT),
  formatVersion: z.number(),
  createdAt: z.string(),
  toolVersion: z.string(),
  cluster: z.looseObject({ url: z.string(), id: z.string().nullable() }),
  command: z.looseObject({ name: z.string(), argv: z.array(z.string()) }),
  steps: z.array(
    z.looseObject({
      action: ActionSchema,
      cleanupRequest: RequestSchema.nullable(),
      command: z.string(),
      keepApp: z.boolean(),
      facts: FactsSchema,
      operations: z.array(OperationSchema),
    }),
  ),
});

export function plannedStep(action: JanitorAction, keepApp: boolean, observation: Observation): PlannedStep {
  return {
    action,
    cleanupRequest: observation.cleanupRequest ?? null,
    command: actionCommand(action),
    keepApp,
    facts: observation.facts,
    operations: observation.operations,
  };
}

import { ExhibitorClient } from '../clients/exhibitor';
import { MarathonClient } from '../clients/marathon';
import { MesosClient, OperationOutcome } from '../clients/mesos';
import { MesosFramework, MesosResource } from '../clients/mesos-schemas';
import { Blocker, CleanupRequest, JanitorAction, actionCommand } from './actions';
import { sleep } from '../cluster/http';
import { UnexpectedResponseError, UsageError } from '../errors';
import {
  AgentCleanup,
  CleanupTarget,
  FrameworkSummary,
  HoldingFramework,
  SKIP_REASON_TEXT,
  SkipReason,
  TARGET_SKIP_REASONS,
  UnregisteredAgent,
  hasWork,
  holdsTarget,
  planAgentCleanup,
  summariseFramework,
  toHoldingFramework,
  unregisteredAgents,
} from './cleanup-plan';
import { BoundedQueue } from './concurrency';
import {
  deriveServiceNames,
  serviceNameFromZkNode,
  validateCleanupPrincipal,
  validateCleanupRole,
  validateCleanupZnode,
} from './naming';
import { Ownership, frameworkRoles, sameName } from './ownership';
import { Progress, agentCounter, silentProgress } from './progress';
import { plural } from '../text';
import { describeResource, isPersistentVolume, reservationOf, resourceKey } from './resources';

/**
 * `dcos janitor cleanup`: what janitor.py -r ROLE -p PRINCIPAL -z ZKNODE does,
 * in the order the reference prescribes (README "How the pieces fit"):
 * plan from one read -> destroy volumes -> re-read -> unreserve -> ZooKeeper ->
 * verify from a fresh read. Every step starts from the cluster's current state,
 * so an interrupted run is finished by running it again.
 */

export type { CleanupRequest };

export interface CleanupClients {
  mesos: MesosClient;
  marathon: MarathonClient;
  exhibitor: ExhibitorClient;
}

export type ZnodeAction =
  | { node: string; present: boolean; action: 'delete' }
  | { node: string; present: boolean; action: 'keep'; reason: string };

export interface CleanupPlan {
  /** What was asked, to make the same plan again (verification, hints). */
  request: CleanupRequest;
  target: CleanupTarget;
  /** Where each role and principal came from, said in the plan so the operator can correct it. */
  targetNotes: string[];
  agentsRead: number;
  /** Agents holding anything of the target's role (selected or skipped). */
  agents: AgentCleanup[];
  /** Every agent the master knows (registered or recovered), to notice one that leaves. */
  knownAgentIds: string[];
  /** The registered agents: only what they show can be counted as done (a recovered agent shows nothing). */
  registeredAgentIds: string[];
  unregisteredAgents: UnregisteredAgent[];
  frameworks: HoldingFramework[];
  /** Completed frameworks of the target (named after it, or of its role and principal): a trace that it existed. */
  completedFrameworks: FrameworkSummary[];
  /** Names the cluster knows, for "did you mean" when nothing matches: frameworks (names, ids, principals) and reserved roles. */
  knownNames: { frameworks: string[]; frameworkIds: string[]; principals: string[]; roles: string[] };
  /** `launches`: the registered framework its scheduler is now (docs/ownership.md), if any. */
  marathonApp?: {
    id: string;
    tasksRunning: number;
    labels: Record<string, string>;
    env: Record<string, unknown>;
    launches?: string;
  };
  znode?: ZnodeAction;
  /** Reasons the run would fight a live service, each with what unblocks it; execution needs --force past them. */
  blockers: Blocker[];
  warnings: string[];
}

/**
 * What Mesos and Exhibitor accepted so far (their 2xx), counted as the run goes: not what the
 * cluster shows (only the verification says that), but what a run stopped part-way (a 503 on
 * the re-read, a 401 on the verification) can still truthfully report as "accepted".
 */
export interface AcceptedSoFar {
  volumes: number;
  resources: number;
  znodeDeleted: boolean;
}

export interface CleanupOptions {
  /** Counted into as operations are accepted; the caller reports it if the run stops part-way. */
  accepted?: AcceptedSoFar;
  concurrency: number;
  /** Extra attempts for a resource Mesos answers 409 for (a task may be ending). */
  conflictRetries: number;
  conflictDelayMs: number;
}

export interface OperationFailure {
  agentId: string;
  hostname: string;
  operation: 'destroy-volume' | 'unreserve' | 'delete-znode';
  resource: string;
  message: string;
  hint: string;
}

/**
 * What the run did, as the cluster shows it after the run: a resource counts as
 * destroyed or unreserved only when a read after the act no longer finds it, and a
 * failure is listed only when the resource is still there (its earlier answer may
 * have been lost while the cluster applied it).
 */
export interface CleanupOutcome {
  volumesDestroyed: number;
  resourcesUnreserved: number;
  agentsTouched: number;
  /** Volumes and resources sent to agents that are not registered after the run: whether they went is unknown. */
  unknown: number;
  znode: 'deleted' | 'absent' | 'kept' | 'not-requested' | 'failed';
  failures: OperationFailure[];
}

export type LeftoverKind = 'app' | 'framework' | 'volume' | 'reservation' | 'in-use' | 'agent-unregistered' | 'znode';

export interface Leftover {
  kind: LeftoverKind;
  agentId?: string;
  hostname?: string;
  detail: string;
  /** What removes it, as data (none: only time or the operator settles it). */
  next?: JanitorAction;
  /** The command line of `next`, with what to know before running it. */
  hint: string;
}

export interface Verification {
  clean: boolean;
  leftovers: Leftover[];
  /**
   * Agents not registered at the verification on which this run never saw the target: what
   * they hold cannot be seen, so nothing can be said of it. A warning, not a leftover.
   */
  unverifiableAgents: UnregisteredAgent[];
}

/** Validate the flags into a target; no cluster call. */
export function targetFromRequest(request: CleanupRequest): { target: CleanupTarget; notes: string[] } {
  const notes: string[] = [];
  const explicitRoles = request.roles.map(validateCleanupRole);
  const explicitPrincipal = request.principal === undefined ? undefined : validateCleanupPrincipal(request.principal);
  const explicitZnode = request.zkNode === undefined ? undefined : validateCleanupZnode(request.zkNode);

  if (request.service !== undefined) {
    const names = deriveServiceNames(request.service);
    const roles = explicitRoles.length > 0 ? explicitRoles : [validateCleanupRole(names.role)];
    notes.push(
      explicitRoles.length > 0
        ? `role ${roles.join(', ')}: from -r/--role`
        : `role ${roles[0]}: naming rule for service '${names.serviceName}'`,
    );
    const principals = explicitPrincipal ? [explicitPrincipal] : names.principals;
    notes.push(
      explicitPrincipal
        ? `principal ${explicitPrincipal}: from -p/--principal`
        : `principal ${principals.join(' or ')}: naming rule`,
    );
    const zkNode = explicitZnode ?? validateCleanupZnode(names.zkNode);
    notes.push(
      explicitZnode ? `ZooKeeper node /${zkNode}: from -z/--zk-node` : `ZooKeeper node /${zkNode}: naming rule`,
    );
    return {
      target: {
        serviceName: names.serviceName,
        roles,
        principals,
        zkNode,
        marathonAppId: names.marathonAppId,
        frameworkNames: names.frameworkNames,
        frameworkIds: [...request.frameworkIds],
        onlyFrameworkIds: [...request.frameworkIds],
        foreignFrameworks: {},
        claimants: [],
        includeUnlabeled: request.includeUnlabeled,
      },
      notes,
    };
  }

  if (explicitRoles.length > 0 && explicitPrincipal === undefined) {
    throw new UsageError(
      '-r/--role needs -p/--principal: reservations are selected by role AND principal, so a sibling service in the same role keeps its data ' +
        '(janitor.py silently skipped everything here). Give -p, e.g. -p kafka-principal, or use --service NAME.',
    );
  }
  if (explicitPrincipal !== undefined && explicitRoles.length === 0) {
    throw new UsageError(
      '-p/--principal needs -r/--role: give the role the service reserved under, e.g. -r kafka-role, or use --service NAME.',
    );
  }
  if (explicitRoles.length === 0 && explicitZnode === undefined) {
    throw new UsageError(
      'Nothing to clean: give --service NAME, or -r ROLE -p PRINCIPAL and/or -z ZKNODE (see dcos janitor cleanup --help).',
    );
  }
  const impliedService = explicitZnode ? serviceNameFromZkNode(explicitZnode) : undefined;
  const implied = impliedService ? deriveServiceNames(impliedService) : undefined;
  if (explicitRoles.length > 0)
    notes.push(`role ${explicitRoles.join(', ')}, principal ${explicitPrincipal}: from the flags`);
  if (explicitZnode)
    notes.push(
      `ZooKeeper node /${explicitZnode}: from -z/--zk-node${implied ? ` (service '${implied.marathonAppId}')` : ''}`,
    );
  return {
    target: {
      roles: explicitRoles,
      principals: explicitPrincipal ? [explicitPrincipal] : [],
      zkNode: explicitZnode,
      marathonAppId: implied?.marathonAppId,
      frameworkNames: implied?.frameworkNames ?? [],
      frameworkIds: [...request.frameworkIds],
      onlyFrameworkIds: [...request.frameworkIds],
      foreignFrameworks: {},
      claimants: [],
      includeUnlabeled: request.includeUnlabeled,
    },
    notes,
  };
}

/**
 * What the frameworks Mesos lists say of the target (docs/ownership.md):
 * - in --service mode, every framework of the service's name (registered or completed) is
 *   the authority on its roles and principal: a namespaced, group or migrated role is found
 *   there, not guessed (flags the operator gave are never overridden);
 * - every incarnation of the name that does not live is the target's: reservations labelled
 *   with any of their ids are selected (a service re-installed several times left several);
 * - a framework that lives (whoever's), and in --service mode any framework of another name,
 *   is foreign: reservations labelled with its id are never taken;
 * - a live framework of another name in the target's role and principal is a claimant: with
 *   one, a reservation without a framework_id label could be its, and is not taken.
 */
function completeTargetFromFrameworks(
  target: CleanupTarget,
  notes: string[],
  ownership: Ownership,
  request: CleanupRequest,
): void {
  const all = [...ownership.registered, ...ownership.completed];
  const named = all.filter((framework) => target.frameworkNames.some((name) => sameName(name, framework.name)));
  if (request.service !== undefined) {
    for (const framework of named) {
      if (request.roles.length === 0) {
        for (const role of frameworkRoles(framework)) {
          if (role === '*' || role === 'slave_public' || target.roles.includes(role)) continue;
          target.roles.push(role);
          notes.push(`role ${role}: subscribed by framework ${framework.id} (${framework.name})`);
        }
      }
      if (request.principal === undefined && framework.principal && !target.principals.includes(framework.principal)) {
        target.principals.push(framework.principal);
        notes.push(`principal ${framework.principal}: used by framework ${framework.id}`);
      }
    }
  }
  for (const framework of all) {
    const alive = ownership.liveness(framework).alive;
    const ofTarget = named.includes(framework);
    if (alive) target.foreignFrameworks[framework.id] = 'live';
    else if (!ofTarget && request.service !== undefined) target.foreignFrameworks[framework.id] = 'sibling';
    else if (ofTarget && request.frameworkIds.length === 0 && !target.frameworkIds.includes(framework.id))
      target.frameworkIds.push(framework.id);
  }
  const claimants = new Set<string>();
  for (const role of target.roles) {
    for (const principal of target.principals) {
      for (const framework of ownership.liveClaimants(role, principal, target.frameworkNames)) {
        // With -r/-p alone every framework of the role and principal is a possible owner (it blocks instead).
        if (request.service !== undefined) claimants.add(`${framework.name} (${framework.id})`);
      }
    }
  }
  target.claimants = [...claimants];
}

/**
 * `znodeAfter`: the ZooKeeper read waits for it (a delete under way), while the agents,
 * frameworks and app are read at once: what a verification reads after the last change.
 */
export async function planCleanup(
  clients: CleanupClients,
  request: CleanupRequest,
  progress: Progress,
  znodeAfter?: Promise<unknown>,
): Promise<CleanupPlan> {
  const { target, notes } = targetFromRequest(request);
  progress.step('Reading agents, frameworks and the service state from the cluster...');
  const needsReservations = target.roles.length > 0;
  // The small reads are sent first: a server that answers in order (the simulator does) then
  // answers them before it starts on the agents' large one, which the plan waits for anyway.
  const [frameworks, marathonApp, znodePresent, slaves] = await Promise.all([
    clients.mesos.getFrameworks(),
    target.marathonAppId ? clients.marathon.getApp(target.marathonAppId) : undefined,
    target.zkNode
      ? znodeAfter
        ? znodeAfter.then(() => clients.exhibitor.znodeExists(target.zkNode as string))
        : clients.exhibitor.znodeExists(target.zkNode)
      : false,
    needsReservations ? clients.mesos.getAgents() : undefined,
  ]);
  const ownership = new Ownership(frameworks, marathonApp ? [marathonApp] : []);
  completeTargetFromFrameworks(target, notes, ownership, request);

  const agents = (slaves?.slaves ?? [])
    .map((agent) => planAgentCleanup(agent, target))
    .filter((agent) => hasWork(agent) || agent.skipped.length > 0);
  const holding = frameworks.frameworks.filter((framework) => holdsTarget(framework, target)).map(toHoldingFramework);
  const blockers: Blocker[] = [];
  const warnings: string[] = [];

  // --framework-id naming only incarnations that do not live: a live one of the same name keeps
  // what is labelled with its id, its app and its znode, and is no reason to refuse.
  const narrowedToDead =
    target.onlyFrameworkIds.length > 0 &&
    target.onlyFrameworkIds.every((id) => target.foreignFrameworks[id] !== 'live');
  for (const framework of holding) {
    const registered = frameworks.frameworks.find((candidate) => candidate.id === framework.id) as MesosFramework;
    const liveness = ownership.liveness(registered);
    if (!liveness.alive || (narrowedToDead && !target.onlyFrameworkIds.includes(framework.id))) continue;
    const named = target.frameworkNames.some((name) => sameName(name, framework.name));
    if (!named) {
      // -r/-p alone: a live framework of this role and principal may be another service's, so
      // no hint ever tells to tear it down; naming the service settles whose is whose.
      blockers.push({
        reason:
          `framework ${framework.name} (${framework.id}) lives in role ${target.roles.join(', ')} with principal ${framework.principal ?? '?'} (${liveness.reasons.join(', ')}): ` +
          "by role and principal alone its reservations cannot be told from the target's. Name the service to clean with --service NAME, or its framework with --framework-id ID.",
      });
      continue;
    }
    // Launched by the service's app, it is an installed service: uninstalled, not torn down under its app.
    const installed = marathonApp !== undefined && ownership.launchedBy(marathonApp)?.id === framework.id;
    blockers.push({
      reason: `framework ${framework.name} (${framework.id}) still lives (${liveness.reasons.join(', ')}): cleaning would pull resources from a running service.`,
      next: installed
        ? { kind: 'uninstall', service: target.serviceName ?? marathonApp.id, manual: false, forceStuck: false }
        : { kind: 'teardown', frameworkId: framework.id, cleanup: false },
    });
  }
  if (marathonApp && !(narrowedToDead && ownership.launchedBy(marathonApp))) {
    blockers.push({
      reason: `Marathon app ${marathonApp.id} still exists: Marathon would relaunch its scheduler, which re-reserves what is cleaned. Uninstall the service (or remove the app) first.`,
      next: { kind: 'uninstall', service: target.serviceName ?? marathonApp.id, manual: false, forceStuck: false },
    });
  }
  const unregistered = slaves ? unregisteredAgents(slaves) : [];
  if (unregistered.length > 0) {
    warnings.push(
      `${plural(unregistered.length, 'agent is', 'agents are')} known to the master but not registered: their reservations cannot be seen or cleaned until they return`,
    );
  }
  const inUse = agents.reduce((sum, agent) => sum + agent.inUse.length, 0);
  if (inUse > 0) {
    const where = agents.filter((agent) => agent.inUse.length > 0).map((agent) => agent.hostname);
    const owner = holding.find(
      (framework) => framework.taskCount > 0 && target.frameworkNames.some((name) => sameName(name, framework.name)),
    );
    blockers.push({
      reason:
        `${plural(inUse, "of the target's reserved resources is", "of the target's reserved resources are")} in use by running tasks ` +
        `(on ${where.slice(0, 3).join(', ')}${where.length > 3 ? ` and ${where.length - 3} more` : ''}): the service still runs.`,
      next: owner ? { kind: 'teardown', frameworkId: owner.id, cleanup: false } : undefined,
    });
  }

  let znode: ZnodeAction | undefined;
  if (target.zkNode) {
    // Deleting the state of a scheduler that can still run wipes a live service
    // (dcos-commons #679): ZooKeeper goes last, and never under a registered framework or an app.
    const registered = holding.filter((framework) => target.frameworkNames.includes(framework.name));
    if (marathonApp)
      znode = {
        node: target.zkNode,
        present: znodePresent,
        action: 'keep',
        reason: `Marathon app ${marathonApp.id} still exists`,
      };
    else if (registered.length > 0) {
      znode = {
        node: target.zkNode,
        present: znodePresent,
        action: 'keep',
        reason: `framework ${registered[0].id} is still registered`,
      };
    } else if (inUse > 0) {
      znode = {
        node: target.zkNode,
        present: znodePresent,
        action: 'keep',
        reason: `${inUse} of the target's reservations are in use by running tasks`,
      };
    } else znode = { node: target.zkNode, present: znodePresent, action: 'delete' };
  }

  return {
    request,
    target,
    targetNotes: notes,
    agentsRead: slaves?.slaves.length ?? 0,
    agents,
    knownAgentIds: [...(slaves?.slaves ?? []).map((agent) => agent.id), ...unregistered.map((agent) => agent.id)],
    registeredAgentIds: (slaves?.slaves ?? []).map((agent) => agent.id),
    unregisteredAgents: unregistered,
    frameworks: holding,
    completedFrameworks: (frameworks.completed_frameworks ?? [])
      .filter((framework) => holdsTarget(framework, target))
      .map(summariseFramework),
    knownNames: {
      frameworks: [...new Set([...ownership.registered, ...ownership.completed].map((framework) => framework.name))],
      frameworkIds: [...ownership.registered, ...ownership.completed].map((framework) => framework.id),
      // Principals of frameworks subscribed to the target's roles: a principal they use is a real one, even with nothing reserved now.
      principals: [
        ...new Set(
          [...ownership.registered, ...ownership.completed]
            .filter((framework) => frameworkRoles(framework).some((role) => target.roles.includes(role)))
            .map((framework) => framework.principal)
            .filter((principal): principal is string => principal !== undefined),
        ),
      ],
      roles: [...new Set((slaves?.slaves ?? []).flatMap((agent) => Object.keys(agent.reserved_resources_full ?? {})))],
    },
    marathonApp: marathonApp
      ? {
          id: marathonApp.id,
          tasksRunning: marathonApp.tasksRunning ?? 0,
          labels: marathonApp.labels ?? {},
          env: marathonApp.env ?? {},
          launches: ownership.launchedBy(marathonApp)?.id,
        }
      : undefined,
    znode,
    blockers,
    warnings,
  };
}

export function planHasChanges(plan: CleanupPlan): boolean {
  const resources = plan.agents.some((agent) => agent.volumes.length + agent.reservations.length > 0);
  return resources || (plan.znode?.action === 'delete' && plan.znode.present);
}

/** What a plan will change, counted once for the plan view, the prompt and --json. */
export interface PlanTotals {
  volumes: number;
  /** Reservations to unreserve, not counting the disk under each volume. */
  reservations: number;
  /** What the unreserve phase sends: the reservations and the disk each destroyed volume leaves. */
  resources: number;
  /** Agents with something to destroy or unreserve. */
  agents: number;
  inUse: number;
  skipped: number;
  deleteZnode: boolean;
}

export function planTotals(plan: CleanupPlan): PlanTotals {
  const totals: PlanTotals = {
    volumes: 0,
    reservations: 0,
    resources: 0,
    agents: 0,
    inUse: 0,
    skipped: 0,
    deleteZnode: plan.znode?.action === 'delete' && plan.znode.present,
  };
  for (const agent of plan.agents) {
    totals.volumes += agent.volumes.length;
    totals.reservations += agent.reservations.length;
    totals.inUse += agent.inUse.length;
    totals.skipped += agent.skipped.length;
    if (agent.volumes.length + agent.reservations.length > 0) totals.agents++;
  }
  totals.resources = totals.reservations + totals.volumes;
  return totals;
}

/** "Destroy 3 volumes, unreserve 12 resources on 3 agents and delete /dcos-service-kafka", for the prompt. */
export function describeChanges(plan: CleanupPlan): string {
  const totals = planTotals(plan);
  const parts: string[] = [];
  if (totals.volumes > 0) parts.push(`destroy ${plural(totals.volumes, 'volume')}`);
  if (totals.resources > 0)
    parts.push(`unreserve ${plural(totals.resources, 'resource')} on ${plural(totals.agents, 'agent')}`);
  if (totals.deleteZnode && plan.znode) parts.push(`delete /${plan.znode.node}`);
  const text =
    parts.length > 1
      ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`
      : (parts[0] ?? 'change nothing');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** What the run sent, per agent, to be settled against a read after the act. */
interface Attempts {
  volumes: Map<string, MesosResource[]>;
  reservations: Map<string, MesosResource[]>;
}

interface Execution {
  attempts: Attempts;
  /** `key`: the resource's resourceKey, to settle the failure against the read after the run. */
  failures: Array<OperationFailure & { key?: string }>;
  znode: CleanupOutcome['znode'];
  /** The ZooKeeper delete, last of the changes: the verification's other reads need not wait for it. */
  znodeDone: Promise<void>;
}

async function executeCleanup(
  clients: CleanupClients,
  plan: CleanupPlan,
  options: CleanupOptions,
  progress: Progress,
): Promise<Execution> {
  const execution: Execution = {
    attempts: { volumes: new Map(), reservations: new Map() },
    failures: [],
    znode: 'not-requested',
    znodeDone: Promise.resolve(),
  };

  // One bound for every request of the run. The destroys go first; the unreserves of
  // agents without volumes need no re-read, so they queue right behind them and keep the
  // slots busy while the agents that held volumes are read again (the re-read jumps that queue).
  const slots = new BoundedQueue(options.concurrency);
  // One counter for every unreserve of the run, against the plan's totals (what the prompt said):
  // an agent counts the resources the plan gave it, whatever a destroyed volume's disk merged into.
  const totals = planTotals(plan);
  let unreserveTick: ((done: number) => void) | undefined;
  const tickUnreserved = (done: number) =>
    (unreserveTick ??= agentCounter(progress, 'Unreserving', totals.agents, totals.resources, 'resources'))(done);
  const planned = new Map(
    plan.agents.map((agent) => [agent.agentId, agent.reservations.length + agent.volumes.length]),
  );
  const unreserve = (agent: AgentCleanup) =>
    slots.run(async () => {
      execution.attempts.reservations.set(agent.agentId, agent.reservations);
      await applyPerAgent(
        clients.mesos,
        agent,
        agent.reservations,
        'unreserve',
        options,
        execution.failures,
        (count) => options.accepted && (options.accepted.resources += count),
      );
      tickUnreserved(planned.get(agent.agentId) ?? agent.reservations.length);
    });
  const resourcesOf = (agents: AgentCleanup[]) => agents.reduce((sum, agent) => sum + agent.reservations.length, 0);

  const withVolumes = plan.agents.filter((agent) => agent.volumes.length > 0);
  const plain = plan.agents.filter((agent) => agent.volumes.length === 0 && agent.reservations.length > 0);
  let destroys: Promise<unknown> = Promise.resolve();
  if (withVolumes.length > 0) {
    progress.step(
      `Destroying ${plural(
        withVolumes.reduce((sum, agent) => sum + agent.volumes.length, 0),
        'persistent volume',
      )} on ${plural(withVolumes.length, 'agent')}...`,
    );
    const tick = agentCounter(progress, 'Destroying volumes', withVolumes.length, totals.volumes, 'volumes');
    destroys = Promise.all(
      withVolumes.map((agent) =>
        slots.run(async () => {
          execution.attempts.volumes.set(agent.agentId, agent.volumes);
          await applyPerAgent(
            clients.mesos,
            agent,
            agent.volumes,
            'destroy-volume',
            options,
            execution.failures,
            (count) => options.accepted && (options.accepted.volumes += count),
          );
          tick(agent.volumes.length);
        }),
      ),
    );
  }
  let plainUnreserves: Promise<unknown> = Promise.resolve();
  if (plain.length > 0) {
    progress.step(
      `Unreserving ${plural(resourcesOf(plain), 'resource')} on the ${plural(plain.length, 'agent')} without volumes...`,
    );
    plainUnreserves = Promise.all(plain.map((agent) => unreserve(agent)));
    // Awaited below; marked handled now so that a failure while the destroys run is not "unhandled".
    plainUnreserves.catch(() => undefined);
  }
  await destroys;

  // A destroyed volume becomes plain reserved disk that may merge with identical
  // reserved disk, so the unreserve payload must come from a fresh read (docs/reference/mesos.md §5).
  let volumeUnreserves: Promise<unknown> = Promise.resolve();
  if (withVolumes.length > 0) {
    progress.step('Re-reading the agents after the destroys...');
    // Ahead of the queued unreserves: its answer and its parsing overlap them.
    const slaves = await slots.runFirst(() => clients.mesos.getAgents());
    const held = new Set(withVolumes.map((agent) => agent.agentId));
    const again = slaves.slaves
      .filter((agent) => held.has(agent.id))
      .map((agent) => planAgentCleanup(agent, plan.target))
      .filter((agent) => agent.reservations.length > 0);
    if (again.length > 0) {
      progress.step(
        `Unreserving ${plural(resourcesOf(again), 'resource')} on the ${plural(again.length, 'agent')} that held volumes...`,
      );
      volumeUnreserves = Promise.all(again.map((agent) => unreserve(agent)));
    }
  }
  await Promise.all([plainUnreserves, volumeUnreserves]);
  progress.clear();

  if (plan.znode?.action === 'keep') execution.znode = 'kept';
  if (plan.znode?.action === 'delete' && !plan.znode.present) execution.znode = 'absent';
  if (plan.znode?.action === 'delete' && plan.znode.present) {
    const node = plan.znode.node;
    progress.step(`Deleting ZooKeeper node /${node} through Exhibitor...`);
    execution.znodeDone = clients.exhibitor.deleteZnode(node).then(
      (outcome) => {
        execution.znode = outcome;
        if (outcome === 'deleted' && options.accepted) options.accepted.znodeDeleted = true;
      },
      (error: unknown) => {
        if (!(error instanceof UnexpectedResponseError)) throw error;
        execution.znode = 'failed';
        execution.failures.push({
          agentId: '',
          hostname: '',
          operation: 'delete-znode',
          resource: `/${node}`,
          message: error.message,
          hint: 're-run the cleanup',
        });
      },
    );
  }
  return execution;
}

/**
 * One batch per agent; if Mesos refuses the batch (all-or-nothing), the agent is read
 * again and what is still there goes one call per resource, so that one bad element does
 * not spare the rest (janitor.py flaw #5). A refusal is a failure only when a read of the
 * agent still shows the resource: an operation whose first answer was lost (a timeout, a
 * cut connection) was applied, and its retry is refused with 409 or 400.
 */
async function applyPerAgent(
  mesos: MesosClient,
  agent: AgentCleanup,
  resources: MesosResource[],
  operation: 'destroy-volume' | 'unreserve',
  options: CleanupOptions,
  failures: Execution['failures'],
  accepted: (count: number) => unknown,
): Promise<void> {
  const send = (batch: MesosResource[]) =>
    operation === 'destroy-volume' ? mesos.destroyVolumes(agent.agentId, batch) : mesos.unreserve(agent.agentId, batch);
  const batchOutcome = await send(resources);
  if (batchOutcome.kind === 'accepted') {
    accepted(resources.length);
    return;
  }
  if (isAgentGone(batchOutcome)) {
    failures.push(failureOf(agent, operation, plural(resources.length, 'resource'), batchOutcome));
    return;
  }
  let remaining = await stillHeld(mesos, agent.agentId, resources);
  for (const resource of remaining) {
    let outcome: OperationOutcome = resources.length === 1 ? batchOutcome : await send([resource]);
    for (let retry = 0; ; retry++) {
      if (outcome.kind === 'accepted') {
        accepted(1);
        break;
      }
      remaining = await stillHeld(mesos, agent.agentId, [resource]);
      if (remaining.length === 0) break;
      // A 409 may be a task that is ending: it is worth a few more tries.
      if (outcome.kind !== 'conflict' || retry >= options.conflictRetries) {
        failures.push({
          ...failureOf(agent, operation, describeResource(resource), outcome),
          key: resourceKey(resource),
        });
        break;
      }
      await sleep(options.conflictDelayMs * (retry + 1));
      outcome = await send([resource]);
    }
  }
}

/** The resources of the list that a fresh read of the agent still shows (all of them if the agent cannot be read). */
async function stillHeld(mesos: MesosClient, agentId: string, resources: MesosResource[]): Promise<MesosResource[]> {
  const agent = await mesos.getAgent(agentId);
  if (!agent) return resources;
  const present = new Set(
    Object.values(agent.reserved_resources_full ?? {})
      .flat()
      .map(resourceKey),
  );
  return resources.filter((resource) => present.has(resourceKey(resource)));
}

function isAgentGone(outcome: OperationOutcome): boolean {
  return outcome.kind === 'rejected' && /No agent found/i.test(outcome.message);
}

function failureOf(
  agent: AgentCleanup,
  operation: OperationFailure['operation'],
  resource: string,
  outcome: Exclude<OperationOutcome, { kind: 'accepted' }>,
): OperationFailure {
  let hint = 're-run the cleanup; if it persists, check the resource in the Mesos UI';
  if (isAgentGone(outcome)) hint = 'the agent left the cluster: its reservations return with it; clean again then';
  else if (/in use/i.test(outcome.message) || outcome.kind === 'conflict') {
    hint =
      'a framework may still be running and using it: tear it down first (dcos janitor teardown), then re-run the cleanup';
  } else if (/not dynamically reserved/i.test(outcome.message))
    hint = 'a static reservation: it belongs to the agent configuration, not to a framework';
  return { agentId: agent.agentId, hostname: agent.hostname, operation, resource, message: outcome.message, hint };
}

/**
 * The counts and failures as the read after the run shows them: a resource sent is done
 * when its agent is still registered and no longer holds it. An agent that is not registered
 * (it left, or moved to recovered_slaves in a master failover) shows nothing: what was sent
 * to it is unknown, never done.
 */
function settleOutcome(execution: Execution, fresh: CleanupPlan): CleanupOutcome {
  const known = new Set(fresh.registeredAgentIds);
  const heldNow = new Map<string, Set<string>>();
  for (const agent of fresh.agents) {
    const all = [
      ...agent.volumes,
      ...agent.reservations,
      ...agent.inUse,
      ...agent.skipped.map((skipped) => skipped.resource),
    ];
    heldNow.set(agent.agentId, new Set(all.map(resourceKey)));
  }
  const gone = (agentId: string, resource: MesosResource) =>
    known.has(agentId) && !(heldNow.get(agentId)?.has(resourceKey(resource)) ?? false);
  const countGone = (attempts: Map<string, MesosResource[]>) => {
    let done = 0;
    for (const [agentId, resources] of attempts) done += resources.filter((resource) => gone(agentId, resource)).length;
    return done;
  };
  const touched = new Set<string>();
  for (const attempts of [execution.attempts.volumes, execution.attempts.reservations]) {
    for (const [agentId, resources] of attempts)
      if (resources.some((resource) => gone(agentId, resource))) touched.add(agentId);
  }
  const failures = execution.failures
    .filter(
      (failure) =>
        failure.key === undefined ||
        !known.has(failure.agentId) ||
        (heldNow.get(failure.agentId)?.has(failure.key) ?? false),
    )
    .map(({ key: _key, ...failure }) => failure);
  let unknown = 0;
  for (const attempts of [execution.attempts.volumes, execution.attempts.reservations]) {
    for (const [agentId, resources] of attempts) if (!known.has(agentId)) unknown += resources.length;
  }
  return {
    volumesDestroyed: countGone(execution.attempts.volumes),
    resourcesUnreserved: countGone(execution.attempts.reservations),
    agentsTouched: touched.size,
    unknown,
    znode: execution.znode === 'deleted' && fresh.znode?.present ? 'failed' : execution.znode,
    failures,
  };
}

/** Execute a confirmed plan and verify it: what `cleanup` and `teardown --cleanup` share. */
export async function cleanUp(
  clients: CleanupClients,
  plan: CleanupPlan,
  options: CleanupOptions,
  progress: Progress,
  /** false when the caller verifies more widely itself (uninstall): the step is said once. */
  sayVerifying = true,
): Promise<{ outcome: CleanupOutcome; verification: Verification }> {
  if (!planHasChanges(plan)) progress.step(sayVerifying ? 'Nothing to change; verifying.' : 'Nothing to change.');
  const execution = await executeCleanup(clients, plan, options, progress);
  // The agents are read again while the znode is deleted (the delete changes nothing they hold); the znode after.
  const verifying = verifyFromFreshRead(clients, plan, sayVerifying ? progress : silentProgress, execution.znodeDone);
  verifying.catch(() => undefined);
  await execution.znodeDone;
  const { verification, fresh } = await verifying;
  return { outcome: settleOutcome(execution, fresh), verification };
}

/** A fresh read: the same plan made again must hold nothing of the target. */
export async function verifyCleanup(
  clients: CleanupClients,
  plan: CleanupPlan,
  progress: Progress,
): Promise<Verification> {
  return (await verifyFromFreshRead(clients, plan, progress)).verification;
}

async function verifyFromFreshRead(
  clients: CleanupClients,
  plan: CleanupPlan,
  progress: Progress,
  znodeAfter?: Promise<unknown>,
): Promise<{ verification: Verification; fresh: CleanupPlan }> {
  progress.step('Verifying from a fresh read of the cluster...');
  const fresh = await planCleanup(clients, plan.request, silentProgress, znodeAfter);
  return { verification: verificationOf(fresh, plan), fresh };
}

/** The verification a fresh plan makes: its leftovers, and the agents nothing can be said of. */
export function verificationOf(
  fresh: CleanupPlan,
  earlier?: CleanupPlan,
  adjust: (leftover: Leftover) => Leftover = (leftover) => leftover,
): Verification {
  const leftovers = leftoversOf(fresh, earlier).map(adjust);
  const heldTarget = new Set((earlier?.agents ?? []).filter(hasWork).map((agent) => agent.agentId));
  const unverifiableAgents = fresh.unregisteredAgents.filter((agent) => !heldTarget.has(agent.id));
  return { clean: leftovers.length === 0, leftovers, unverifiableAgents };
}

/**
 * What a plan made after the work still finds, each with the command that removes it.
 * `earlier`: the plan the work followed, to notice agents that left meanwhile.
 */
export function leftoversOf(fresh: CleanupPlan, earlier?: CleanupPlan): Leftover[] {
  const leftovers: Leftover[] = [];
  const again: JanitorAction = { kind: 'cleanup', request: fresh.request };
  // The remedy is data; the hint is its command line, with what to know before running it.
  const push = (leftover: Omit<Leftover, 'hint' | 'next'>, next: JanitorAction | undefined, before = '', after = '') =>
    leftovers.push({ ...leftover, next, hint: `${before}${next ? actionCommand(next) : ''}${after}` });
  // --framework-id narrows the target to those frameworks: another incarnation of the name, its
  // app and what is labelled otherwise are not this run's to report (a live re-install keeps them).
  const narrowed = fresh.target.onlyFrameworkIds;
  const ofNarrowed = (id: string | undefined) => narrowed.length === 0 || (id !== undefined && narrowed.includes(id));
  if (fresh.marathonApp && ofNarrowed(fresh.marathonApp.launches ?? (narrowed.length === 0 ? undefined : ''))) {
    push(
      {
        kind: 'app',
        detail: `Marathon app ${fresh.marathonApp.id} still exists (${plural(fresh.marathonApp.tasksRunning, 'task')} running)`,
      },
      {
        kind: 'uninstall',
        service: fresh.target.serviceName ?? fresh.marathonApp.id,
        manual: false,
        forceStuck: false,
      },
    );
  }
  const frameworks = fresh.frameworks.filter((candidate) => ofNarrowed(candidate.id));
  for (const framework of frameworks) {
    push(
      {
        kind: 'framework',
        detail: `framework ${framework.name} (${framework.id}) is still registered${framework.taskCount > 0 ? ` with ${plural(framework.taskCount, 'task')}` : ''}`,
      },
      { kind: 'teardown', frameworkId: framework.id, cleanup: false },
    );
  }
  const inUseNext: JanitorAction =
    frameworks.length > 0 ? { kind: 'teardown', frameworkId: frameworks[0].id, cleanup: true } : again;
  for (const agent of fresh.agents) {
    const where = { agentId: agent.agentId, hostname: agent.hostname };
    for (const resource of agent.inUse)
      push({ kind: 'in-use', ...where, detail: describeResource(resource) }, inUseNext, 'in use by a task: ');
    for (const resource of agent.volumes)
      push(
        { kind: 'volume', ...where, detail: describeResource(resource) },
        again,
        '',
        ' (a refusal that persists means a framework still runs)',
      );
    for (const resource of agent.reservations)
      push(
        { kind: 'reservation', ...where, detail: describeResource(resource) },
        again,
        '',
        ' (a 409 that persists means a framework still runs)',
      );
    // Of the target's role and principal, but not selected: still the target's, and still there.
    for (const { resource, reason } of agent.skipped) {
      if (narrowed.length > 0 || !TARGET_SKIP_REASONS.includes(reason) || !ofTargetPrincipal(resource, fresh)) continue;
      const remedy = skippedRemedy(reason, resource, fresh.request);
      push(
        {
          kind: isPersistentVolume(resource) ? 'volume' : 'reservation',
          ...where,
          detail: `${describeResource(resource)}: not selected (${reason}: ${SKIP_REASON_TEXT[reason]})`,
        },
        remedy.next,
        remedy.before,
      );
    }
  }
  // An agent that held the target's resources in this run and is no longer registered took them out of sight.
  const registered = new Set(fresh.registeredAgentIds);
  const left = (earlier?.agents ?? []).filter((planned) => hasWork(planned) && !registered.has(planned.agentId));
  for (const agent of left) {
    push(
      {
        kind: 'agent-unregistered',
        agentId: agent.agentId,
        hostname: agent.hostname,
        detail: 'agent left the cluster during the run: what it held cannot be verified',
      },
      again,
      'if it returns, its reservations return with it: ',
    );
  }
  // An agent that was not registered and on which this run never saw the target is not a
  // leftover: nothing of it can be said (Verification.unverifiableAgents warns of it).
  // Narrowed to some incarnations, a znode kept for another (registered) one is that one's.
  if (fresh.znode?.present && (narrowed.length === 0 || fresh.znode.action === 'delete')) {
    const why = fresh.znode.action === 'keep' ? ` (kept: ${fresh.znode.reason})` : '';
    push({ kind: 'znode', detail: `ZooKeeper node /${fresh.znode.node} still exists${why}` }, again);
  }
  return leftovers;
}

/** Skipped for a reason other than "someone else's": a static reservation or another principal is not the target's. */
function ofTargetPrincipal(resource: MesosResource, plan: CleanupPlan): boolean {
  const owner = reservationOf(resource);
  return owner.kind === 'dynamic' && owner.principal !== undefined && plan.target.principals.includes(owner.principal);
}

function skippedRemedy(
  reason: SkipReason,
  resource: MesosResource,
  request: CleanupRequest,
): { next?: JanitorAction; before?: string } {
  switch (reason) {
    case 'unlabeled':
      return { next: { kind: 'cleanup', request: { ...request, includeUnlabeled: true } } };
    case 'other-framework': {
      const frameworkId = reservationOf(resource).labels.framework_id;
      return {
        next: { kind: 'cleanup', request: { ...request, frameworkIds: [...request.frameworkIds, frameworkId] } },
        before: `if framework ${frameworkId} was this service's: `,
      };
    }
    case 'marathon-resident':
      return {
        before: 'Marathon releases it when the resident app that holds it is removed (dcos marathon app remove <app>)',
      };
    default:
      return { next: { kind: 'cleanup', request } };
  }
}

/** The cleanup command that does this request again, for hints. */
export function cleanupCommandLine(request: CleanupRequest): string {
  return actionCommand({ kind: 'cleanup', request });
}

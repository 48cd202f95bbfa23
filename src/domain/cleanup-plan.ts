import { ExhibitorClient } from '../clients/exhibitor';
import { MarathonClient } from '../clients/marathon';
import { MesosClient } from '../clients/mesos';
import { MesosFramework } from '../clients/mesos-schemas';
import { Blocker, CleanupRequest, JanitorAction } from './actions';
import {
  AgentCleanup,
  CleanupTarget,
  FrameworkSummary,
  HoldingFramework,
  UnregisteredAgent,
  hasWork,
  holdsTarget,
  planAgentCleanup,
  summariseFramework,
  toHoldingFramework,
  unregisteredAgents,
} from './selection';
import { Ownership, frameworkRoles, sameName } from './ownership';
import { Progress } from './progress';
import { plural } from '../text';
import { completeTargetFromFrameworks, targetFromRequest } from './cleanup-target';

/**
 * The cleanup plan: one read of the cluster (frameworks, the app, the znode, the agents) and
 * what the run would do, with the blockers that refuse it. Its types are the cleanup's types.
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
  /**
   * Names the cluster knows, for "did you mean" when nothing matches: frameworks (names, ids,
   * principals) and reserved roles.
   */
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

/** Agent id -> the resourceKeys a run may send: a reviewed plan's operations, nothing else. */
export type ResourceAllowList = Map<string, Set<string>>;

export interface CleanupOptions {
  /**
   * `dcos janitor apply`: only these resources are destroyed or unreserved (a destroyed volume's
   * disk by its key after the destroy); anything else the fresh read shows is left alone.
   */
  only?: ResourceAllowList;
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
        kind: 'framework',
        reason:
          `framework ${framework.name} (${framework.id}) lives in role ${target.roles.join(', ')} with principal ${framework.principal ?? '?'} (${liveness.reasons.join(', ')}): ` +
          "by role and principal alone its reservations cannot be told from the target's. Name the service to clean with --service NAME, or its framework with --framework-id ID.",
      });
      continue;
    }
    // Launched by the service's app, it is an installed service: uninstalled, not torn down under its app.
    const installed = marathonApp !== undefined && ownership.launchedBy(marathonApp)?.id === framework.id;
    blockers.push({
      kind: 'framework',
      reason: `framework ${framework.name} (${framework.id}) still lives (${liveness.reasons.join(', ')}): cleaning would pull resources from a running service.`,
      next: installed
        ? { kind: 'uninstall', service: target.serviceName ?? marathonApp.id, manual: false, forceStuck: false }
        : { kind: 'teardown', frameworkId: framework.id, cleanup: false },
    });
  }
  if (marathonApp && !(narrowedToDead && ownership.launchedBy(marathonApp))) {
    blockers.push({
      kind: 'app',
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
      kind: 'in-use',
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
    const registered = holding.filter((framework) =>
      target.frameworkNames.some((name) => sameName(name, framework.name)),
    );
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
      // Principals of frameworks subscribed to the target's roles: a principal they use is a real one,
      // even with nothing reserved now.
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

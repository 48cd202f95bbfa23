import { MesosAgent, MesosFramework, MesosResource, SlavesResponse } from '../clients/mesos-schemas';
import { frameworkRoles, sameName } from './ownership';
import { isPersistentVolume, reservationIdentity, reservationOf } from './resources';

export { frameworkRoles };

/**
 * The cleanup plan: pure functions from what Mesos reported to the list of
 * operations, so the dry-run, the execution and the verification all use the
 * same selection rule. janitor.py selected by role alone and destroyed sibling
 * services' data (docs/reference/peers.md §1.4 #1); here a resource is selected only
 * when role AND principal AND labels say it belongs to the target.
 */

export interface CleanupTarget {
  /** Set with --service; used for the framework and Marathon checks. */
  serviceName?: string;
  /** Innermost reservation roles to clean (a refined `<parent>/<role>` counts too). */
  roles: string[];
  /** Principals whose reservations are ours; every one recorded in reservation(s).principal. */
  principals: string[];
  /** Without a leading slash; undefined when no ZooKeeper cleanup was asked for. */
  zkNode?: string;
  marathonAppId?: string;
  /** Mesos framework names that belong to the target (SDK: the service name). */
  frameworkNames: string[];
  /**
   * Framework ids proven the target's: every incarnation of its name that does not live
   * (its labelled reservations are selected). Empty: no framework of the target is known,
   * and a `framework_id` label is not used to select (nothing to compare it with).
   */
  frameworkIds: string[];
  /** --framework-id: only resources labelled with one of these, nothing else (unlabelled ones included). */
  onlyFrameworkIds: string[];
  /**
   * Framework ids whose labelled reservations are never the target's to clean: a framework
   * that lives (whoever's), or a framework of another service name (a sibling in a shared
   * group role and service account).
   */
  foreignFrameworks: Record<string, 'live' | 'sibling'>;
  /**
   * Live frameworks of another name subscribed to the target's role with its principal: a
   * reservation with no framework_id label could be theirs, so it is not taken.
   */
  claimants: string[];
  /** Also take dynamic reservations without the SDK's resource_id label. */
  includeUnlabeled: boolean;
}

export type SkipReason =
  | 'static'
  | 'other-principal'
  | 'other-framework'
  | 'no-framework-label'
  | 'live-framework'
  | 'sibling'
  | 'shared-role'
  | 'marathon-resident'
  | 'unlabeled';

export const SKIP_REASON_TEXT: Record<SkipReason, string> = {
  static: 'static reservation (agent configuration): Mesos cannot unreserve it',
  'other-principal': 'reserved by another principal: belongs to another service',
  'other-framework':
    "framework_id label names a framework Mesos does not list as this service's: pass --framework-id to include it",
  'no-framework-label': 'no framework_id label, and --framework-id takes only labelled resources',
  'live-framework': 'framework_id label names a framework that still lives',
  sibling: "framework_id label names another service's framework (a sibling in the same role and principal)",
  'shared-role':
    'no framework_id label, and a live framework of another service shares the role and principal: whose it is cannot be told',
  'marathon-resident': 'Marathon resident-app reservation: Marathon cleans it itself',
  unlabeled: 'no SDK resource_id label: pass --include-unlabeled to include it',
};

/**
 * Skipped, yet (possibly) the target's: without the SDK label, labelled with a framework Mesos
 * no longer lists, or unlabelled under --framework-id. Still there after a run, they are
 * leftovers; a live framework's, a sibling's or an ambiguous one never are.
 */
export const TARGET_SKIP_REASONS: SkipReason[] = ['unlabeled', 'other-framework', 'no-framework-label'];

export interface SkippedResource {
  resource: MesosResource;
  reason: SkipReason;
}

export interface AgentCleanup {
  agentId: string;
  hostname: string;
  /** Persistent volumes to destroy first. */
  volumes: MesosResource[];
  /** Dynamic reservations to unreserve (volumes excluded: their disk is unreserved after the destroy). */
  reservations: MesosResource[];
  /** Selected, but (partly) used by a running task: Mesos will refuse them until it ends. */
  inUse: MesosResource[];
  /** In the target's role but not selected, with why: shown so nothing is silently spared. */
  skipped: SkippedResource[];
}

/** What every command shows of a Mesos framework. */
export interface FrameworkSummary {
  id: string;
  name: string;
  roles: string[];
  principal?: string;
  active: boolean;
  /** `connected` exists from Mesos 1.2; before that an active framework is a connected one. */
  connected: boolean;
}

/** A registered framework that holds the target's role and principal, or bears its name. */
export interface HoldingFramework extends FrameworkSummary {
  taskCount: number;
}

export interface UnregisteredAgent {
  id: string;
  hostname?: string;
}

export type ResourceSelection = { selected: true } | { selected: false; reason?: SkipReason };

/** The selection rule, one resource at a time. `reason` is set only for resources in the target's role. */
export function selectResource(resource: MesosResource, target: CleanupTarget): ResourceSelection {
  const owner = reservationOf(resource);
  if (owner.kind === 'unreserved' || !roleMatches(owner.role, owner.depth, target.roles)) return { selected: false };
  if (owner.kind === 'static') return { selected: false, reason: 'static' };
  if ('marathon_framework_id' in owner.labels || 'marathon_task_id' in owner.labels)
    return { selected: false, reason: 'marathon-resident' };
  const volumePrincipal = resource.disk?.persistence?.principal;
  if (owner.principal === undefined || !target.principals.includes(owner.principal))
    return { selected: false, reason: 'other-principal' };
  if (volumePrincipal !== undefined && !target.principals.includes(volumePrincipal))
    return { selected: false, reason: 'other-principal' };
  const frameworkLabel = owner.labels.framework_id;
  if (frameworkLabel !== undefined) {
    const foreign = target.foreignFrameworks[frameworkLabel];
    if (foreign === 'live') return { selected: false, reason: 'live-framework' };
    if (foreign === 'sibling') return { selected: false, reason: 'sibling' };
    const wanted = target.onlyFrameworkIds.length > 0 ? target.onlyFrameworkIds : target.frameworkIds;
    if (wanted.length > 0 && !wanted.includes(frameworkLabel)) return { selected: false, reason: 'other-framework' };
  } else {
    if (target.onlyFrameworkIds.length > 0) return { selected: false, reason: 'no-framework-label' };
    if (target.claimants.length > 0) return { selected: false, reason: 'shared-role' };
  }
  if (!('resource_id' in owner.labels) && !target.includeUnlabeled) return { selected: false, reason: 'unlabeled' };
  return { selected: true };
}

/**
 * A role matches exactly, or as the innermost level of a refined reservation
 * (`slave_public/kafka-role` for a pod with pre-reserved-role: slave_public,
 * docs/reference/naming.md §2). A hierarchical child role (`kafka-role/x` reserved
 * directly) is another role and does not match (docs/reference/mesos.md §8).
 */
export function roleMatches(role: string, depth: number, roles: string[]): boolean {
  return roles.some((wanted) => role === wanted || (depth >= 2 && role.endsWith(`/${wanted}`)));
}

export function planAgentCleanup(agent: MesosAgent, target: CleanupTarget): AgentCleanup {
  // What tasks use is worked out only for agents that hold something of the target (most do not, on a big cluster).
  let usedSet: Set<string> | undefined;
  const used = () => (usedSet ??= new Set((agent.used_resources_full ?? []).map(reservationIdentity)));
  const cleanup: AgentCleanup = {
    agentId: agent.id,
    hostname: agent.hostname,
    volumes: [],
    reservations: [],
    inUse: [],
    skipped: [],
  };
  for (const resources of Object.values(agent.reserved_resources_full ?? {})) {
    for (const resource of resources) {
      const selection = selectResource(resource, target);
      // In use is asked of everything proven the target's, selected or not (a reservation without
      // the SDK's resource_id label is still the target's): a task on it means the service runs.
      const inUse =
        (selection.selected || selection.reason === 'unlabeled') &&
        used().size > 0 &&
        used().has(reservationIdentity(resource));
      if (inUse) {
        cleanup.inUse.push(resource);
        continue;
      }
      if (!selection.selected) {
        if (selection.reason) cleanup.skipped.push({ resource, reason: selection.reason });
        continue;
      }
      if (isPersistentVolume(resource)) cleanup.volumes.push(resource);
      else cleanup.reservations.push(resource);
    }
  }
  return cleanup;
}

export function hasWork(cleanup: AgentCleanup): boolean {
  return cleanup.volumes.length + cleanup.reservations.length + cleanup.inUse.length > 0;
}

/** Agents the master knows but that are not registered now: their reservations are invisible. */
export function unregisteredAgents(slaves: SlavesResponse): UnregisteredAgent[] {
  return (slaves.recovered_slaves ?? []).map((agent) => ({ id: agent.id ?? '(unknown id)', hostname: agent.hostname }));
}

/**
 * A registered framework that is the target's. By name when the target is a service:
 * another service's framework in the same role and principal is a sibling, never the
 * target's. With -r/-p alone no service is named, so every framework of that role and
 * principal may be the owner, and is treated as one.
 */
export function holdsTarget(framework: MesosFramework, target: CleanupTarget): boolean {
  if (target.frameworkNames.some((name) => sameName(name, framework.name))) return true;
  if (target.serviceName !== undefined) return false;
  const sharesRole = frameworkRoles(framework).some((role) => target.roles.includes(role));
  return sharesRole && framework.principal !== undefined && target.principals.includes(framework.principal);
}

export function summariseFramework(framework: MesosFramework): FrameworkSummary {
  return {
    id: framework.id,
    name: framework.name,
    roles: frameworkRoles(framework),
    principal: framework.principal,
    active: framework.active,
    connected: framework.connected ?? framework.active,
  };
}

export function toHoldingFramework(framework: MesosFramework): HoldingFramework {
  return { ...summariseFramework(framework), taskCount: framework.tasks?.length ?? 0 };
}

import { MesosAgent, MesosFramework, MesosResource, SlavesResponse } from '../clients/mesos-schemas';
import { isPersistentVolume, reservationIdentity, reservationOf } from './resources';

/**
 * The cleanup plan: pure functions from what Mesos reported to the list of
 * operations, so the dry-run, the execution and the verification all use the
 * same selection rule. janitor.py selected by role alone and destroyed sibling
 * services' data (reference/peers.md §1.4 #1); here a resource is selected only
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
   * Known framework ids of the target. A resource whose `framework_id` label
   * (SDK >= 0.57.3) names another framework is not ours, whatever its role.
   * Empty: the label is not used as a filter (nothing known to compare with).
   */
  frameworkIds: string[];
  /** Also take dynamic reservations without the SDK's resource_id label. */
  includeUnlabeled: boolean;
}

export type SkipReason =
  | 'static'
  | 'other-principal'
  | 'other-framework'
  | 'marathon-resident'
  | 'unlabeled';

export const SKIP_REASON_TEXT: Record<SkipReason, string> = {
  static: 'static reservation (agent configuration): Mesos cannot unreserve it',
  'other-principal': 'reserved by another principal: belongs to another service',
  'other-framework': "framework_id label names another framework: pass --framework-id to include it",
  'marathon-resident': 'Marathon resident-app reservation: Marathon cleans it itself',
  unlabeled: 'no SDK resource_id label: pass --include-unlabeled to include it',
};

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
  if ('marathon_framework_id' in owner.labels || 'marathon_task_id' in owner.labels) return { selected: false, reason: 'marathon-resident' };
  const volumePrincipal = resource.disk?.persistence?.principal;
  if (owner.principal === undefined || !target.principals.includes(owner.principal)) return { selected: false, reason: 'other-principal' };
  if (volumePrincipal !== undefined && !target.principals.includes(volumePrincipal)) return { selected: false, reason: 'other-principal' };
  const frameworkLabel = owner.labels.framework_id;
  if (frameworkLabel !== undefined && target.frameworkIds.length > 0 && !target.frameworkIds.includes(frameworkLabel)) {
    return { selected: false, reason: 'other-framework' };
  }
  if (!('resource_id' in owner.labels) && !target.includeUnlabeled) return { selected: false, reason: 'unlabeled' };
  return { selected: true };
}

/**
 * A role matches exactly, or as the innermost level of a refined reservation
 * (`slave_public/kafka-role` for a pod with pre-reserved-role: slave_public,
 * reference/naming.md §2). A hierarchical child role (`kafka-role/x` reserved
 * directly) is another role and does not match (reference/mesos.md §8).
 */
function roleMatches(role: string, depth: number, roles: string[]): boolean {
  return roles.some((wanted) => role === wanted || (depth >= 2 && role.endsWith(`/${wanted}`)));
}

export function planAgentCleanup(agent: MesosAgent, target: CleanupTarget): AgentCleanup {
  // What tasks use is worked out only for agents that hold something of the target (most do not, on a big cluster).
  let usedSet: Set<string> | undefined;
  const used = () => (usedSet ??= new Set((agent.used_resources_full ?? []).map(reservationIdentity)));
  const cleanup: AgentCleanup = { agentId: agent.id, hostname: agent.hostname, volumes: [], reservations: [], inUse: [], skipped: [] };
  for (const resources of Object.values(agent.reserved_resources_full ?? {})) {
    for (const resource of resources) {
      const selection = selectResource(resource, target);
      if (!selection.selected) {
        if (selection.reason) cleanup.skipped.push({ resource, reason: selection.reason });
        continue;
      }
      if (used().size > 0 && used().has(reservationIdentity(resource))) cleanup.inUse.push(resource);
      else if (isPersistentVolume(resource)) cleanup.volumes.push(resource);
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

export function frameworkRoles(framework: MesosFramework): string[] {
  return framework.roles ?? (framework.role ? [framework.role] : []);
}

export function holdsTarget(framework: MesosFramework, target: CleanupTarget): boolean {
  if (target.frameworkNames.includes(framework.name)) return true;
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

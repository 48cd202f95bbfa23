import { CleanupRequest } from './actions';
import { UsageError } from '../errors';
import { CleanupTarget } from './selection';
import {
  deriveServiceNames,
  serviceNameFromZkNode,
  validateCleanupPrincipal,
  validateCleanupRole,
  validateCleanupZnode,
} from './naming';
import { Ownership, frameworkRoles, sameName } from './ownership';

/** From the flags, and then from the frameworks Mesos lists, to the target: what is the service's. */

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
        ...selectionOf(request),
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
      ...selectionOf(request),
    },
    notes,
  };
}

/** What the request says of the selection, before the frameworks are read (completeTargetFromFrameworks). */
function selectionOf(
  request: CleanupRequest,
): Pick<CleanupTarget, 'frameworkIds' | 'onlyFrameworkIds' | 'foreignFrameworks' | 'claimants' | 'includeUnlabeled'> {
  return {
    frameworkIds: [...request.frameworkIds],
    onlyFrameworkIds: [...request.frameworkIds],
    foreignFrameworks: {},
    claimants: [],
    includeUnlabeled: request.includeUnlabeled,
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
export function completeTargetFromFrameworks(
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

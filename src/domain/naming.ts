import { serviceUrlPath } from '../cluster/endpoints';
import { UsageError } from '../errors';

/**
 * From a DC/OS service name to the Mesos role, principal, ZooKeeper node, Marathon
 * app id and service URL, by the dcos-commons rules (docs/reference/naming.md §1, §2).
 */

export interface ServiceNames {
  /** As the operator typed it (a leading '/' matters for the default principal). */
  serviceName: string;
  /** withEscapedSlashes: one leading '/' dropped, remaining '/' -> '__'. */
  escapedName: string;
  /** The Mesos framework name is the raw service name; both spellings occur in practice. */
  frameworkNames: string[];
  /** The legacy default role `<escaped>-role`. */
  role: string;
  /** `<name as given>-principal`, then the other spelling (with/without leading '/'). */
  principals: string[];
  /** Without a leading slash, as Exhibitor's delete path wants it. */
  zkNode: string;
  marathonAppId: string;
  /** `/service/<name without leading slash>`, folders kept. */
  serviceUrlPath: string;
}

export function escapeServiceName(serviceName: string): string {
  if (serviceName.includes('__')) {
    throw new UsageError(
      `Service name '${serviceName}' contains '__', which DC/OS service names may not contain: check the name with 'dcos service'.`,
    );
  }
  const withoutLeadingSlash = serviceName.startsWith('/') ? serviceName.slice(1) : serviceName;
  return withoutLeadingSlash.replace(/\//g, '__');
}

export function deriveServiceNames(serviceName: string): ServiceNames {
  const name = serviceName.trim();
  const bare = name.replace(/^\/+/, '').replace(/\/+$/, '');
  if (!bare)
    throw new UsageError(
      `'${serviceName}' is not a service name: give it as shown by 'dcos service', e.g. kafka or /data/kafka.`,
    );
  if (bare.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new UsageError(
      `Service name '${serviceName}' has an empty, '.' or '..' folder: give it as shown by 'dcos service'.`,
    );
  }
  const escapedName = escapeServiceName(name);
  const asGiven = name.replace(/\/+$/, '');
  const otherSpelling = asGiven.startsWith('/') ? bare : `/${bare}`;
  return {
    serviceName: asGiven,
    escapedName,
    frameworkNames: [asGiven, otherSpelling],
    role: `${escapedName}-role`,
    principals: [`${asGiven}-principal`, `${otherSpelling}-principal`],
    zkNode: `dcos-service-${escapedName}`,
    marathonAppId: `/${bare}`,
    serviceUrlPath: serviceUrlPath(bare),
  };
}

/** `dcos-service-data__kafka` -> `/data/kafka`; undefined for nodes the SDK did not name. */
export function serviceNameFromZkNode(zkNode: string): string | undefined {
  const node = zkNode.replace(/^\/+/, '');
  const match = /^dcos-service-(.+)$/.exec(node);
  if (!match || match[1].includes('/')) return undefined;
  return `/${match[1].replace(/__/g, '/')}`;
}

/** Roles that belong to the cluster, never to one service: refusing them is the first guard. */
const PROTECTED_ROLES = new Set(['*', 'slave_public']);

/** Mesos' role validation (roles.cpp, >= 1.4), plus our own guard. Returns the role trimmed. */
export function validateCleanupRole(role: string): string {
  const trimmed = role.trim();
  if (!trimmed)
    throw new UsageError(
      'The role is empty: give the service role with -r/--role, e.g. -r kafka-role, or use --service NAME.',
    );
  if (PROTECTED_ROLES.has(trimmed)) {
    throw new UsageError(
      `Refusing to clean role '${trimmed}': it is ${trimmed === '*' ? 'the unreserved pool' : "the public agents' static role"}, shared by the whole cluster. Give the service's own role.`,
    );
  }
  const problem = roleProblem(trimmed);
  if (problem) throw new UsageError(`'${trimmed}' is not a valid Mesos role (${problem}): check -r/--role.`);
  return trimmed;
}

function roleProblem(role: string): string | undefined {
  if (/\s/.test(role)) return 'it contains whitespace';
  if (role.startsWith('/') || role.endsWith('/')) return "it starts or ends with '/'";
  if (role.includes('//')) return "it contains '//'";
  for (const component of role.split('/')) {
    if (component === '.' || component === '..' || component === '*') return `it has a component '${component}'`;
    if (component.startsWith('-')) return "a component starts with '-'";
  }
  return undefined;
}

export function validateCleanupPrincipal(principal: string): string {
  const trimmed = principal.trim();
  if (!trimmed) {
    throw new UsageError(
      'The principal is empty: give the one the service reserved with, -p/--principal (e.g. kafka-principal), or use --service NAME.',
    );
  }
  return trimmed;
}

/**
 * ZooKeeper nodes that belong to DC/OS itself. Deleting any of them, or anything
 * under them, breaks the cluster; `/` would be the whole tree.
 */
const PROTECTED_ZNODES = ['zookeeper', 'mesos', 'marathon', 'dcos', 'exhibitor', 'cosmos', 'metronome'];

/** Returns the node without leading or trailing slashes, or throws. */
export function validateCleanupZnode(zkNode: string): string {
  const segments = zkNode
    .trim()
    .split('/')
    .filter((segment) => segment.length > 0);
  if (segments.length === 0) {
    throw new UsageError(
      `Refusing to delete ZooKeeper node '${zkNode}': that is the root of the whole tree. Give the service's node, e.g. dcos-service-kafka.`,
    );
  }
  if (segments.some((segment) => segment === '.' || segment === '..')) {
    throw new UsageError(
      `ZooKeeper node '${zkNode}' has a '.' or '..' segment: give the node name, e.g. dcos-service-kafka.`,
    );
  }
  if (PROTECTED_ZNODES.includes(segments[0])) {
    throw new UsageError(
      `Refusing to delete ZooKeeper node '/${segments.join('/')}': /${segments[0]} belongs to DC/OS itself. Give the service's node, e.g. dcos-service-kafka.`,
    );
  }
  return segments.join('/');
}

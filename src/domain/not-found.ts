import { ExhibitorClient } from '../clients/exhibitor';
import { MarathonClient } from '../clients/marathon';
import { NothingFoundError } from '../errors';
import type { CleanupPlan } from './cleanup';
import { TARGET_SKIP_REASONS, hasWork } from './selection';
import { serviceNameFromZkNode } from './naming';
import { reservationOf } from './resources';

/**
 * Names and ids the operator typed must match exactly: a principal that holds nothing in
 * the given role (a typo beside a service's 16 reservations would otherwise end in
 * "Verified"), and a --framework-id that Mesos does not know, registered, completed or in
 * a label. Undefined when they match.
 */
export function inexactNames(plan: CleanupPlan): NothingFoundError | undefined {
  const { request, target } = plan;
  const resources = plan.agents.flatMap((agent) => [
    ...agent.volumes,
    ...agent.reservations,
    ...agent.inUse,
    ...agent.skipped.map((skipped) => skipped.resource),
  ]);
  if (request.principal !== undefined && request.roles.length > 0) {
    const principals = new Set(
      resources
        .map((resource) => reservationOf(resource).principal)
        .filter((principal): principal is string => principal !== undefined),
    );
    const known = principals.has(request.principal) || plan.knownNames.principals.includes(request.principal);
    if (!known && principals.size > 0) {
      const present = [...principals].sort();
      const close = closestNames(request.principal, present);
      return new NothingFoundError(
        `Principal ${request.principal} holds nothing in role ${target.roles.join(', ')}; ${present.length === 1 ? 'the principal there is' : 'the principals there are'} ${present.join(', ')}.${didYouMean(close.length > 0 ? close : present)} ` +
          'Check -p/--principal (dcos janitor audit lists roles and principals); pass --ignore-not-found to treat this as done.',
        close,
      );
    }
  }
  const labelled = new Set(
    resources
      .map((resource) => reservationOf(resource).labels.framework_id)
      .filter((id): id is string => id !== undefined),
  );
  for (const id of request.frameworkIds) {
    if (labelled.has(id) || plan.knownNames.frameworkIds.includes(id)) continue;
    const close = closestNames(id, [...plan.knownNames.frameworkIds, ...labelled]);
    return new NothingFoundError(
      `Framework id ${id} is not known to Mesos (registered or completed) and labels no reservation of role ${target.roles.join(', ') || '(none)'}.${didYouMean(close)} ` +
        "Check the id with 'dcos service --inactive --completed'; pass --ignore-not-found to treat this as done.",
      close,
    );
  }
  return undefined;
}

/**
 * "Nothing of that name" is its own outcome: a mistyped service name must not end in
 * "Verified" and exit 0 (a CI pipeline with a wrong $SERVICE would go green). A name
 * that left any trace (an app, a framework active or completed, a reservation of its
 * role, its znode) is "already clean" instead, which is a success.
 */

/** What of the target the cluster shows; empty: the name matches nothing. */
export function tracesOf(plan: CleanupPlan): string[] {
  const traces: string[] = [];
  if (plan.marathonApp) traces.push(`Marathon app ${plan.marathonApp.id}`);
  for (const framework of plan.frameworks) traces.push(`framework ${framework.name} (${framework.id})`);
  for (const framework of plan.completedFrameworks)
    traces.push(`completed framework ${framework.name} (${framework.id})`);
  // Only what is proven the target's: another principal's or a sibling's reservations in the same role
  // are not a trace of it.
  const agents = plan.agents.filter(
    (agent) => hasWork(agent) || agent.skipped.some((skipped) => TARGET_SKIP_REASONS.includes(skipped.reason)),
  ).length;
  if (agents > 0)
    traces.push(`reservations of role ${plan.target.roles.join(', ')} on ${agents} agent${agents === 1 ? '' : 's'}`);
  if (plan.znode?.present) traces.push(`ZooKeeper node /${plan.znode.node}`);
  return traces;
}

/**
 * The error for a target that matches nothing, with the names the cluster does know
 * that are closest to it. Apps and top-level znodes are read only here, on the error path.
 */
export async function nothingFound(
  clients: { marathon: MarathonClient; exhibitor: ExhibitorClient },
  plan: CleanupPlan,
): Promise<NothingFoundError> {
  const [apps, znodes] = await Promise.all([
    clients.marathon.listApps().catch(() => []),
    clients.exhibitor.listChildren('/').catch(() => [] as string[]),
  ]);
  const { target } = plan;
  const serviceNames = [
    ...apps.map((app) => app.id),
    ...plan.knownNames.frameworks,
    ...plan.knownNames.roles
      .filter((role) => role.endsWith('-role'))
      .map((role) => role.slice(0, -'-role'.length).replace(/__/g, '/')),
    ...znodes.map((node) => serviceNameFromZkNode(node)).filter((name): name is string => name !== undefined),
  ];
  const suggestions: string[] = [];
  if (target.serviceName !== undefined) suggestions.push(...closestNames(target.serviceName, serviceNames));
  // Roles are suggested only when the operator typed one (-r); a derived role would just echo the service.
  for (const role of plan.request.roles)
    suggestions.push(...closestNames(role, plan.knownNames.roles).map((name) => `role ${name}`));
  if (target.zkNode && target.serviceName === undefined) {
    suggestions.push(...closestNames(target.zkNode, znodes).map((name) => `ZooKeeper node /${name}`));
  }
  const unique = [...new Set(suggestions)].slice(0, 5);
  const what = describeTarget(plan);
  const hint = didYouMean(unique);
  return new NothingFoundError(
    `Nothing of ${what} is on the cluster: no Marathon app, no framework (active or completed), no reservation of its role, no ZooKeeper node.${hint} ` +
      "Check the name with 'dcos service --inactive --completed'; pass --ignore-not-found to treat this as done.",
    unique,
  );
}

/** " Did you mean 'a' or 'b'?" for up to five names; empty for none. */
export function didYouMean(names: string[]): string {
  return names.length > 0
    ? ` Did you mean ${names
        .slice(0, 5)
        .map((name) => `'${name}'`)
        .join(' or ')}?`
    : '';
}

/** Names within a small edit distance of the wanted one (or containing it), closest first; slashes and case ignored. */
export function closestNames(wanted: string, candidates: string[]): string[] {
  const normalise = (name: string) => name.replace(/^\/+/, '').toLowerCase();
  const target = normalise(wanted);
  if (!target) return [];
  const scored = new Map<string, number>();
  for (const candidate of candidates) {
    const name = normalise(candidate);
    if (!name || name === target) continue;
    const distance = editDistance(target, name);
    const limit = Math.max(2, Math.floor(target.length / 3));
    const score = distance <= limit ? distance : name.includes(target) || target.includes(name) ? limit + 1 : Infinity;
    if (score !== Infinity && score < (scored.get(candidate.replace(/^\/+/, '')) ?? Infinity))
      scored.set(candidate.replace(/^\/+/, ''), score);
  }
  return [...scored].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).map(([name]) => name);
}

/** Levenshtein distance with adjacent transpositions counted as one edit ("kafak" -> "kafka"). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** "service 'kafak'", "role r with principal p", "ZooKeeper node /z": what the operator named. */
export function describeTarget(plan: CleanupPlan): string {
  const { target } = plan;
  if (target.serviceName !== undefined) return `service '${target.serviceName}'`;
  const parts: string[] = [];
  if (target.roles.length > 0)
    parts.push(`role ${target.roles.join(', ')} with principal ${target.principals.join(' or ')}`);
  if (target.zkNode) parts.push(`ZooKeeper node /${target.zkNode}`);
  return parts.join(' or ');
}

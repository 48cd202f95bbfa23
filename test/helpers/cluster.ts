import { ClusterState } from '../../src/sim/cluster-state';
import { innermostRole, isVolume, SimResource } from '../../src/sim/resources';
import { SimCluster } from '../../src/sim/server';

/** Read-outs of the simulator's state, for assertions. */

export function reservedOf(
  sim: SimCluster,
  role: string,
  principal?: string,
): Array<{ agentId: string; resource: SimResource }> {
  return reservedWhere(
    sim.state,
    (resource) =>
      innermostRole(resource) === role && (principal === undefined || lastPrincipal(resource) === principal),
  );
}

export function reservedWhere(
  state: ClusterState,
  keep: (resource: SimResource) => boolean,
): Array<{ agentId: string; resource: SimResource }> {
  const found: Array<{ agentId: string; resource: SimResource }> = [];
  for (const agent of state.agents.values()) {
    for (const resource of agent.total)
      if (resource.reservations.length > 0 && keep(resource)) found.push({ agentId: agent.id, resource });
  }
  return found;
}

export function volumesOf(sim: SimCluster, principal: string): SimResource[] {
  return reservedWhere(sim.state, (resource) => isVolume(resource) && lastPrincipal(resource) === principal).map(
    (entry) => entry.resource,
  );
}

export function lastPrincipal(resource: SimResource): string | undefined {
  return resource.reservations[resource.reservations.length - 1]?.principal;
}

/** Requests that change the cluster. */
export function mutatingRequests(sim: SimCluster) {
  return sim.requests.filter((entry) => entry.method !== 'GET' && entry.method !== 'HEAD');
}

/** A snapshot of everything an agent holds, to prove a sibling was not touched. */
export function snapshotWhere(sim: SimCluster, keep: (resource: SimResource) => boolean): string {
  return JSON.stringify(reservedWhere(sim.state, keep));
}

/**
 * The Cassandra leftovers of the cassandra-* scenarios named the way janitor.py names them:
 * its role and principal (a cleanup by role), and with its znode (the whole of janitor.py's run).
 */
export const CASSANDRA_ROLE_AND_PRINCIPAL = ['-r', 'cassandra_role', '-p', 'cassandra_principal'];
export const CASSANDRA_BY_NAMES = [...CASSANDRA_ROLE_AND_PRINCIPAL, '-z', 'cassandra'];

import { ClusterState, SimAgent, SimFramework, SimTask } from './cluster-state';
import { SimRequest, SimResponse, empty, json, parseMesosForm, text } from './http-types';
import {
  ResourceFormatError,
  SimResource,
  addResources,
  formatResource,
  identityKey,
  innermostRole,
  isVolume,
  lastReservation,
  parseResource,
  resourceText,
  resourcesText,
  subtractResources,
  summarise,
} from './resources';

/**
 * The Mesos master's operator endpoints, with the status codes, texts and
 * state changes of docs/reference/mesos.md and docs/reference/simulator.md.
 */

const POST_ONLY = new Set(['teardown', 'unreserve', 'reserve', 'destroy-volumes', 'create-volumes']);

export function handleMesos(state: ClusterState, request: SimRequest): SimResponse {
  // Mesos serves each route both bare (/slaves) and as /master/slaves.
  const endpoint = request.path.replace(/^\/master(?=\/)/, '').replace(/^\//, '');
  if (POST_ONLY.has(endpoint) && request.method !== 'POST') {
    return {
      status: 405,
      body: `405 Method Not Allowed. Expecting one of { 'POST' }, but received '${request.method}'.`,
      headers: { Allow: 'POST', 'Content-Type': 'text/plain; charset=utf-8' },
    };
  }
  switch (endpoint) {
    case 'slaves':
      return slavesAnswer(state, request.query.get('slave_id'));
    case 'frameworks':
      return json(200, frameworksBody(state, request.query.get('framework_id')));
    case 'state':
      return json(200, stateBody(state));
    case 'state.json':
      // Removed in Mesos 1.8 (MESOS-4509).
      return state.version.atLeast(1, 8) ? text(404, '') : json(200, stateBody(state));
    case 'state-summary':
      return json(200, stateSummaryBody(state));
    case 'roles':
      return json(200, rolesBody(state));
    case 'roles.json':
      return state.version.atLeast(1, 8) ? text(404, '') : json(200, rolesBody(state));
    case 'teardown':
      return teardown(state, request.body);
    case 'unreserve':
      return unreserve(state, request.body);
    case 'destroy-volumes':
      return destroyVolumes(state, request.body);
    default:
      return text(404, '');
  }
}

function missing(state: ClusterState, parameter: string): SimResponse {
  // The text gained " in the request body" in Mesos 1.2 (docs/reference/mesos.md §1).
  const suffix = state.version.atLeast(1, 2) ? ' in the request body' : '';
  return text(400, `Missing '${parameter}' query parameter${suffix}`);
}

/** 202 from Mesos 1.0; 200 on 0.25-0.28. */
function accepted(state: ClusterState): SimResponse {
  return empty(state.version.atLeast(1, 0) ? 202 : 200);
}

// ---------------------------------------------------------------- operations

function teardown(state: ClusterState, body: string): SimResponse {
  const form = parseMesosForm(body);
  if (!form) return text(400, 'Unable to decode query string: malformed percent-encoding');
  const frameworkId = form.get('frameworkId');
  if (frameworkId === undefined) return missing(state, 'frameworkId');
  if (!state.tearDown(frameworkId)) return text(400, 'No framework found with specified ID');
  return empty(200);
}

interface ParsedOperation {
  agent: SimAgent;
  resources: SimResource[];
}

function parseOperation(
  state: ClusterState,
  body: string,
  parameter: 'resources' | 'volumes',
  operation: string,
): ParsedOperation | SimResponse {
  const form = parseMesosForm(body);
  if (!form) return text(400, 'Unable to decode query string: malformed percent-encoding');
  const agentId = form.get('slaveId');
  if (agentId === undefined) return missing(state, 'slaveId');
  const raw = form.get(parameter);
  if (raw === undefined) return missing(state, parameter);
  const inBody = state.version.atLeast(1, 2) ? ' in the request body' : '';
  let parsedJson: unknown;
  try {
    parsedJson = JSON.parse(raw);
  } catch (error) {
    return text(400, `Error in parsing '${parameter}' query parameter${inBody}: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsedJson))
    return text(400, `Error in parsing '${parameter}' query parameter${inBody}: expected a JSON array`);
  const agent = state.agents.get(agentId);
  if (!agent || agent.state !== 'registered') return text(400, 'No agent found with specified ID');
  try {
    return { agent, resources: parsedJson.map(parseResource) };
  } catch (error) {
    if (error instanceof ResourceFormatError)
      return text(400, `Invalid ${operation} operation: Invalid resources: ${error.message}`);
    throw error;
  }
}

function unreserve(state: ClusterState, body: string): SimResponse {
  const parsed = parseOperation(state, body, 'resources', 'UNRESERVE');
  if ('status' in parsed) return parsed;
  const { agent, resources } = parsed;
  for (const resource of resources) {
    const last = lastReservation(resource);
    if (!last || last.type !== 'DYNAMIC') {
      return text(400, `Invalid UNRESERVE operation: Resource ${resourceText(resource)} is not dynamically reserved`);
    }
    if (isVolume(resource)) {
      return text(
        400,
        `Invalid UNRESERVE operation: A dynamically reserved persistent volume ${resourceText(resource)} cannot be unreserved directly. ` +
          'Please destroy the persistent volume first then unreserve the resource',
      );
    }
  }
  const available = state.availableResources(agent);
  // All-or-nothing: the whole batch must be in the available pool exactly as sent.
  if (!subtractResources(available, resources)) {
    return text(409, `${resourcesText(available)} does not contain ${resourcesText(resources)}`);
  }
  const remaining = subtractResources(agent.total, resources);
  if (!remaining) return text(409, `${resourcesText(agent.total)} does not contain ${resourcesText(resources)}`);
  // A refined reservation pops one level (slave_public/x goes back to static slave_public).
  const popped = resources.map((resource) => ({ ...resource, reservations: resource.reservations.slice(0, -1) }));
  agent.total = addResources(remaining, popped);
  return accepted(state);
}

function destroyVolumes(state: ClusterState, body: string): SimResponse {
  const parsed = parseOperation(state, body, 'volumes', 'DESTROY');
  if ('status' in parsed) return parsed;
  const { agent, resources } = parsed;
  const checkpointed: SimResource[] = [];
  for (const volume of resources) {
    if (!isVolume(volume))
      return text(400, `Invalid DESTROY operation: Not a persistent volume: ${resourceText(volume)}`);
    // Exact match but for container_path (MESOS-3961).
    const match = agent.total.find((candidate) => isVolume(candidate) && sameVolumeIgnoringPath(candidate, volume));
    if (!match) return text(400, 'Invalid DESTROY operation: Persistent volumes not found');
    checkpointed.push(match);
  }
  const usedIds = new Set(
    state
      .usedResources(agent.id)
      .flatMap(({ task }) => task.resources)
      .filter(isVolume)
      .map((volume) => volume.disk?.persistence?.id),
  );
  if (checkpointed.some((volume) => usedIds.has(volume.disk?.persistence?.id))) {
    // Mesos 1.0 answered 409 here; 1.1+ validates and answers 400 (docs/reference/mesos.md §5).
    return state.version.atLeast(1, 1)
      ? text(400, 'Invalid DESTROY operation: Persistent volumes in use')
      : text(409, 'Persistent volumes in use');
  }
  const remaining = subtractResources(agent.total, checkpointed);
  if (!remaining) return text(400, 'Invalid DESTROY operation: Persistent volumes not found');
  // The volume becomes plain reserved disk with the same reservation (it is not unreserved).
  const freed = checkpointed.map((volume) => {
    const disk = volume.disk?.source ? { source: volume.disk.source } : undefined;
    const plain: SimResource = {
      name: volume.name,
      type: volume.type,
      scalar: volume.scalar,
      reservations: volume.reservations,
    };
    if (disk) plain.disk = disk;
    return plain;
  });
  agent.total = addResources(remaining, freed);
  return accepted(state);
}

function sameVolumeIgnoringPath(a: SimResource, b: SimResource): boolean {
  const withoutPath = (resource: SimResource) =>
    identityKey({
      ...resource,
      disk: {
        ...resource.disk,
        volume: resource.disk?.volume ? { ...resource.disk.volume, container_path: '' } : undefined,
      },
    }) + `|${resource.scalar}`;
  return withoutPath(a) === withoutPath(b);
}

// ---------------------------------------------------------------- reads

function agentSummary(state: ClusterState, agent: SimAgent) {
  const used = state.usedResources(agent.id).flatMap(({ task }) => task.resources);
  const reserved = agent.total.filter((resource) => resource.reservations.length > 0);
  const reservedByRole = new Map<string, SimResource[]>();
  for (const resource of reserved) {
    const role = innermostRole(resource);
    reservedByRole.set(role, [...(reservedByRole.get(role) ?? []), resource]);
  }
  const summary: Record<string, unknown> = {
    id: agent.id,
    pid: `slave(1)@${agent.hostname}:${agent.port}`,
    hostname: agent.hostname,
    port: agent.port,
    registered_time: agent.registeredTime,
    resources: summarise(agent.total),
    used_resources: summarise(used),
    offered_resources: summarise([]),
    reserved_resources: Object.fromEntries([...reservedByRole].map(([role, list]) => [role, summarise(list)])),
    unreserved_resources: summarise(agent.total.filter((resource) => resource.reservations.length === 0)),
    attributes: agent.attributes,
    active: true,
    version: state.scenario.mesosVersion,
  };
  if (state.version.atLeast(1, 3)) summary.capabilities = ['MULTI_ROLE', 'HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT'];
  return { summary, reservedByRole, used };
}

/** `{slaves: [...], recovered_slaves: [...]}`, the agents made one by one as they are sent. */
function slavesAnswer(state: ClusterState, slaveIdFilter: string | null): SimResponse {
  const filter = state.version.atLeast(1, 4) ? slaveIdFilter : null;
  const agents = state.registeredAgents().filter((agent) => !filter || agent.id === filter);
  return {
    status: 200,
    headers: { 'Content-Type': 'application/json' },
    body: { recovered_slaves: recoveredAgents(state) },
    stream: {
      key: 'slaves',
      elements: function* () {
        for (const agent of agents) yield agentEntry(state, agent);
      },
    },
  };
}

function recoveredAgents(state: ClusterState) {
  return [...state.agents.values()]
    .filter((agent) => agent.state === 'recovered')
    .map((agent) => ({ id: agent.id, hostname: agent.hostname, port: agent.port, resources: [], attributes: [] }));
}

function agentEntry(state: ClusterState, agent: SimAgent): Record<string, unknown> {
  const { summary, reservedByRole } = agentSummary(state, agent);
  const usedFull = state
    .usedResources(agent.id)
    .flatMap(({ task, framework }) =>
      task.resources.map((resource) => formatResource(resource, state.version, frameworkRole(framework))),
    );
  const full: Record<string, unknown> = {
    ...summary,
    reserved_resources_full: Object.fromEntries(
      [...reservedByRole].map(([role, list]) => [
        role,
        list.map((resource) => formatResource(resource, state.version)),
      ]),
    ),
    used_resources_full: usedFull,
    offered_resources_full: [],
  };
  if (state.version.atLeast(1, 4)) {
    full.unreserved_resources_full = agent.total
      .filter((resource) => resource.reservations.length === 0)
      .map((resource) => formatResource(resource, state.version));
  }
  return full;
}

function frameworkRole(framework: SimFramework): string {
  return framework.role ?? framework.roles?.[0] ?? '*';
}

function taskBody(task: SimTask) {
  return {
    id: task.id,
    name: task.name,
    framework_id: task.frameworkId,
    executor_id: '',
    slave_id: task.agentId,
    state: task.state,
    resources: summarise(task.resources),
    statuses: [{ state: task.state, timestamp: 1_700_000_100 }],
  };
}

function frameworkBody(state: ClusterState, framework: SimFramework) {
  const used = framework.tasks.flatMap((task) => task.resources);
  const body: Record<string, unknown> = {
    id: framework.id,
    name: framework.name,
    pid: `scheduler-${framework.id}@${framework.hostname}:1234`,
    used_resources: summarise(used),
    offered_resources: summarise([]),
    capabilities: framework.roles ? ['MULTI_ROLE'] : [],
    hostname: framework.hostname,
    webui_url: framework.webuiUrl,
    active: framework.active,
    user: 'root',
    failover_timeout: 604800,
    checkpoint: true,
    registered_time: framework.registeredTime,
    ...(framework.reregisteredTime !== undefined ? { reregistered_time: framework.reregisteredTime } : {}),
    unregistered_time: framework.unregisteredTime,
    resources: summarise(used),
    tasks: framework.tasks.map((task) => taskBody(task)),
    completed_tasks: framework.completedTasks.map((task) => taskBody(task)),
    offers: [],
    executors: [],
  };
  if (state.version.atLeast(1, 2)) {
    body.connected = framework.connected;
    body.recovered = framework.recovered;
  }
  if (framework.principal !== undefined) body.principal = framework.principal;
  if (framework.roles) body.roles = framework.roles;
  else body.role = framework.role ?? '*';
  return body;
}

function frameworksBody(state: ClusterState, frameworkIdFilter: string | null) {
  const filter = state.version.atLeast(1, 4) ? frameworkIdFilter : null;
  const keep = (framework: SimFramework) => !filter || framework.id === filter;
  return {
    frameworks: [...state.frameworks.values()].filter(keep).map((framework) => frameworkBody(state, framework)),
    completed_frameworks: state.completedFrameworks.filter(keep).map((framework) => frameworkBody(state, framework)),
    // Id strings on <= 1.3, always [] from 1.4; the simulator has no unregistered ones.
    unregistered_frameworks: [],
  };
}

function stateBody(state: ClusterState) {
  const frameworks = frameworksBody(state, null);
  return {
    version: state.scenario.mesosVersion,
    cluster: state.scenario.clusterName,
    leader_info: { hostname: 'master.mesos', port: 5050 },
    flags: { authenticate_http_readwrite: 'false', authenticate_http_readonly: 'false' },
    slaves: state.registeredAgents().map((agent) => agentSummary(state, agent).summary),
    recovered_slaves: recoveredAgents(state),
    frameworks: frameworks.frameworks,
    completed_frameworks: frameworks.completed_frameworks,
    unregistered_frameworks: [],
  };
}

function stateSummaryBody(state: ClusterState) {
  return {
    hostname: 'master.mesos',
    cluster: state.scenario.clusterName,
    slaves: state.registeredAgents().map((agent) => agentSummary(state, agent).summary),
    frameworks: [...state.frameworks.values()].map((framework) => {
      const counts: Record<string, number> = {
        TASK_STAGING: 0,
        TASK_STARTING: 0,
        TASK_RUNNING: 0,
        TASK_KILLING: 0,
        TASK_FINISHED: 0,
        TASK_KILLED: 0,
        TASK_FAILED: 0,
        TASK_LOST: 0,
      };
      for (const task of [...framework.tasks, ...framework.completedTasks])
        counts[task.state] = (counts[task.state] ?? 0) + 1;
      return {
        id: framework.id,
        name: framework.name,
        active: framework.active,
        ...(state.version.atLeast(1, 2) ? { connected: framework.connected, recovered: framework.recovered } : {}),
        ...counts,
        slave_ids: [...new Set(framework.tasks.map((task) => task.agentId))],
      };
    }),
  };
}

function rolesBody(state: ClusterState) {
  const roles = new Map<string, { frameworks: Set<string>; resources: SimResource[] }>();
  const entry = (name: string) => {
    if (!roles.has(name)) roles.set(name, { frameworks: new Set(), resources: [] });
    return roles.get(name)!;
  };
  for (const framework of state.frameworks.values())
    for (const role of framework.roles ?? [frameworkRole(framework)]) entry(role).frameworks.add(framework.id);
  for (const agent of state.registeredAgents()) {
    for (const resource of agent.total)
      if (resource.reservations.length > 0) entry(innermostRole(resource)).resources.push(resource);
  }
  return {
    roles: [...roles].map(([name, value]) => ({
      name,
      weight: 1.0,
      frameworks: [...value.frameworks],
      resources: summarise(value.resources),
    })),
  };
}

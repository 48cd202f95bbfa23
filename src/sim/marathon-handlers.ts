import * as crypto from 'node:crypto';

import { ClusterState, SimApp, SimFramework } from './cluster-state';
import { SimRequest, SimResponse, json } from './http-types';

/**
 * Root Marathon's `/v2` (docs/reference/marathon.md): apps, deployments, info.
 * Deleting an app is a deployment that finishes after `deploymentMs`; the
 * scheduler it ran is killed, but its Mesos framework stays registered,
 * inactive, until someone tears it down.
 */

export interface MarathonOptions {
  deploymentMs: number;
  /** Runs `work` later, on a timer the simulator clears when it stops. */
  later: (ms: number, work: () => void) => void;
  /** An app's task was restarted with a new definition: its scheduler (if any) starts anew. */
  restartScheduler: (appId: string) => void;
}

export function handleMarathon(state: ClusterState, request: SimRequest, options: MarathonOptions): SimResponse {
  const path = request.path.replace(/\/+$/, '');
  if (path === '/v2/apps' && request.method === 'GET') {
    const label = request.query.get('label');
    const apps = [...state.apps.values()].filter((app) => !label || matchesLabel(app, label));
    return json(200, { apps: apps.map((app) => appBody(app)) });
  }
  if (path.startsWith('/v2/apps/')) {
    const appId = `/${path.slice('/v2/apps/'.length).split('/').map(decodeURIComponent).join('/')}`;
    const app = state.apps.get(appId);
    if (!app) return json(404, { message: `App '${appId}' does not exist` });
    if (request.method === 'GET') return json(200, { app: appBody(app) });
    if (request.method === 'DELETE') return deleteApp(state, app, request, options);
    if (request.method === 'PUT') return updateApp(state, app, request, options);
  }
  if (path === '/v2/deployments' && request.method === 'GET') {
    return json(
      200,
      [...state.deployments.values()].map((deployment) => ({
        id: deployment.id,
        version: deployment.version,
        affectedApps: deployment.affectedApps,
        affectedPods: [],
        steps: [{ actions: deployment.affectedApps.map((app) => ({ action: deployment.action, app })) }],
        currentActions: deployment.affectedApps.map((app) => ({
          action: deployment.action,
          app,
          readinessCheckResults: [],
        })),
        currentStep: 1,
        totalSteps: 1,
      })),
    );
  }
  if (path === '/v2/info' && request.method === 'GET') {
    const marathon = [...state.frameworks.values()].find((framework) => framework.name === 'marathon');
    return json(200, {
      name: 'marathon',
      version: '1.11.23',
      leader: 'master.mesos:8080',
      frameworkId: marathon?.id ?? '',
      marathon_config: { framework_name: 'marathon', mesos_role: 'slave_public' },
    });
  }
  return json(500, { message: 'URI not found' });
}

function matchesLabel(app: SimApp, selector: string): boolean {
  const [key, value] = selector.split('==');
  if (!(key in app.labels)) return false;
  return value === undefined || app.labels[key] === value;
}

/**
 * PUT /v2/apps/{id}: a new definition (Cosmos sets env SDK_UNINSTALL this way) is a
 * deployment that restarts the app's task with it (docs/reference/cosmos.md §3).
 */
function updateApp(state: ClusterState, app: SimApp, request: SimRequest, options: MarathonOptions): SimResponse {
  let definition: { env?: Record<string, string>; labels?: Record<string, string> };
  try {
    definition = JSON.parse(request.body || '{}') as typeof definition;
  } catch {
    return json(400, { message: 'Invalid JSON', details: [] });
  }
  const force = request.query.get('force') === 'true';
  if (!force && app.deployments.length > 0) {
    return json(409, {
      message: "App is locked by one or more deployments. Override with the option '?force=true'.",
      deployments: app.deployments.map((id) => ({ id })),
    });
  }
  if (definition.env) app.env = { ...definition.env };
  if (definition.labels) app.labels = { ...definition.labels };
  const deploymentId = crypto.randomUUID();
  const version = state.nowIso();
  state.deployments.set(deploymentId, {
    id: deploymentId,
    version,
    affectedApps: [app.id],
    action: 'RestartApplication',
  });
  app.deployments.push(deploymentId);
  app.version = version;
  options.later(options.deploymentMs, () => {
    state.deployments.delete(deploymentId);
    app.deployments = app.deployments.filter((id) => id !== deploymentId);
    if (state.apps.get(app.id) === app) options.restartScheduler(app.id);
  });
  return json(200, { version, deploymentId }, { 'Marathon-Deployment-Id': deploymentId });
}

export function deleteApp(
  state: ClusterState,
  app: SimApp,
  request: SimRequest,
  options: MarathonOptions,
): SimResponse {
  // `force` defaults to true in Marathon's code, whatever the RAML says (docs/reference/marathon.md §1).
  const force = request.query.get('force') !== 'false';
  if (!force && app.deployments.length > 0) {
    return json(409, {
      message: `App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/${app.deployments[0]}'.`,
      deployments: app.deployments.map((id) => ({ id })),
    });
  }
  const deploymentId = crypto.randomUUID();
  const version = state.nowIso();
  state.deployments.set(deploymentId, { id: deploymentId, version, affectedApps: [app.id], action: 'StopApplication' });
  app.deployments.push(deploymentId);
  options.later(options.deploymentMs, () => {
    state.deployments.delete(deploymentId);
    if (state.apps.get(app.id) !== app) return;
    state.apps.delete(app.id);
    // The scheduler task is killed; its framework stays registered, inactive (docs/reference/marathon.md §1).
    const framework = app.schedulerFrameworkId ? state.frameworks.get(app.schedulerFrameworkId) : undefined;
    if (framework) {
      framework.active = false;
      framework.connected = false;
      framework.unregisteredTime = state.nowSeconds();
    }
  });
  return json(200, { version, deploymentId }, { 'Marathon-Deployment-Id': deploymentId });
}

function appBody(app: SimApp) {
  return {
    ...app.extra,
    id: app.id,
    instances: app.instances,
    env: app.env,
    labels: app.labels,
    version: app.version,
    tasksRunning: app.tasksRunning,
    tasksStaged: app.tasksStaged,
    ...(app.lastTaskFailure ? { lastTaskFailure: { appId: app.id, ...app.lastTaskFailure } } : {}),
    tasksHealthy: 0,
    tasksUnhealthy: 0,
    deployments: app.deployments.map((id) => ({ id })),
    tasks: Array.from({ length: app.tasksRunning }, (_, index) => ({
      id: `${app.id.replace(/^\//, '').replace(/\//g, '_')}.instance-${index}`,
      appId: app.id,
      state: 'TASK_RUNNING',
      ...(app.taskAddress ? { host: app.taskAddress.host, ports: app.taskAddress.ports } : {}),
    })),
  };
}

/**
 * Marathon keeps its app running: when the scheduler's framework is torn down
 * while the app exists, the scheduler task dies and Marathon relaunches it. An SDK
 * scheduler that still finds its framework id in ZooKeeper is refused by Mesos
 * ("Framework has been removed") and crash-loops; one without stored state
 * registers as a new framework (docs/reference/mesos.md §3, derived).
 */
export function relaunchSchedulerAfterTeardown(
  state: ClusterState,
  framework: SimFramework,
  options: MarathonOptions,
): void {
  const app = [...state.apps.values()].find((candidate) => candidate.schedulerFrameworkId === framework.id);
  if (!app) return;
  app.tasksRunning = 0;
  app.tasksStaged = 1;
  options.later(options.deploymentMs, () => {
    if (state.apps.get(app.id) !== app) return;
    const zkRoot = `/dcos-service-${framework.name.replace(/^\//, '').replace(/\//g, '__')}`;
    if (state.znodes.get(`${zkRoot}/FrameworkID`) === framework.id) {
      app.tasksStaged = 1;
      app.lastTaskFailure = { state: 'TASK_FAILED', message: 'Framework has been removed', timestamp: state.nowIso() };
      return;
    }
    const id = state.nextFrameworkId();
    state.frameworks.set(id, {
      ...framework,
      id,
      active: true,
      connected: true,
      registeredTime: state.nowSeconds(),
      unregisteredTime: 0,
      tasks: [],
      completedTasks: [],
    });
    state.znodes.set(zkRoot, state.znodes.get(zkRoot) ?? '');
    state.znodes.set(`${zkRoot}/FrameworkID`, id);
    app.schedulerFrameworkId = id;
    app.tasksRunning = 1;
    app.tasksStaged = 0;
  });
}

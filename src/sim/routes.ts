import * as http from 'node:http';

import { authorised, login, unauthorised } from './auth';
import { ClusterState } from './cluster-state';
import { SimCosmos } from './cosmos-handlers';
import { ExhibitorFaults, ExhibitorViolations, handleExhibitor } from './exhibitor-handlers';
import { SimRequest, SimResponse, dropConnection, json, text } from './http-types';
import { MarathonOptions, handleMarathon } from './marathon-handlers';
import { handleMesos } from './mesos-handlers';
import { Scenario } from './scenario';
import { SimScheduler } from './sdk-scheduler';

/**
 * Which service answers a request: Admin Router's prefixes and token check, or a service
 * at its own address. Nothing here writes to a socket (wire.ts); the fault rules are
 * faults.ts's, except a missing or moved leader, which is Admin Router's own answer.
 */

/** Admin Router, or a service at its own address, without Admin Router's prefix. */
export type Listener = 'admin-router' | 'leader' | 'marathon' | 'exhibitor' | 'cosmos' | 'scheduler';

/** What routing reads of the simulated cluster. */
export interface RoutedCluster {
  readonly state: ClusterState;
  readonly scenario: Scenario;
  readonly schedulers: Map<string, SimScheduler>;
  readonly cosmos: SimCosmos;
  readonly leaderUrl: string;
  /** Admin Router's /metadata CLUSTER_ID: the scenario's, unless a test changed it. */
  readonly clusterId?: string;
  readonly faults: { noLeader: number; leaderRedirects: number; exhibitor: ExhibitorFaults };
  readonly violations: ExhibitorViolations;
  marathonOptions(): MarathonOptions;
}

/** A service at its own address: its own paths, no Admin Router prefix, no token checked (open DC/OS). */
export function routeDirect(
  cluster: RoutedCluster,
  listener: Exclude<Listener, 'admin-router'>,
  req: http.IncomingMessage,
  url: URL,
  body: string,
  schedulerAppId?: string,
): SimResponse {
  const request: SimRequest = {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    body,
    headers: req.headers,
  };
  switch (listener) {
    case 'leader':
      return handleMesos(cluster.state, request);
    case 'marathon':
      return handleMarathon(cluster.state, request, cluster.marathonOptions());
    case 'exhibitor':
      if (!url.pathname.startsWith('/exhibitor/v1/')) return text(404, '');
      return handleExhibitor(
        cluster.state,
        { ...request, path: url.pathname.slice('/exhibitor/v1'.length) },
        cluster.faults.exhibitor,
        cluster.violations,
      );
    case 'cosmos':
      if (!url.pathname.startsWith('/package/')) return text(404, '');
      return cluster.cosmos.handle(url.pathname.slice('/package/'.length), request);
    case 'scheduler': {
      const app = schedulerAppId ? cluster.state.apps.get(schedulerAppId) : undefined;
      const scheduler = schedulerAppId ? cluster.schedulers.get(schedulerAppId) : undefined;
      // No task running there: nothing answers at that address any more.
      if (!app || app.tasksRunning === 0 || !scheduler) return dropConnection();
      return scheduler.handle(request);
    }
  }
}

export function routeAdminRouter(
  cluster: RoutedCluster,
  req: http.IncomingMessage,
  url: URL,
  body: string,
): SimResponse {
  const method = req.method ?? 'GET';
  const path = url.pathname;
  const open =
    path === '/exhibitor/exhibitor/v1/cluster/status' ||
    path === '/acs/api/v1/auth/login' ||
    path === '/dcos-metadata/dcos-version.json' ||
    path === '/metadata';
  if (!open && !authorised(cluster.scenario, req)) return unauthorised();
  if (path === '/pkgpanda/active.buildinfo.full.json') return json(200, {});
  if (path === '/acs/api/v1/auth/login' && method === 'POST') return login(cluster.scenario, body);
  if (path === '/metadata')
    return json(200, {
      PUBLIC_IPV4: '127.0.0.1',
      CLUSTER_ID: cluster.clusterId ?? cluster.scenario.clusterId ?? `sim-${cluster.scenario.name}`,
    });
  if (path === '/dcos-metadata/dcos-version.json') {
    return json(200, {
      version: cluster.scenario.dcosVersion,
      'dcos-variant': 'open',
      'dcos-image-commit': 'simulated',
      'bootstrap-id': 'simulated',
    });
  }

  const request = (prefix: string): SimRequest => ({
    method,
    path: path.slice(prefix.length) || '/',
    query: url.searchParams,
    body,
    headers: req.headers,
  });
  if (path.startsWith('/mesos/')) {
    if (cluster.faults.noLeader > 0) {
      cluster.faults.noLeader--;
      return text(503, 'No leader elected');
    }
    if (cluster.faults.leaderRedirects > 0) {
      cluster.faults.leaderRedirects--;
      // Protocol-relative, as Mesos sends it (docs/reference/mesos.md §1).
      const location = `//${new URL(cluster.leaderUrl).host}${path.slice('/mesos'.length)}${url.search}`;
      return { status: 307, headers: { Location: location } };
    }
    return handleMesos(cluster.state, request('/mesos'));
  }
  if (path.startsWith('/service/marathon/') || path.startsWith('/marathon/')) {
    const prefix = path.startsWith('/marathon/') ? '/marathon' : '/service/marathon';
    return handleMarathon(cluster.state, request(prefix), cluster.marathonOptions());
  }
  if (path.startsWith('/package/') || path.startsWith('/cosmos/service/')) {
    const operation = path.startsWith('/package/')
      ? path.slice('/package/'.length)
      : path.slice('/cosmos/service/'.length);
    return cluster.cosmos.handle(operation, request(''));
  }
  if (path.startsWith('/exhibitor/exhibitor/v1/')) {
    return handleExhibitor(
      cluster.state,
      request('/exhibitor/exhibitor/v1'),
      cluster.faults.exhibitor,
      cluster.violations,
    );
  }
  if (path.startsWith('/service/')) return routeService(cluster, path.slice('/service/'.length), request);
  return {
    status: 404,
    body: '<html><body><h1>404 Not Found</h1></body></html>',
    headers: { 'Content-Type': 'text/html' },
  };
}

/**
 * Admin Router's /service/<name>/...: the longest prefix (up to 10 segments) that is
 * the DCOS_SERVICE_NAME of an app with a running task (docs/reference/sdk-plans.md §1).
 */
function routeService(cluster: RoutedCluster, rest: string, request: (prefix: string) => SimRequest): SimResponse {
  const segments = rest.split('/');
  for (let length = Math.min(10, segments.length); length >= 1; length--) {
    const name = segments.slice(0, length).map(decodeURIComponent).join('/');
    const app = [...cluster.state.apps.values()].find(
      (candidate) =>
        (candidate.labels.DCOS_SERVICE_NAME ?? '').replace(/^\/+/, '') === name && candidate.tasksRunning > 0,
    );
    if (!app) continue;
    const scheduler = cluster.schedulers.get(app.id);
    if (!scheduler) return text(404, 'Not Found');
    const prefix = `/service/${segments.slice(0, length).join('/')}`;
    return scheduler.handle(request(prefix));
  }
  return text(404, '404 Not Found: service not found.');
}

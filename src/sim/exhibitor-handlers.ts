import { ClusterState } from './cluster-state';
import { SimRequest, SimResponse, empty, json } from './http-types';

/**
 * Exhibitor's explorer API (docs/reference/exhibitor-zookeeper.md §2): DELETE always
 * answers 200 and tells failure in `succeeded`; the delete is recursive; an empty
 * path means "/" and would take the whole tree.
 */

export interface ExhibitorFaults {
  /** 403 with an empty body, as with --nodemodification false. */
  mutationsDisabled: boolean;
  /** Fail a delete after this many nodes are gone: succeeded:false with part of the tree deleted. */
  failDeleteAfter?: number;
}

export interface ExhibitorViolations {
  /** Set when a client asked to delete "/": the tests assert it never happens. */
  rootDeleteAttempted: boolean;
}

export function handleExhibitor(
  state: ClusterState,
  request: SimRequest,
  faults: ExhibitorFaults,
  violations: ExhibitorViolations,
): SimResponse {
  if (request.path === '/cluster/status' && request.method === 'GET') {
    return json(200, [{ code: 3, description: 'serving', hostname: 'master.mesos', isLeader: true }]);
  }
  if (request.path.startsWith('/explorer/znode') && (request.method === 'DELETE' || request.method === 'PUT')) {
    if (faults.mutationsDisabled) return empty(403);
    const rest = request.path.slice('/explorer/znode'.length).replace(/^\//, '');
    // Exhibitor prepends "/" to what follows znode/.
    const path = `/${decodeURIComponent(rest)}`;
    if (request.method === 'PUT') {
      state.znodes.set(path, Buffer.from(request.body.replace(/\s+/g, ''), 'hex').toString('utf8'));
      return json(200, { message: 'OK', succeeded: true });
    }
    if (path === '/' || path === '') {
      violations.rootDeleteAttempted = true;
      return json(200, { message: 'Simulator refused to delete / (the whole ZooKeeper tree)', succeeded: false });
    }
    if (path.includes('//'))
      return json(200, { message: `Path must not contain empty node names: ${path}`, succeeded: false });
    if (!state.znodes.has(path))
      return json(200, { message: `KeeperErrorCode = NoNode for ${path}`, succeeded: false });
    const result = state.deleteZnodeRecursive(path, faults.failDeleteAfter);
    if (result.failedAt) {
      faults.failDeleteAfter = undefined;
      return json(200, { message: `KeeperErrorCode = ConnectionLoss for ${result.failedAt}`, succeeded: false });
    }
    return json(200, { message: 'OK', succeeded: true });
  }
  if (request.path === '/explorer/node' && request.method === 'GET') {
    const key = request.query.get('key') ?? '/';
    const prefix = key === '/' ? '/' : `${key}/`;
    if (key !== '/' && !state.znodes.has(key))
      return json(200, [{ title: '* Exception *', key: '*', isLazy: false, expand: false }]);
    const children = [...state.znodes.keys()]
      .filter((node) => node.startsWith(prefix) && !node.slice(prefix.length).includes('/'))
      .map((node) => node.slice(prefix.length))
      .sort();
    return json(
      200,
      children.map((title) => ({ title, key: `${prefix}${title}`, isLazy: true, expand: false })),
    );
  }
  if (request.path === '/explorer/node-data' && request.method === 'GET') {
    const key = request.query.get('key') ?? '/';
    const data = state.znodes.get(key);
    if (data === undefined && key !== '/') return json(200, { bytes: '', str: '', stat: '* not found * ' });
    const bytes = Buffer.from(data ?? '', 'utf8');
    return json(200, {
      bytes: [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(' '),
      str: data ?? '',
      stat: `czxid: 4294967298\nmzxid: 4294967298\ndataLength: ${bytes.length}\nnumChildren: 0\n`,
    });
  }
  return json(404, { message: 'Not Found' });
}

import { ClusterHttp, parseBody } from '../cluster/http';
import { AuthError, UnexpectedResponseError, UsageError } from '../errors';
import { ExhibitorResultSchema, NodeChildrenSchema, NodeDataSchema } from './exhibitor-schemas';

/**
 * ZooKeeper through Exhibitor (`/exhibitor/v1/explorer/...`, behind Admin Router's `/exhibitor`
 * or at port 8181 of a master), the only
 * path with delete rights on top-level nodes (docs/reference/exhibitor-zookeeper.md §3).
 */

export type ZnodeDeleteOutcome = 'deleted' | 'absent';

const SERVICE = 'Exhibitor';
const EXPLORER = '/exhibitor/v1/explorer';
const NOT_FOUND_STAT = '* not found *';

export class ExhibitorClient {
  constructor(private readonly http: ClusterHttp) {}

  /**
   * Recursive delete. Exhibitor prepends '/' to the path, so an empty path
   * would delete the whole tree: it is refused here whatever the caller checked.
   */
  async deleteZnode(node: string): Promise<ZnodeDeleteOutcome> {
    const segments = znodeSegments(node);
    const response = await this.http.request({
      service: SERVICE,
      to: 'exhibitor',
      method: 'DELETE',
      path: `${EXPLORER}/znode/${segments.map(encodeURIComponent).join('/')}`,
      accept: [403],
    });
    if (response.status === 403) {
      // Exhibitor's own 403 (--nodemodification false) has an empty body; Admin Router's has HTML.
      if (response.text.trim()) {
        throw new AuthError(
          `Admin Router answered 403 Forbidden to ${response.endpoint}: deleting ZooKeeper nodes needs a highly privileged account; log in as one with 'dcos auth login'.`,
        );
      }
      throw new UnexpectedResponseError(
        `Exhibitor refused to delete /${segments.join('/')}: node modification is disabled on this cluster (exhibitor --nodemodification false).`,
      );
    }
    const result = parseBody(ExhibitorResultSchema, response, SERVICE);
    if (result.succeeded) return 'deleted';
    if (/NoNode/i.test(result.message)) return 'absent';
    throw new UnexpectedResponseError(
      `Exhibitor could not delete /${segments.join('/')}: "${result.message}". Part of the tree may be gone; re-run to finish.`,
    );
  }

  /**
   * The children of a node ("/" for the top level). Exhibitor answers any error, a
   * missing node included, with one "* Exception *" entry: read as no children.
   */
  async listChildren(node: string): Promise<string[]> {
    const key = node === '/' ? '/' : `/${znodeSegments(node).join('/')}`;
    const response = await this.http.request({
      service: SERVICE,
      to: 'exhibitor',
      method: 'GET',
      path: `${EXPLORER}/node`,
      query: { key },
    });
    return parseBody(NodeChildrenSchema, response, SERVICE)
      .filter((child) => child.key !== '*')
      .map((child) => child.title);
  }

  async znodeExists(node: string): Promise<boolean> {
    const key = `/${znodeSegments(node).join('/')}`;
    const response = await this.http.request({
      service: SERVICE,
      to: 'exhibitor',
      method: 'GET',
      path: `${EXPLORER}/node-data`,
      query: { key },
    });
    const data = parseBody(NodeDataSchema, response, SERVICE);
    return !data.stat.trim().startsWith(NOT_FOUND_STAT);
  }
}

/** "dcos-service-kafka" or "/dcos-service-kafka" -> ["dcos-service-kafka"]; never an empty list. */
export function znodeSegments(node: string): string[] {
  const segments = node.split('/').filter((segment) => segment.length > 0);
  if (segments.length === 0)
    throw new UsageError(`Refusing to address ZooKeeper node '${node}': that is the root of the whole tree.`);
  return segments;
}

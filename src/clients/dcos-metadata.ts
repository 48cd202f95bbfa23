import { z } from 'zod';

import { ClusterHttp, parseBody } from '../cluster/http';

/** Admin Router's own metadata: the DC/OS version selects version-specific behaviour (reference/README.md). */

const VersionSchema = z.looseObject({ version: z.string() });
const MetadataSchema = z.looseObject({ CLUSTER_ID: z.string().optional() });

export class DcosMetadataClient {
  constructor(private readonly http: ClusterHttp) {}

  async version(): Promise<string> {
    const response = await this.http.request({
      service: 'Admin Router',
      to: 'admin-router',
      method: 'GET',
      path: '/dcos-metadata/dcos-version.json',
    });
    return parseBody(VersionSchema, response, 'Admin Router').version;
  }

  /**
   * The cluster's id, as `dcos cluster setup` reads it (docs/reference/dcos-cli-plugin.md §6): what tells one
   * cluster from another when a URL is re-used. Undefined where there is no Admin Router (the services'
   * own addresses) or it does not say.
   */
  async clusterId(): Promise<string | undefined> {
    try {
      this.http.baseUrl('admin-router');
    } catch {
      return undefined;
    }
    const response = await this.http.request({
      service: 'Admin Router',
      to: 'admin-router',
      method: 'GET',
      path: '/metadata',
      accept: [404],
    });
    if (response.status === 404) return undefined;
    const id = parseBody(MetadataSchema, response, 'Admin Router').CLUSTER_ID;
    return id && id.length > 0 ? id : undefined;
  }
}

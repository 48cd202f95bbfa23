import { z } from 'zod';

import { ClusterHttp, parseBody } from '../cluster/http';

/** Admin Router's own metadata: the DC/OS version selects version-specific behaviour (reference/README.md). */

const VersionSchema = z.looseObject({ version: z.string() });

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
}

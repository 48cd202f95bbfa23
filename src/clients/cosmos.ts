import { ClusterHttp, HttpResponse, parseBody } from '../cluster/http';
import { UnexpectedResponseError } from '../errors';
import { CosmosErrorSchema, PackageList, PackageListSchema, UninstallResponseSchema } from './cosmos-schemas';

/**
 * Cosmos through Admin Router (`/package/<op>`). Every RPC is a POST with vendor
 * media types that Cosmos checks exactly (docs/reference/cosmos.md §1).
 */

const SERVICE = 'Cosmos';
const media = (name: string) => `application/vnd.dcos.package.${name}+json;charset=utf-8;version=v1`;

/** A Cosmos refusal with its type (AmbiguousAppId, PackageNotInstalled, IncompleteUninstall...). */
export class CosmosRefusal extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
    readonly data: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export class CosmosClient {
  constructor(private readonly http: ClusterHttp) {}

  async listPackages(): Promise<PackageList['packages']> {
    const response = await this.rpc('list', {});
    return parseBody(PackageListSchema, response, SERVICE).packages;
  }

  /**
   * Starts the uninstall. For an SDK service this only sets SDK_UNINSTALL on the app:
   * a 200 does not mean the service is gone (docs/reference/cosmos.md §3).
   */
  async uninstall(packageName: string, appId: string): Promise<void> {
    const response = await this.rpc('uninstall', { packageName, appId });
    parseBody(UninstallResponseSchema, response, SERVICE);
  }

  private async rpc(name: 'list' | 'uninstall', body: object): Promise<HttpResponse> {
    const response = await this.http.request({
      service: SERVICE,
      to: 'cosmos',
      method: 'POST',
      path: `/package/${name}`,
      json: body,
      headers: { 'Content-Type': media(`${name}-request`), Accept: media(`${name}-response`) },
      // Cosmos' own refusals come as typed error bodies; 503 ones too (IncompleteUninstall,
      // ServiceUnavailable), and those are not retried blindly: the caller decides.
      accept: [400, 404, 409, 503],
      retry: name === 'list',
      readOnly: name === 'list',
    });
    if (response.status >= 200 && response.status < 300) return response;
    const parsed = CosmosErrorSchema.safeParse(response.body);
    if (!parsed.success) {
      throw new UnexpectedResponseError(
        `Cosmos answered ${response.status} to ${response.endpoint} without its error body: is Cosmos running? ('dcos package list')`,
      );
    }
    throw new CosmosRefusal(parsed.data.type, parsed.data.message, response.status, parsed.data.data ?? {});
  }
}

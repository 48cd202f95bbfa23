import { ClusterHttp, HttpResponse, parseBody } from '../cluster/http';
import { UnexpectedResponseError } from '../errors';
import { AppResponseSchema, AppsResponseSchema, DeploymentResultSchema, MarathonApp } from './marathon-schemas';

/** Root Marathon (`/v2/...`), through Admin Router's `/service/marathon` or at its own address. */

const SERVICE = 'Marathon';
const BASE = '/v2';

export class MarathonClient {
  constructor(private readonly http: ClusterHttp) {}

  /** The app, or undefined when Marathon itself answers 404 "App '/x' does not exist". */
  async getApp(appId: string): Promise<MarathonApp | undefined> {
    const response = await this.http.request({
      service: SERVICE,
      to: 'marathon',
      method: 'GET',
      path: `${BASE}/apps${appPath(appId)}`,
      accept: [404],
    });
    if (response.status === 404) return requireMarathonNotFound(response, appId);
    return parseBody(AppResponseSchema, response, SERVICE).app;
  }

  /** All apps, or those carrying a label (`K` or `K==V`). */
  async listApps(label?: string): Promise<MarathonApp[]> {
    const response = await this.http.request({
      service: SERVICE,
      to: 'marathon',
      method: 'GET',
      path: `${BASE}/apps`,
      query: label ? { label } : undefined,
    });
    return parseBody(AppsResponseSchema, response, SERVICE).apps;
  }

  /**
   * Apps carrying a label, each with its tasks (host, ports, state): where Admin Router finds a
   * service's scheduler.
   */
  async listAppsWithTasks(label: string): Promise<MarathonApp[]> {
    const response = await this.http.request({
      service: SERVICE,
      to: 'marathon',
      method: 'GET',
      path: `${BASE}/apps`,
      query: { embed: 'apps.tasks', label },
    });
    return parseBody(AppsResponseSchema, response, SERVICE).apps;
  }

  /**
   * All apps with their counts, deployments and last task failure: `/v2/apps` embeds
   * these only when asked (`embed=apps.lastTaskFailure`...), unlike `/v2/apps/{id}`.
   */
  async listAppsWithFailures(): Promise<MarathonApp[]> {
    const response = await this.http.request({
      service: SERVICE,
      to: 'marathon',
      method: 'GET',
      path: `${BASE}/apps`,
      query: { embed: ['apps.counts', 'apps.deployments', 'apps.lastTaskFailure'] },
    });
    return parseBody(AppsResponseSchema, response, SERVICE).apps;
  }

  /**
   * `force` defaults to true in Marathon's code although the RAML says false;
   * it is sent explicitly (docs/reference/marathon.md §1). undefined: already gone.
   */
  async deleteApp(appId: string): Promise<{ deploymentId: string } | undefined> {
    const response = await this.http.request({
      service: SERVICE,
      to: 'marathon',
      method: 'DELETE',
      path: `${BASE}/apps${appPath(appId)}`,
      query: { force: 'true' },
      accept: [404],
    });
    if (response.status === 404) return requireMarathonNotFound(response, appId);
    return parseBody(DeploymentResultSchema, response, SERVICE);
  }
}

/**
 * Absence is proven only by Marathon's own answer, JSON `{"message": "App '/x' does not exist"}`
 * (docs/ownership.md, rule 8). Any other 404 (a proxy's HTML page, a wrong --marathon-url, a
 * path Admin Router does not route) says nothing about the app: reading it as "gone" would let
 * a cleanup run while Marathon still relaunches the scheduler.
 */
function requireMarathonNotFound(response: HttpResponse, appId: string): undefined {
  const message = (response.body as { message?: unknown } | undefined)?.message;
  if (typeof message === 'string' && /does not exist/i.test(message)) return undefined;
  const shown = response.text.trim().split('\n')[0]?.slice(0, 120) ?? '';
  throw new UnexpectedResponseError(
    `${response.endpoint} answered 404, but not with Marathon's own "App '${appId}' does not exist"${shown ? ` ("${shown}")` : ''}: ` +
      'a proxy or a wrong Marathon address answered, so whether the app exists is unknown and nothing was changed. Check the cluster URL or --marathon-url.',
  );
}

/** App ids keep their slashes in the URL; each segment is encoded on its own. */
export function appPath(appId: string): string {
  return '/' + appId.split('/').filter(Boolean).map(encodeURIComponent).join('/');
}

import { ClusterState, SimApp } from './cluster-state';
import { SimRequest, SimResponse, json } from './http-types';
import { MarathonOptions, deleteApp } from './marathon-handlers';

/**
 * Cosmos' package API (docs/reference/cosmos.md): exact vendor media types,
 * /package/list and /package/uninstall with their errors, the non-SDK flow (app
 * delete, then teardown of the single framework of that name) and the SDK flow
 * (PUT env SDK_UNINSTALL, answer at once, then an in-memory loop that deletes the
 * app once the plan answers 200). Restarting Cosmos drops the loops: a zombie.
 */

const MEDIA = (name: string) => `application/vnd.dcos.package.${name}+json;charset=utf-8;version=v1`;
const ERROR_MEDIA = MEDIA('error');

export interface CosmosOptions extends MarathonOptions {
  /** How often the uninstall loop looks (10 s in Cosmos). */
  loopMs: number;
  /** GET <app's scheduler>/v1/plans/deploy status code, or undefined when unreachable. */
  planStatus: (app: SimApp) => number | undefined;
}

export interface CosmosFaults {
  /** 503 ServiceUnavailable for every call. */
  unavailable: boolean;
  /** Mesos cannot be reached from Cosmos: IncompleteUninstall for the non-SDK flow. */
  mesosUnavailable: boolean;
}

export class SimCosmos {
  /** Generation counter: a restart makes every running loop stop at its next tick. */
  private generation = 0;
  readonly faults: CosmosFaults = { unavailable: false, mesosUnavailable: false };

  constructor(
    private readonly state: ClusterState,
    private readonly options: () => CosmosOptions,
  ) {}

  /** Cosmos restarted (or lost leadership): its uninstall loops are gone. */
  restart(): void {
    this.generation++;
  }

  handle(operation: string, request: SimRequest): SimResponse {
    if (request.method !== 'POST') return error(405, 'MethodNotAllowed', `Method ${request.method} not allowed`);
    if (this.faults.unavailable)
      return error(503, 'ServiceUnavailable', 'Unable to complete request due to service [cosmos] unavailability');
    const name = operation === 'list' ? 'list' : operation === 'uninstall' ? 'uninstall' : undefined;
    if (!name) return error(404, 'NotFound', `Unknown endpoint /package/${operation}`);
    const headerError = checkMediaTypes(request, MEDIA(`${name}-request`), MEDIA(`${name}-response`));
    if (headerError) return headerError;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(request.body || '{}') as Record<string, unknown>;
    } catch {
      return error(400, 'json_error', 'Error while parsing JSON body');
    }
    return name === 'list' ? this.list(body) : this.uninstall(body);
  }

  private list(body: Record<string, unknown>): SimResponse {
    const packages = [...this.state.apps.values()]
      .filter((app) => app.labels.DCOS_PACKAGE_NAME && decodeDefinition(app) !== undefined)
      .filter((app) => body.packageName === undefined || app.labels.DCOS_PACKAGE_NAME === body.packageName)
      .filter((app) => body.appId === undefined || app.id === `/${String(body.appId).replace(/^\/+/, '')}`)
      .sort((a, b) => a.labels.DCOS_PACKAGE_NAME.localeCompare(b.labels.DCOS_PACKAGE_NAME) || a.id.localeCompare(b.id))
      .map((app) => ({ appId: app.id, packageInformation: { packageDefinition: decodeDefinition(app) } }));
    return json(200, { packages }, { 'Content-Type': MEDIA('list-response') });
  }

  private uninstall(body: Record<string, unknown>): SimResponse {
    const packageName = body.packageName;
    if (typeof packageName !== 'string') return error(400, 'json_error', "Item 'packageName' not present but required");
    let apps: SimApp[];
    if (body.appId !== undefined) {
      const appId = `/${String(body.appId).replace(/^\/+/, '')}`;
      const app = this.state.apps.get(appId);
      if (!app)
        return error(
          400,
          'UninstallNonExistentAppForPackage',
          `Package [${packageName}] with id [${appId}] is not installed`,
          { packageName, appId },
        );
      apps = [app].filter((candidate) => candidate.labels.DCOS_PACKAGE_NAME === packageName);
    } else {
      apps = [...this.state.apps.values()].filter((candidate) => candidate.labels.DCOS_PACKAGE_NAME === packageName);
    }
    if (apps.length === 0)
      return error(400, 'PackageNotInstalled', `Package [${packageName}] is not installed`, { packageName });
    if (apps.length > 1 && body.all !== true) {
      return error(
        400,
        'AmbiguousAppId',
        `Multiple apps named [${packageName}] are installed: [${apps.map((app) => app.id).join(', ')}]`,
        {
          packageName,
          appIds: apps.map((app) => app.id),
        },
      );
    }
    const results = [];
    for (const app of apps) {
      const failure =
        app.labels.DCOS_COMMONS_UNINSTALL !== undefined
          ? this.startSdkUninstall(app)
          : this.uninstallNonSdk(app, packageName);
      if (failure) return failure;
      results.push({ packageName, appId: app.id, packageVersion: app.labels.DCOS_PACKAGE_VERSION });
    }
    return json(200, { results }, { 'Content-Type': MEDIA('uninstall-response') });
  }

  private uninstallNonSdk(app: SimApp, packageName: string): SimResponse | undefined {
    if (this.faults.mesosUnavailable)
      return error(
        503,
        'IncompleteUninstall',
        `Incomplete uninstall of package [${packageName}] due to Mesos unavailability`,
      );
    const options = this.options();
    deleteApp(
      this.state,
      app,
      { method: 'DELETE', path: '', query: new URLSearchParams('force=true'), body: '', headers: {} },
      options,
    );
    const frameworkName = app.labels.DCOS_PACKAGE_FRAMEWORK_NAME;
    if (!frameworkName) return undefined;
    const matching = [...this.state.frameworks.values()].filter((framework) => framework.name === frameworkName);
    if (matching.length > 1) {
      return error(
        400,
        'MultipleFrameworkIds',
        `Uninstalled package [${packageName}] version [${app.labels.DCOS_PACKAGE_VERSION}]\nUnable to shutdown [${packageName}] service framework with name [${frameworkName}] because there are multiple framework ids matching this name: [${matching.map((f) => f.id).join(', ')}]`,
      );
    }
    if (matching.length === 1) this.state.tearDown(matching[0].id, true);
    return undefined;
  }

  /** PUT env SDK_UNINSTALL=true (force), answer at once, then loop in memory. */
  private startSdkUninstall(app: SimApp): SimResponse | undefined {
    const options = this.options();
    app.env = { ...app.env, SDK_UNINSTALL: 'true' };
    const deploymentId = `cosmos-${this.state.clock.now()}-${Math.random().toString(16).slice(2, 8)}`;
    this.state.deployments.set(deploymentId, {
      id: deploymentId,
      version: this.state.nowIso(),
      affectedApps: [app.id],
      action: 'RestartApplication',
    });
    app.deployments.push(deploymentId);
    options.later(options.deploymentMs, () => {
      this.state.deployments.delete(deploymentId);
      app.deployments = app.deployments.filter((id) => id !== deploymentId);
      if (this.state.apps.get(app.id) === app) options.restartScheduler(app.id);
    });
    const generation = this.generation;
    const loop = () => {
      if (generation !== this.generation) return; // Cosmos restarted: the loop is lost (a zombie follows).
      if (this.state.apps.get(app.id) !== app) return; // the app is gone: done (PR #681)
      if (app.deployments.length > 0 || app.env.SDK_UNINSTALL === undefined || options.planStatus(app) !== 200) {
        options.later(options.loopMs, loop);
        return;
      }
      deleteApp(
        this.state,
        app,
        { method: 'DELETE', path: '', query: new URLSearchParams(), body: '', headers: {} },
        options,
      );
    };
    options.later(options.loopMs, loop);
    return undefined;
  }
}

function decodeDefinition(app: SimApp): Record<string, unknown> | undefined {
  const encoded = app.labels.DCOS_PACKAGE_DEFINITION;
  if (!encoded) return undefined;
  try {
    return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Cosmos compares the media types exactly (docs/reference/cosmos.md). */
function checkMediaTypes(request: SimRequest, requestType: string, responseType: string): SimResponse | undefined {
  const normalise = (value: string | string[] | undefined) =>
    (Array.isArray(value) ? value.join(',') : (value ?? '')).replace(/\s+/g, '').toLowerCase();
  const accept = normalise(request.headers.accept);
  const contentType = normalise(request.headers['content-type']);
  if (!accept) return error(400, 'not_present', "Item header 'Accept' not present but required");
  if (!accept.split(',').includes(responseType.toLowerCase())) {
    return error(400, 'not_valid', `Item header 'Accept' deemed invalid by rule: should match one of ${responseType}`);
  }
  if (!contentType) return error(400, 'not_present', "Item header 'Content-Type' not present but required");
  if (contentType !== requestType.toLowerCase())
    return error(
      400,
      'not_valid',
      `Item header 'Content-Type' deemed invalid by rule: should match one of ${requestType}`,
    );
  return undefined;
}

function error(status: number, type: string, message: string, data?: Record<string, unknown>): SimResponse {
  return json(status, { type, message, ...(data ? { data } : {}) }, { 'Content-Type': ERROR_MEDIA });
}

import { NotConfiguredError, UsageError } from '../errors';
import { isTruthy, redactUserinfo } from './config';

/**
 * Where each remote service is reached. By default everything goes through Admin Router
 * at the cluster URL (reference/README.md's prefix table); an override names a service's
 * own address instead (`--mesos-url`, DCOS_JANITOR_MESOS_URL, `janitor.mesos_url`), and
 * `--internal` takes the addresses janitor.py used from inside the cluster
 * (docs/reference/peers.md §1.2). Then the cluster URL is needed only by what has no override.
 */

/** A service with an address of its own; paths are from its own root (`/master/slaves`, `/v2/apps`). */
export type Upstream = 'mesos' | 'marathon' | 'exhibitor' | 'cosmos';

export const UPSTREAMS: readonly Upstream[] = ['mesos', 'marathon', 'exhibitor', 'cosmos'];

/**
 * Where a request goes: one of the services, Admin Router itself, or an address found at run time (a
 * scheduler's task).
 */
export type Destination = Upstream | 'admin-router' | { url: string };

/** The Admin Router prefix of each service (reference/README.md): what an override replaces. */
const ADMIN_ROUTER_PREFIX: Record<Upstream, string> = {
  mesos: '/mesos',
  marathon: '/service/marathon',
  exhibitor: '/exhibitor',
  cosmos: '',
};

/**
 * janitor.py's defaults inside the cluster (docs/reference/peers.md §1.2). Cosmos has none: Admin
 * Router reaches it at 127.0.0.1:7070 on each master, and whether it answers on the
 * masters' other addresses is not in the reference (unverified), so it is never guessed.
 */
export const INTERNAL_DEFAULTS: Partial<Record<Upstream, string>> = {
  mesos: 'http://leader.mesos:5050',
  marathon: 'http://marathon.mesos:8080',
  exhibitor: 'http://leader.mesos:8181',
};

const LABEL: Record<Upstream, string> = {
  mesos: 'Mesos',
  marathon: 'Marathon',
  exhibitor: 'Exhibitor',
  cosmos: 'Cosmos',
};

/** How an SDK scheduler is reached: Admin Router's /service/<name>, or its Marathon task's address. */
export type SchedulerRoute = 'admin-router' | 'marathon-task';

export interface Endpoints {
  /** The cluster URL (Admin Router), when there is one. */
  adminRouter?: string;
  /** Each service's base URL; absent when neither an override nor the cluster URL gives one. */
  bases: Partial<Record<Upstream, string>>;
  /** Where each base came from, for verbose output and errors ("--mesos-url", "Admin Router"). */
  sources: Partial<Record<Upstream, string>>;
  schedulers: SchedulerRoute;
  /**
   * host:port of every address the user named (the cluster URL, overrides, --internal's
   * defaults): the only ones that receive the token. A scheduler's task, or a host a 307
   * points to, is never among them unless the user named it too.
   */
  tokenHosts: Set<string>;
}

export interface EndpointSettings {
  /** From flags (first), then env, then the cluster config's `janitor` section. */
  overrides: Partial<Record<Upstream, { url: string; source: string }>>;
  internal: boolean;
}

type Env = Record<string, string | undefined>;

/**
 * The overrides of this run, first found wins: the flag, DCOS_JANITOR_<SERVICE>_URL, then
 * `janitor.<service>_url` of the CLI config. `--internal` (or DCOS_JANITOR_INTERNAL=1) adds
 * janitor.py's in-cluster defaults for the services left without one.
 */
export function endpointSettings(
  flags: Partial<Record<Upstream, string | undefined>>,
  internalFlag: boolean,
  env: Env,
  config: Record<string, unknown>,
): EndpointSettings {
  const overrides: EndpointSettings['overrides'] = {};
  for (const upstream of UPSTREAMS) {
    const envName = `DCOS_JANITOR_${upstream.toUpperCase()}_URL`;
    const configValue = config[`${upstream}_url`];
    const candidates: Array<[unknown, string]> = [
      [flags[upstream], `--${upstream}-url`],
      [env[envName], envName],
      [configValue, `janitor.${upstream}_url`],
    ];
    const found = candidates.find(([value]) => typeof value === 'string' && value.trim() !== '');
    if (found)
      overrides[upstream] = { url: normaliseServiceUrl(upstream, String(found[0]).trim(), found[1]), source: found[1] };
  }
  const internal =
    internalFlag || isTruthy(env.DCOS_JANITOR_INTERNAL) || config.internal === true || config.internal === 'true';
  return { overrides, internal };
}

export function resolveEndpoints(clusterUrl: string | undefined, settings: EndpointSettings): Endpoints {
  const bases: Endpoints['bases'] = {};
  const sources: Endpoints['sources'] = {};
  const tokenHosts = new Set<string>();
  if (clusterUrl) tokenHosts.add(new URL(clusterUrl).host);
  for (const upstream of UPSTREAMS) {
    const override = settings.overrides[upstream];
    const internal = settings.internal ? INTERNAL_DEFAULTS[upstream] : undefined;
    if (override) {
      bases[upstream] = override.url;
      sources[upstream] = override.source;
    } else if (internal) {
      bases[upstream] = internal;
      sources[upstream] = '--internal';
    } else if (clusterUrl) {
      bases[upstream] = clusterUrl + ADMIN_ROUTER_PREFIX[upstream];
      sources[upstream] = 'Admin Router';
      continue;
    } else continue;
    tokenHosts.add(new URL(bases[upstream]!).host);
  }
  // In the cluster, a scheduler is reached where Admin Router would send /service/<name>:
  // its Marathon task. Without Admin Router there is no other way; with it, the cluster URL is used.
  const schedulers: SchedulerRoute = settings.internal || !clusterUrl ? 'marathon-task' : 'admin-router';
  return { adminRouter: clusterUrl, bases, sources, schedulers, tokenHosts };
}

/** The base URL of a service, or a one-line error that says which setting gives it. */
export function baseOf(endpoints: Endpoints, upstream: Upstream): string {
  const base = endpoints.bases[upstream];
  if (base) return base;
  const hint =
    upstream === 'cosmos' ? " (there is no in-cluster default for Cosmos; 'uninstall --manual' needs none)" : '';
  throw new NotConfiguredError(
    `${LABEL[upstream]} has no address: this run has no cluster URL and no --${upstream}-url${hint}. ` +
      `Give --${upstream}-url (or DCOS_JANITOR_${upstream.toUpperCase()}_URL), --internal inside the cluster, or set DCOS_URL / run 'dcos cluster setup'.`,
  );
}

/** Admin Router's own URL (login, DC/OS version), or the error that says it is missing. */
export function adminRouterOf(endpoints: Endpoints, what: string): string {
  if (endpoints.adminRouter) return endpoints.adminRouter;
  throw new NotConfiguredError(
    `${what} needs Admin Router, and this run has no cluster URL: set DCOS_URL or run 'dcos cluster setup'.`,
  );
}

/**
 * An override as a base URL. janitor.py's forms are taken as they mean the same:
 * `http://leader.mesos:5050/master/` (its -m), `http://marathon.mesos:8080/v2/apps/` (its -n)
 * and `http://leader.mesos:8181/` (its -e) name the same services as our bases.
 */
export function normaliseServiceUrl(upstream: Upstream, value: string, source: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new UsageError(
      `${source} is not a URL ('${redactUserinfo(value)}'): give the service's address, e.g. ${INTERNAL_DEFAULTS[upstream] ?? 'http://127.0.0.1:7070'}.`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`${source} must be an http:// or https:// URL, not '${redactUserinfo(value)}'.`);
  }
  if (parsed.username || parsed.password) {
    throw new UsageError(
      `${source} carries a user name or password ('${redactUserinfo(value)}'): remove it; credentials never belong in a URL.`,
    );
  }
  if (parsed.search || parsed.hash) throw new UsageError(`${source} must not carry a query or fragment ('${value}').`);
  let path = parsed.pathname.replace(/\/+$/, '');
  if (upstream === 'mesos') path = path.replace(/\/master$/, '');
  if (upstream === 'marathon') path = path.replace(/\/v2(\/apps)?$/, '');
  return `${parsed.protocol}//${parsed.host}${path}`;
}

/**
 * Admin Router's path to a service's scheduler: `/service/<name without its leading slash>`,
 * folders kept, each segment URL-encoded (docs/reference/naming.md §2).
 */
export function serviceUrlPath(service: string): string {
  const bare = service.trim().replace(/^\/+/, '').replace(/\/+$/, '');
  return `/service/${bare.split('/').map(encodeURIComponent).join('/')}`;
}

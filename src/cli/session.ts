import { ExhibitorClient } from '../clients/exhibitor';
import { IamClient } from '../clients/iam';
import { MarathonClient } from '../clients/marathon';
import { MesosClient } from '../clients/mesos';
import { Env, redactUserinfo, resolveClusterConnection } from '../cluster/config';
import { UPSTREAMS, Upstream, endpointSettings, resolveEndpoints } from '../cluster/endpoints';
import { ClusterHttp, DEFAULT_HTTP_OPTIONS, HttpOptions } from '../cluster/http';
import { proxySettingsFromEnv } from '../cluster/proxy';
import { ServiceAccount, privateKeyFromPem, readPrivateKey, serviceLoginToken } from '../cluster/service-account';
import { PRIVATE_KEY_ENV } from '../domain/in-cluster-job';

/**
 * A command's session with one cluster: where it is (CLI config and environment, endpoint
 * flags), the HTTP layer (TLS, proxies, token, retries), the service-account login when
 * one is named, and one client per service. Made from an environment, so a test makes one
 * from its own (docs/configuration.md, docs/network.md).
 */

export interface ClusterClients {
  http: ClusterHttp;
  mesos: MesosClient;
  marathon: MarathonClient;
  exhibitor: ExhibitorClient;
}

export interface SessionSettings {
  env: Env;
  /** The services' own addresses from flags (--mesos-url ...), and --internal. */
  endpointUrls: Partial<Record<Upstream, string>>;
  internal: boolean;
  serviceAccount?: ServiceAccount;
  version: string;
  /** Every request that may change the cluster, sent and answered: the run's history. */
  onChange?: HttpOptions['onChange'];
  /** -v: where the connection's description and each request's line go (stderr); never a token. */
  log?: (line: string) => void;
}

export interface Session {
  clients: ClusterClients;
  /** What names the cluster in caches (the cluster URL, or the Mesos address inside the cluster). */
  identity: string;
  /** The cluster URL as configured (user info removed), when there is one. */
  url?: string;
}

export async function openSession(settings: SessionSettings): Promise<Session> {
  const { env, endpointUrls, internal, log } = settings;
  // Naming the services' own addresses (flags, env) makes the cluster URL optional: a task inside
  // the cluster has no CLI config. Keys in a config file imply a configured cluster, read next.
  const withoutConfig = endpointSettings(endpointUrls, internal, env, {});
  const urlOptional = withoutConfig.internal || Object.keys(withoutConfig.overrides).length > 0;
  let connection = resolveClusterConnection(env, { urlOptional });
  const endpoints = resolveEndpoints(
    connection.url,
    endpointSettings(endpointUrls, internal, env, connection.janitorConfig ?? {}),
  );
  if (log) {
    log(
      connection.url
        ? `Cluster ${connection.url} (from ${connection.source}), TLS verification ${connection.tls.verify ? 'on' : 'off'}`
        : `No cluster URL (none configured): the services at the addresses below, TLS verification ${connection.tls.verify ? 'on' : 'off'}`,
    );
    for (const upstream of UPSTREAMS)
      if (endpoints.bases[upstream]) log(`${upstream}: ${endpoints.bases[upstream]} (${endpoints.sources[upstream]})`);
    log(
      `SDK schedulers: ${endpoints.schedulers === 'admin-router' ? "through Admin Router's /service/<name>" : 'at their Marathon task'}`,
    );
  }
  const options = {
    // As the DC/OS CLI, whose environment plugins inherit: HTTP_PROXY, HTTPS_PROXY, NO_PROXY.
    proxy: proxySettingsFromEnv(env),
    userAgent: `dcos-janitor/${settings.version}`,
    retries: envNumber(env, 'DCOS_JANITOR_RETRIES', DEFAULT_HTTP_OPTIONS.retries),
    backoffMs: envNumber(env, 'DCOS_JANITOR_RETRY_BACKOFF_MS', DEFAULT_HTTP_OPTIONS.backoffMs),
    log: log ? (line: string) => log(`http: ${line}`) : undefined,
    onChange: settings.onChange,
  };
  const account = settings.serviceAccount;
  if (account) {
    // In a job or app the secret store hands the key over in the environment: it never touches a file.
    const key = account.privateKeyPath
      ? readPrivateKey(account.privateKeyPath)
      : privateKeyFromPem(env[PRIVATE_KEY_ENV] ?? '', PRIVATE_KEY_ENV);
    const loginHttp = new ClusterHttp({ ...connection, token: undefined }, endpoints, options);
    let token: string;
    try {
      token = await new IamClient(loginHttp).loginServiceAccount(account.uid, serviceLoginToken(account.uid, key));
    } finally {
      loginHttp.close();
    }
    connection = { ...connection, token };
    log?.(`Logged in as service account ${account.uid}`);
  }
  const http = new ClusterHttp(connection, endpoints, options);
  return {
    clients: {
      http,
      mesos: new MesosClient(http),
      marathon: new MarathonClient(http),
      exhibitor: new ExhibitorClient(http),
    },
    identity: connection.url ?? endpoints.bases.mesos ?? 'no-cluster-url',
    url: connection.url ? redactUserinfo(connection.url) : undefined,
  };
}

/**
 * A number from the environment (retries, backoff), the default when unset or not a number >= 0.
 * DCOS_JANITOR_RETRY_BACKOFF_MS also paces the retries of a 409 (resources still in use).
 */
export function envNumber(env: Env, name: string, fallback: number): number {
  const value = Number(env[name]);
  return env[name] !== undefined && env[name] !== '' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

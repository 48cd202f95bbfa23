import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';

import { NotConfiguredError, UsageError } from '../errors';

/**
 * Where the cluster is and how to talk to it, as the DC/OS CLI would.
 *
 * Resolution order (docs/reference/dcos-cli-plugin.md §3, §4):
 *  1. the variables the DC/OS CLI exports to a plugin: DCOS_URL, DCOS_ACS_TOKEN,
 *     DCOS_TLS_INSECURE, DCOS_TLS_CA_PATH;
 *  2. otherwise the CLI's own configuration: $DCOS_DIR (default ~/.dcos)
 *     /clusters/<id>/dcos.toml of the current cluster, with DCOS_SSL_VERIFY and
 *     DCOS_TIMEOUT overriding the file's keys as the Go CLI does.
 */
export interface TlsSettings {
  /** false only for `ssl_verify = false`, DCOS_TLS_INSECURE=1 or an http:// URL. */
  verify: boolean;
  /**
   * Set when `verify` is false only because the cluster URL is http:// (no TLS to verify):
   * an https:// endpoint override is then still verified.
   */
  onlyBecauseHttp?: boolean;
  /** A CA bundle to verify against instead of the system CAs. */
  caPath?: string;
}

export interface ClusterConnection {
  /**
   * The cluster URL (Admin Router). Absent only when the run names its services' own
   * addresses (--internal, --mesos-url...) and no cluster is configured (endpoints.ts).
   */
  url?: string;
  /** Empty or undefined means "no token" (an open cluster, or not logged in). */
  token?: string;
  tls: TlsSettings;
  /** Per-request timeout; core.timeout, default 3 minutes as in the Go CLI. */
  timeoutMs: number;
  /** Where the timeout came from, said when a request times out: "DCOS_TIMEOUT", "core.timeout", "the default". */
  timeoutSource?: string;
  /** Said in verbose output and errors: where the settings came from (never the token). */
  source: string;
  /** The `[janitor]` section of the current cluster's dcos.toml (endpoint overrides...), empty without one. */
  janitorConfig?: Record<string, unknown>;
}

const DEFAULT_TIMEOUT_SECONDS = 180;

export type Env = Record<string, string | undefined>;

/**
 * `urlOptional`: the run names its services' own addresses (endpoints.ts), so a machine
 * with no DC/OS CLI configured (a task inside the cluster) is not an error; a configured
 * cluster is still read (its token, TLS settings and `janitor.*` keys apply).
 */
export function resolveClusterConnection(
  env: Env = process.env,
  options: { urlOptional?: boolean } = {},
): ClusterConnection {
  const timeoutMs = timeoutFromEnv(env);
  const fromPluginEnv = env.DCOS_URL?.trim();
  if (fromPluginEnv) {
    return {
      url: normaliseUrl(fromPluginEnv, 'DCOS_URL'),
      token: env.DCOS_ACS_TOKEN || undefined,
      tls: tlsFromPluginEnv(env, fromPluginEnv),
      timeoutMs: timeoutMs ?? DEFAULT_TIMEOUT_SECONDS * 1000,
      timeoutSource: timeoutMs !== undefined ? 'DCOS_TIMEOUT' : 'the default',
      source: 'environment (DCOS_URL)',
      janitorConfig: janitorSectionIfConfigured(env),
    };
  }
  try {
    return fromCliConfig(env, timeoutMs);
  } catch (error) {
    if (!options.urlOptional || !(error instanceof NoClusterConfiguredError)) throw error;
    return {
      token: env.DCOS_ACS_TOKEN || undefined,
      tls: tlsFromPluginEnv(env, 'https:'),
      timeoutMs: timeoutMs ?? DEFAULT_TIMEOUT_SECONDS * 1000,
      timeoutSource: timeoutMs !== undefined ? 'DCOS_TIMEOUT' : 'the default',
      source: 'the endpoint overrides (no cluster configured)',
      janitorConfig: {},
    };
  }
}

/** The `[janitor]` keys of the current cluster's config, when the CLI has one (read liberally: none is fine). */
function janitorSectionIfConfigured(env: Env): Record<string, unknown> {
  try {
    const dcosDir = path.resolve(env.DCOS_DIR || path.join(os.homedir(), '.dcos'));
    const cluster = pickCurrentCluster(listClusters(path.join(dcosDir, 'clusters')), env.DCOS_CLUSTER);
    return sectionOf(readClusterToml(cluster.tomlPath), 'janitor');
  } catch {
    return {};
  }
}

/**
 * Nothing configured at all (no clusters directory, no cluster in it): not an error when overrides
 * name the services.
 */
class NoClusterConfiguredError extends NotConfiguredError {}

function tlsFromPluginEnv(env: Env, url: string): TlsSettings {
  if (isTruthy(env.DCOS_TLS_INSECURE)) return { verify: false };
  const setting: TlsSettings = env.DCOS_TLS_CA_PATH
    ? { verify: true, caPath: env.DCOS_TLS_CA_PATH }
    : (sslVerifySetting(env.DCOS_SSL_VERIFY) ?? { verify: true });
  return url.startsWith('http://') ? { ...setting, verify: false, onlyBecauseHttp: setting.verify } : setting;
}

function fromCliConfig(env: Env, timeoutOverrideMs: number | undefined): ClusterConnection {
  const dcosDir = path.resolve(env.DCOS_DIR || path.join(os.homedir(), '.dcos'));
  const clustersDir = path.join(dcosDir, 'clusters');
  const clusters = listClusters(clustersDir);
  const cluster = pickCurrentCluster(clusters, env.DCOS_CLUSTER);
  const config = readClusterToml(cluster.tomlPath);
  const core = sectionOf(config, 'core');
  const url = typeof core.dcos_url === 'string' ? core.dcos_url.trim() : '';
  if (!url) {
    throw new NotConfiguredError(
      `Cluster '${cluster.name}' has no core.dcos_url in ${cluster.tomlPath}: run 'dcos cluster setup <url>' or 'dcos config set core.dcos_url <url>'.`,
    );
  }
  const sslVerify = sslVerifySetting(env.DCOS_SSL_VERIFY) ?? sslVerifySetting(core.ssl_verify) ?? { verify: true };
  const fileTimeout =
    core.timeout === undefined || core.timeout === ''
      ? undefined
      : parseTimeoutSeconds(core.timeout, `core.timeout in ${cluster.tomlPath}`, 'dcos config set core.timeout 300');
  return {
    url: normaliseUrl(url, `core.dcos_url of ${cluster.tomlPath}`),
    token: typeof core.dcos_acs_token === 'string' && core.dcos_acs_token ? core.dcos_acs_token : undefined,
    tls: url.startsWith('http://') ? { ...sslVerify, verify: false, onlyBecauseHttp: sslVerify.verify } : sslVerify,
    timeoutMs: timeoutOverrideMs ?? (fileTimeout !== undefined ? fileTimeout * 1000 : DEFAULT_TIMEOUT_SECONDS * 1000),
    timeoutSource:
      timeoutOverrideMs !== undefined ? 'DCOS_TIMEOUT' : fileTimeout !== undefined ? 'core.timeout' : 'the default',
    source: `DC/OS CLI config of cluster '${cluster.name}'`,
    janitorConfig: sectionOf(config, 'janitor'),
  };
}

interface ConfiguredCluster {
  id: string;
  name: string;
  tomlPath: string;
  attached: boolean;
}

function listClusters(clustersDir: string): ConfiguredCluster[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(clustersDir);
  } catch {
    throw notConfigured(`no ${clustersDir}`);
  }
  const clusters: ConfiguredCluster[] = [];
  for (const id of entries.sort()) {
    const tomlPath = path.join(clustersDir, id, 'dcos.toml');
    if (!fs.existsSync(tomlPath)) continue;
    const name = sectionOf(readClusterToml(tomlPath), 'cluster').name;
    clusters.push({
      id,
      name: typeof name === 'string' && name ? name : id,
      tomlPath,
      attached: fs.existsSync(path.join(clustersDir, id, 'attached')),
    });
  }
  if (clusters.length === 0) throw notConfigured(`no cluster in ${clustersDir}`);
  return clusters;
}

/** The rules of the Go CLI's Manager.Current(). */
function pickCurrentCluster(clusters: ConfiguredCluster[], wanted: string | undefined): ConfiguredCluster {
  if (wanted) {
    const matches = clusters.filter((c) => c.name === wanted || c.id === wanted);
    if (matches.length === 1) return matches[0];
    const why = matches.length === 0 ? 'no match found' : 'multiple matches found';
    throw new NotConfiguredError(
      `DCOS_CLUSTER='${wanted}': ${why}. Run 'dcos cluster list' and set DCOS_CLUSTER to a cluster name or id.`,
    );
  }
  if (clusters.length === 1) return clusters[0];
  const attached = clusters.filter((c) => c.attached);
  if (attached.length === 1) return attached[0];
  const why = attached.length === 0 ? 'no cluster is attached' : 'multiple clusters are attached';
  throw new NotConfiguredError(
    `${clusters.length} clusters are configured and ${why}: run 'dcos cluster attach <name>' or set DCOS_CLUSTER.`,
  );
}

function readClusterToml(tomlPath: string): Record<string, unknown> {
  try {
    return parseToml(fs.readFileSync(tomlPath, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new NotConfiguredError(
      `Cannot read the DC/OS CLI config ${tomlPath}: ${reason}. Fix or re-create it with 'dcos cluster setup'.`,
    );
  }
}

function sectionOf(config: Record<string, unknown>, name: string): Record<string, unknown> {
  const section = config[name];
  return section && typeof section === 'object' ? (section as Record<string, unknown>) : {};
}

/** core.ssl_verify is "true", "false" or a CA path (a bool in TOML files written by older CLIs). */
function sslVerifySetting(value: unknown): TlsSettings | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value === true || value === 'true' || value === 'True') return { verify: true };
  if (value === false || value === 'false' || value === 'False') return { verify: false };
  if (typeof value === 'string') return { verify: true, caPath: value };
  return undefined;
}

function timeoutFromEnv(env: Env): number | undefined {
  if (env.DCOS_TIMEOUT === undefined || env.DCOS_TIMEOUT.trim() === '') return undefined;
  return parseTimeoutSeconds(env.DCOS_TIMEOUT, 'DCOS_TIMEOUT', 'DCOS_TIMEOUT=300') * 1000;
}

/** Seconds, a positive number; anything else is a mistake said as such, never a silent default. */
function parseTimeoutSeconds(value: unknown, where: string, example: string): number {
  const seconds = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(
      `${where} is '${String(value)}', not a number of seconds: set it to a positive number, e.g. ${example}.`,
    );
  }
  return seconds;
}

function normaliseUrl(url: string, where: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new NotConfiguredError(
      `${where} is not a URL ('${redactUserinfo(url)}'): set it to the cluster URL, e.g. https://dcos.example.com.`,
    );
  }
  if (parsed.username || parsed.password) {
    // A password in the URL would be printed with the URL and sent as Basic auth in place
    // of the token (HTTP clients turn userinfo into a Basic Authorization header): refused, never shown.
    throw new UsageError(
      `${where} carries a user name or password ('${redactUserinfo(url)}'): remove it and log in with 'dcos auth login' (or set DCOS_ACS_TOKEN); credentials never belong in the cluster URL.`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new NotConfiguredError(`${where} must be an http:// or https:// URL, not '${redactUserinfo(url)}'.`);
  }
  return url.replace(/\/+$/, '');
}

/** "https://user:pw@host/x" -> "https://***@host/x": what may be shown of a URL. */
export function redactUserinfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, '$1***@');
}

/** An environment switch: set, and not '', '0' or 'false'. */
export function isTruthy(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

function notConfigured(detail: string): NotConfiguredError {
  return new NoClusterConfiguredError(
    `No DC/OS cluster is configured (${detail}): run 'dcos cluster setup <cluster-url>', set DCOS_URL (and DCOS_ACS_TOKEN), or, inside the cluster, use --internal.`,
  );
}

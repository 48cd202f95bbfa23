/**
 * The same command, run once inside the cluster, where janitor.py ran (docs/reference/peers.md): a Metronome
 * job (`--print-job`) or a Marathon app that removes itself when done (`--print-app`). Both
 * fetch the plugin zip with the Mesos fetcher (extracted into the sandbox) and run it on a
 * stock Node.js image with `--internal --yes --json`: the services at their in-cluster
 * addresses, no prompt, one JSON result in the task's stdout.
 *
 * The fields and their limits are those of the public schemas (test/fixtures/schemas:
 * Metronome's jobspec.schema.json, Marathon's AppDefinition.json), which the tests validate
 * against. No token or key is ever written into either. Without `login`, like janitor.py, the
 * run relies on the in-cluster endpoints answering without one (open DC/OS). With `login`
 * (strict or permissive Enterprise clusters), the task logs in as a service account whose
 * private key the DC/OS secret store gives it as an environment variable (a reference to the
 * secret is printed, never the key), and goes through Admin Router on the leading master with
 * TLS verified against the cluster's CA bundle, which DC/OS keeps on every node
 * (docs/in-cluster.md).
 */

export interface InClusterRun {
  /** `cleanup`, `teardown` or `uninstall`. */
  command: string;
  /** The run's own arguments and flags, as they would be typed (no endpoint, output or print flags). */
  args: string[];
  /** Where the agents download the plugin zip (the release's dcos-janitor.zip, or a copy the cluster can reach). */
  artifactUrl: string;
  /** A stock image with Node.js 20 or newer on PATH. */
  image: string;
  /** Names the job or app: the service, znode or role the run is about. */
  subject: string;
  /** This plugin's version, said in the description and labels. */
  version: string;
  /** Log in as this service account, its private key from the secret store at this path. */
  login?: { uid: string; secretPath: string };
}

/** Where the task finds Admin Router, and the CA bundle DC/OS writes on every node (docs/in-cluster.md). */
export const LEADER_ADMIN_ROUTER = 'https://leader.mesos';
export const CLUSTER_CA_DIR = '/run/dcos/pki/CA';
/**
 * The variable the secret store fills with the key; dcos-janitor reads it when --service-account has
 * no --private-key.
 */
export const PRIVATE_KEY_ENV = 'DCOS_JANITOR_PRIVATE_KEY_PEM';
const SECRET_NAME = 'janitor_service_account_key';

/** Environment and secrets of a run that logs in; none for an open cluster's run. */
function loginParts(run: InClusterRun): { env?: Record<string, unknown>; secrets?: Record<string, unknown> } {
  if (!run.login) return {};
  return {
    env: {
      DCOS_URL: LEADER_ADMIN_ROUTER,
      DCOS_TLS_CA_PATH: `${CLUSTER_CA_DIR}/ca-bundle.crt`,
      [PRIVATE_KEY_ENV]: { secret: SECRET_NAME },
    },
    secrets: { [SECRET_NAME]: { source: run.login.secretPath } },
  };
}

/** Enough for the plugin with 25,000 agents (scripts/bench-scale.js: at most ~300 MB RSS). */
const CPUS = 0.5;
const MEM_MB = 512;

/** `/bin/sh -c` quoting: every argument single-quoted, so nothing in a name is read by the shell. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The command the task runs, from the extracted zip in the sandbox. */
export function inClusterCommand(run: InClusterRun, extra: string[] = []): string {
  // Logged in, the run goes through Admin Router (DCOS_URL): strict clusters answer nothing else without a token.
  const where = run.login ? ['--service-account', run.login.uid] : ['--internal'];
  const argv = ['janitor', run.command, ...run.args, ...where, '--yes', '--json', ...extra];
  return `sh "$MESOS_SANDBOX/bin/dcos-janitor" ${argv.map(shellQuote).join(' ')}`;
}

/** "janitor-cleanup-data-kafka": lower-case names joined by dashes, as both schemas' id patterns allow. */
export function jobName(run: InClusterRun): string {
  const slug = (text: string) =>
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '');
  // A dry run is a job of its own: adding it never replaces the job that changes the cluster.
  const dryRun = run.args.includes('--dry-run') ? 'dry-run' : '';
  const name = ['janitor', slug(run.command), slug(run.subject)]
    .filter(Boolean)
    .join('-')
    .slice(0, dryRun ? 55 : 63)
    .replace(/-+$/, '');
  return dryRun ? `${name}-${dryRun}` : name;
}

function description(run: InClusterRun): string {
  return `dcos janitor ${[run.command, ...run.args].join(' ')}, run once inside the cluster (printed by dcos-janitor ${run.version})`;
}

/**
 * A Metronome job (`dcos job add job.json && dcos job run <id>`). Restart policy NEVER:
 * a failed run says why in its stdout and is run again by hand (every command is safe to
 * repeat), instead of looping as janitor.py's Marathon app did.
 */
export function metronomeJob(run: InClusterRun): Record<string, unknown> {
  const login = loginParts(run);
  return {
    id: jobName(run),
    description: description(run),
    labels: { 'created-by': 'dcos-janitor', 'dcos-janitor-version': run.version },
    run: {
      cmd: inClusterCommand(run),
      cpus: CPUS,
      mem: MEM_MB,
      disk: 0,
      docker: { image: run.image },
      artifacts: [{ uri: run.artifactUrl, extract: true, executable: false, cache: false }],
      restart: { policy: 'NEVER' },
      ...(login.env
        ? {
            env: login.env,
            secrets: login.secrets,
            volumes: [{ containerPath: CLUSTER_CA_DIR, hostPath: CLUSTER_CA_DIR, mode: 'RO' }],
          }
        : {}),
    },
  };
}

/**
 * A Marathon app (`dcos marathon app add app.json`) that deletes itself when the run is
 * over (`--remove-self`, MARATHON_APP_ID), as janitor.py's did. The Mesos containerizer with
 * a Docker image (`container.type MESOS`) is the form both old and current Marathon accept
 * without a network field. The backoff keeps a run that cannot remove itself (Marathon
 * unreachable) from being relaunched at once.
 */
export function marathonApp(run: InClusterRun): Record<string, unknown> {
  const login = loginParts(run);
  const caVolume = { containerPath: CLUSTER_CA_DIR, hostPath: CLUSTER_CA_DIR, mode: 'RO' };
  return {
    id: `/${jobName(run)}`,
    cmd: inClusterCommand(run, ['--remove-self']),
    cpus: CPUS,
    mem: MEM_MB,
    disk: 0,
    instances: 1,
    container: { type: 'MESOS', docker: { image: run.image }, ...(login.env ? { volumes: [caVolume] } : {}) },
    // Marathon >= 1.5 (DC/OS Enterprise >= 1.10): env secret references and the secrets they name.
    ...(login.env ? { env: login.env, secrets: login.secrets } : {}),
    fetch: [{ uri: run.artifactUrl, extract: true, executable: false, cache: false }],
    labels: { 'created-by': 'dcos-janitor', 'dcos-janitor-version': run.version },
    backoffSeconds: 60,
    backoffFactor: 2,
    maxLaunchDelaySeconds: 3600,
  };
}

import { Flags } from '@oclif/core';

import { InClusterRun, marathonApp, metronomeJob } from '../domain/in-cluster-job';
import { UsageError } from '../errors';

/**
 * Running a command inside the cluster instead (cleanup, teardown, uninstall): the flags,
 * and the Metronome job or Marathon app printed for --print-job / --print-app, which runs the
 * same command with the flags given here that mean the same there (docs/in-cluster.md).
 */

/**
 * The flags of the commands that can run inside the cluster instead (cleanup, teardown,
 * uninstall): print the job or app that does it there, and the self-removal such an app uses.
 */
export const IN_CLUSTER_FLAGS = {
  'print-job': Flags.boolean({
    description:
      'Print a Metronome job that runs this same command inside the cluster (--internal --yes --json) and exit; nothing is sent to the cluster.',
    exclusive: ['print-app'],
    default: false,
    helpGroup: 'IN THE CLUSTER',
  }),
  'print-app': Flags.boolean({
    description:
      'Print a Marathon app that runs this same command inside the cluster and removes itself when done (as janitor.py did), and exit.',
    default: false,
    helpGroup: 'IN THE CLUSTER',
  }),
  'artifact-url': Flags.string({
    description:
      'With --print-job/--print-app: the URL of dcos-janitor.zip that the agents download (the release asset, or a copy the cluster reaches).',
    env: 'DCOS_JANITOR_ARTIFACT_URL',
    helpGroup: 'IN THE CLUSTER',
  }),
  image: Flags.string({
    description: 'With --print-job/--print-app: the image to run in, with Node.js 20+ on PATH.',
    default: 'node:20',
    helpGroup: 'IN THE CLUSTER',
  }),
  'run-as': Flags.string({
    description:
      'With --print-job/--print-app, on a strict cluster: the service account the run logs in as (its key from --run-as-secret).',
    dependsOn: ['run-as-secret'],
    helpGroup: 'IN THE CLUSTER',
  }),
  'run-as-secret': Flags.string({
    description:
      "With --run-as: the secret store path of the account's private key (a reference is printed, never the key).",
    dependsOn: ['run-as'],
    helpGroup: 'IN THE CLUSTER',
  }),
  'remove-self': Flags.boolean({
    description:
      'Running as a Marathon app (MARATHON_APP_ID set): delete that app when the run is over, so that it is not run again, and say so.',
    default: false,
    helpGroup: 'IN THE CLUSTER',
  }),
};

/**
 * Flags that describe this machine's run, not the job's: never carried into the printed job
 * or app, which uses --internal instead. --cosmos-url is carried: Cosmos has no in-cluster
 * default, so an address given with --print-job can only be meant for the job.
 */
const NOT_CARRIED = new Set([
  ...Object.keys(IN_CLUSTER_FLAGS),
  'json',
  'wide',
  'yes',
  'internal',
  'mesos-url',
  'marathon-url',
  'exhibitor-url',
  'service-account',
  'private-key',
]);

export type InClusterFlagValues = Record<string, unknown> & {
  'print-job': boolean;
  'print-app': boolean;
  'artifact-url'?: string;
  image: string;
};

/** What carrying a flag reads of its oclif definition. */
export interface FlagDefinition {
  default?: unknown;
  type?: string;
}

/**
 * The job (--print-job) or app (--print-app) that runs this run inside the cluster, or
 * undefined when neither was asked; a usage error when the run cannot be carried there.
 */
export function inClusterRunDocument(
  flags: InClusterFlagValues,
  positional: string[],
  subject: string | undefined,
  command: { command: string; version: string; definitions: Record<string, FlagDefinition> },
): object | undefined {
  if (!flags['print-job'] && !flags['print-app']) return undefined;
  const which = flags['print-job'] ? '--print-job' : '--print-app';
  const artifactUrl = flags['artifact-url'];
  if (!artifactUrl) {
    throw new UsageError(
      `${which} needs --artifact-url: the URL of dcos-janitor.zip that the agents can download (the release asset, or the dist/dcos-janitor.zip that 'npm run package' builds, served where the cluster reaches it), or DCOS_JANITOR_ARTIFACT_URL.`,
    );
  }
  if (!/^(https?|ftp|hdfs|s3a?):\/\/[^\s]+$/i.test(artifactUrl))
    throw new UsageError(
      `--artifact-url must be a URL the Mesos fetcher can download, e.g. https://example.com/dcos-janitor.zip, not '${artifactUrl}'.`,
    );
  if (!subject)
    throw new UsageError(
      `${which} needs the run to name what it works on (a service, --framework-id, or -r/-z): a job cannot pick from a list.`,
    );
  const run: InClusterRun = {
    command: command.command,
    args: [...positional, ...carriedFlags(flags, command.definitions)],
    artifactUrl,
    image: flags.image,
    subject,
    version: command.version,
    login:
      typeof flags['run-as'] === 'string'
        ? { uid: flags['run-as'], secretPath: String(flags['run-as-secret']) }
        : undefined,
  };
  return flags['print-job'] ? metronomeJob(run) : marathonApp(run);
}

/**
 * The flags given to this run that mean the same inside the cluster, in the form they were given
 * (defaults left out).
 */
function carriedFlags(flags: Record<string, unknown>, definitions: Record<string, FlagDefinition>): string[] {
  const carried: string[] = [];
  for (const [name, definition] of Object.entries(definitions)) {
    const value = flags[name];
    if (NOT_CARRIED.has(name) || value === undefined || value === definition.default) continue;
    if (definition.type === 'boolean') {
      if (value === true) carried.push(`--${name}`);
      continue;
    }
    for (const item of Array.isArray(value) ? value : [value]) carried.push(`--${name}`, String(item));
  }
  return carried;
}

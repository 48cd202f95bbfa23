import { Command, Flags } from '@oclif/core';

/**
 * `dcos janitor` (and `dcos janitor --help`, `dcos janitor help`): the overview, with
 * the workflow an operator follows. `--info` is what the DC/OS CLI asks a plugin for
 * its one-line description.
 */
export default class Janitor extends Command {
  static summary = 'Clean up after Mesos frameworks: teardown, cleanup, uninstall, plan, audit.';
  static flags = {
    info: Flags.boolean({
      description: 'Print a one-line description of the plugin (for the DC/OS CLI).',
      hidden: true,
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Janitor);
    if (flags.info) {
      this.log('Clean up after Mesos frameworks: teardown, cleanup, uninstall, plan, audit');
      return;
    }
    this.log(OVERVIEW);
  }
}

const OVERVIEW = `Clean up what a DC/OS service leaves behind: frameworks, reserved resources,
persistent volumes and ZooKeeper state. Every command shows its plan first,
asks (or takes --yes), and verifies from a fresh read of the cluster.

USAGE
  dcos janitor <command> [flags]

WORKFLOW
  A service destroyed from the UI (framework, reservations, znode left):
    dcos janitor teardown                       list orphaned frameworks
    dcos janitor teardown --service kafka       stop its app, tear it down
    dcos janitor cleanup --service kafka        volumes, reservations, znode
  A service still installed:
    dcos janitor uninstall kafka                Cosmos, the SDK plan, verify
  An uninstall stuck on an agent that is gone:
    dcos janitor plan show kafka --stuck
    dcos janitor uninstall kafka --force-stuck
  A cluster you inherited: what is left, whose, and the fix:
    dcos janitor audit                          then: audit --fix
  Reviewed changes: save a dry run's plan, apply exactly that plan later:
    dcos janitor cleanup --service kafka --dry-run --out plan.json
    dcos janitor apply plan.json                refused if the cluster drifted
    dcos janitor history                        what each run changed
  Inside the cluster, as janitor.py ran (no Admin Router, no CLI config):
    dcos janitor cleanup --service kafka --internal
    dcos janitor cleanup --service kafka --print-job --artifact-url URL

COMMANDS
  audit       Every leftover on the cluster, whose it was, and --fix
  teardown    Tear down orphaned frameworks (their Marathon app first)
  cleanup     Destroy volumes, unreserve resources, delete the znode
  uninstall   Uninstall a service and prove nothing of it is left
  plan        SDK plans: list, show, force-complete, restart, pause...
  apply       Apply exactly a plan saved with --out, or refuse on drift
  history     The runs that changed a cluster, and the cluster's answers

EXAMPLES
  dcos janitor cleanup --service kafka --dry-run
  dcos janitor uninstall /data/kafka --yes --force-stuck --json

CONNECTION FLAGS (every command; the DC/OS CLI's cluster is used without them)
  --service-account ID --private-key FILE   log in as a service account (CI)
  -m, --mesos-url URL      the leading master's own address, not Admin Router's
  -n, --marathon-url URL   Marathon's own address
  -e, --exhibitor-url URL  Exhibitor's own address
  --cosmos-url URL         Cosmos' own address
  --internal               inside the cluster: leader.mesos, marathon.mesos
  -v, -vv                  say more (the requests, with -vv)

Run 'dcos janitor <command> --help' for its flags; 'dcos janitor --version'.`;

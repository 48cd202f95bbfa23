import { Args, Flags } from '@oclif/core';

import { IN_CLUSTER_FLAGS } from '../../cli/in-cluster-flags';
import { JanitorCommand, serviceOf } from '../../cli/janitor-command';
import { OUT_FLAG } from '../../cli/plan-file';
import { cleanupAction, describeBlocker } from '../../domain/actions';
import { observeCleanupPlan, plannedStep } from '../../domain/saved-plan';
import { cleanUp, describeChanges, planCleanup, planHasChanges } from '../../domain/cleanup';
import { refuseSystemTarget } from '../../domain/ownership';
import { ExitCode, RefusedError } from '../../errors';
import { cleanupJson, renderCleanupOutcome, renderCleanupPlan } from '../../render/cleanup';
import { EMPTY_CLEANUP, CleanupResult } from '../../render/results';

export default class Cleanup extends JanitorCommand<CleanupResult> {
  static summary = "Destroy a service's volumes, unreserve its resources, delete its ZooKeeper node.";

  static description =
    'What janitor.py -r ROLE -p PRINCIPAL -z ZKNODE does, done right: reservations are selected by role AND principal ' +
    '(and the SDK resource_id / framework_id labels), so a sibling service in the same role keeps its data; static and ' +
    'slave_public reservations are never touched. A plan is shown first; volumes are destroyed, the agents re-read, the ' +
    'resources unreserved, the ZooKeeper node deleted, and a fresh read verifies that nothing is left. Re-running after ' +
    'an interruption finishes the job.';

  static examples = [
    {
      description: 'Preview the cleanup of a service destroyed from the UI',
      command: '<%= config.bin %> janitor cleanup --service kafka --dry-run',
    },
    {
      description: 'Clean it, as CI would',
      command: '<%= config.bin %> janitor cleanup --service /data/kafka --yes --json',
    },
    {
      description: 'The janitor.py form',
      command: '<%= config.bin %> janitor cleanup -r kafka-role -p kafka-principal -z dcos-service-kafka',
    },
    {
      description: 'Inside the cluster, as janitor.py ran (on a master, or in a task)',
      command: '<%= config.bin %> janitor cleanup --service kafka --internal --yes',
    },
    {
      description: 'The same as a one-off Metronome job, for a workstation that cannot reach the masters',
      command:
        '<%= config.bin %> janitor cleanup --service kafka --print-job --artifact-url https://example.com/dcos-janitor.zip > job.json && dcos job add job.json',
    },
  ];

  static args = {
    service: Args.string({
      description: 'Service name, e.g. kafka or /data/kafka (the same as --service).',
      required: false,
    }),
  };

  static flags = {
    service: Flags.string({
      description:
        'Service name (foldered names too): derives role, principal and ZooKeeper node by the SDK naming rules.',
    }),
    role: Flags.string({
      char: 'r',
      description: 'Role whose dynamic reservations to clean (repeatable); overrides the derived one.',
      multiple: true,
    }),
    principal: Flags.string({ char: 'p', description: 'Principal that made the reservations; required with -r.' }),
    'zk-node': Flags.string({ char: 'z', description: 'ZooKeeper node to delete, e.g. dcos-service-kafka.' }),
    'framework-id': Flags.string({
      description: 'Only take resources whose framework_id label (SDK >= 0.57.3) is one of these (repeatable).',
      multiple: true,
    }),
    'include-unlabeled': Flags.boolean({
      description: 'Also take reservations of the role+principal that carry no SDK resource_id label.',
      default: false,
    }),
    'dry-run': Flags.boolean({ description: 'Show the plan and change nothing.', default: false }),
    out: OUT_FLAG,
    wide: Flags.boolean({
      description: 'List every agent, with agent ids, lines not fitted to the terminal.',
      default: false,
    }),
    'ignore-not-found': Flags.boolean({
      description: 'Exit 0 when nothing on the cluster matches the name (pipelines that re-run a cleanup).',
      default: false,
    }),
    yes: Flags.boolean({
      char: 'y',
      description: 'Do not ask for confirmation (required when stdin is not a terminal).',
      default: false,
    }),
    force: Flags.boolean({
      description: 'Proceed although a registered scheduler or a Marathon app of the service is still there.',
      default: false,
    }),
    concurrency: Flags.integer({
      description: 'How many agents are worked on at once.',
      default: 32,
      min: 1,
      max: 256,
      env: 'DCOS_JANITOR_CONCURRENCY',
    }),
    'conflict-retries': Flags.integer({
      description: 'Extra attempts for a resource Mesos answers 409 for.',
      default: 2,
      min: 0,
      max: 20,
      hidden: true,
    }),
    ...IN_CLUSTER_FLAGS,
  };

  protected override emptyResult(): CleanupResult {
    return EMPTY_CLEANUP;
  }

  async run(): Promise<void> {
    const { args, flags: parsed } = await this.parse(Cleanup);
    const flags = { ...parsed, service: serviceOf(args.service, parsed.service) };
    this.resultSoFar({ dryRun: flags['dry-run'] });
    this.configure(flags);
    this.checkOut(flags.out, flags['dry-run']);
    if (
      this.printInClusterRun(
        { ...flags, service: parsed.service },
        args.service ? [args.service] : [],
        flags.service ?? flags['zk-node'] ?? flags.role?.[0] ?? flags['framework-id']?.[0],
      )
    )
      return;
    refuseSystemTarget(flags.service, [], this.extraSystemFrameworks());
    const clients = await this.clusterClients();
    const progress = this.progress();

    const request = {
      service: flags.service,
      roles: flags.role ?? [],
      principal: flags.principal,
      zkNode: flags['zk-node'],
      frameworkIds: flags['framework-id'] ?? [],
      includeUnlabeled: flags['include-unlabeled'],
    };
    const plan = await planCleanup(clients, request, progress);
    this.resultSoFar(cleanupJson(plan, flags['dry-run'], ExitCode.OK));
    refuseSystemTarget(plan.target.serviceName, plan.frameworks, this.extraSystemFrameworks());
    if (await this.nothingOfThatName(clients, plan, flags, () => cleanupJson(plan, flags['dry-run'], ExitCode.OK)))
      return;
    const view = this.view(flags.wide);
    if (!flags.json) this.log(renderCleanupPlan(plan, view));
    for (const warning of plan.warnings) progress.warn(warning);

    if (plan.blockers.length > 0 && !flags.force) {
      const code = ExitCode.REFUSED;
      progress.clear();
      // An installed service is removed by uninstalling it, not by forcing a cleanup under it.
      const installed = plan.marathonApp !== undefined;
      this.logToStderr(
        installed
          ? `Error: Refusing to clean ${plan.target.serviceName ?? plan.marathonApp?.id}: it is installed (Marathon app ${plan.marathonApp?.id}). To remove it, uninstall it: dcos janitor uninstall ${plan.target.serviceName ?? plan.marathonApp?.id}`
          : 'Error: Refusing to clean while the service can still run: do first what each "Blocked" line above names, then run this again (--force cleans what is not in use anyway).',
      );
      if (flags.out) this.logToStderr(`No plan was saved to ${flags.out}: a blocked plan is not one to review.`);
      if (flags.json)
        this.printResult(cleanupJson(plan, flags['dry-run'], code), code, {
          kind: 'refused',
          message: plan.blockers.map(describeBlocker).join(' | '),
          exitCode: code,
        });
      return this.setExitCode(code);
    }
    if (flags['dry-run']) {
      if (flags.out && plan.blockers.length > 0)
        throw new RefusedError(
          `No plan was saved to ${flags.out}: it would need --force (${plan.blockers.map(describeBlocker).join(' | ')}); a reviewed plan acts only on what does not live.`,
        );
      if (flags.out)
        await this.savePlan(flags.out, [plannedStep(cleanupAction(request), false, observeCleanupPlan(plan))]);
      if (flags.json) this.printResult(cleanupJson(plan, true, ExitCode.OK), ExitCode.OK);
      else this.log('Dry run: nothing was changed.');
      return;
    }

    if (planHasChanges(plan)) {
      await this.confirm(
        `${describeChanges(plan)}? Their data cannot be recovered.`,
        'clean up the cluster',
        flags.yes,
      );
    }
    // Until the verification says what the cluster shows, a failure reports what Mesos and Exhibitor accepted.
    const accepted = { volumes: 0, resources: 0, znodeDeleted: false };
    this.resultSoFar({ accepted });
    const { outcome, verification } = await cleanUp(
      clients,
      plan,
      { ...this.cleanupOptions(flags.concurrency, flags['conflict-retries']), accepted },
      progress,
    );
    // The verification is the truth: a 409 for a request whose first answer was lost is
    // not a leftover, and an agent that left during the run is one (agent-unregistered).
    const code = verification.clean ? ExitCode.OK : ExitCode.LEFTOVERS;
    this.resultSoFar({ ...cleanupJson(plan, false, code, outcome, verification), accepted: null });
    if (flags.json)
      this.printResult({ ...cleanupJson(plan, false, code, outcome, verification), accepted: null }, code);
    else this.log(renderCleanupOutcome(outcome, verification, view));
    this.setExitCode(code);
  }
}

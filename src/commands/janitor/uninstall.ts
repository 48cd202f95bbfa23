import { Args, Flags } from '@oclif/core';

import { IN_CLUSTER_FLAGS } from '../../cli/in-cluster-flags';
import { OUT_FLAG } from '../../cli/plan-file';
import { observeStep, plannedStep } from '../../domain/saved-plan';
import { JanitorCommand } from '../../cli/janitor-command';
import { DcosMetadataClient } from '../../clients/dcos-metadata';
import { Verification } from '../../domain/cleanup';
import { StuckStep } from '../../domain/stuck-steps';
import {
  FORCE_STUCK_MEANS,
  Inventory,
  UninstallClients,
  UninstallOptions,
  UninstallReport,
  UninstallRequest,
  readInventory,
  uninstallLegacy,
  uninstallSdk,
  verifyUninstalled,
} from '../../domain/uninstall';
import { ExitCode, StuckStepsError, UsageError } from '../../errors';
import { renderVerification } from '../../render/cleanup';
import { renderStuckSteps } from '../../render/stuck-steps';
import { renderInventory, uninstallQuestion } from '../../render/uninstall';
import { isSystemServiceName, refuseSystemTarget } from '../../domain/ownership';
import { EMPTY_UNINSTALL, UninstallResult } from '../../render/results';

export default class Uninstall extends JanitorCommand<UninstallResult> {
  static summary = 'Uninstall a DC/OS service and prove that nothing of it is left.';

  static description =
    "SDK services go through Cosmos and their scheduler's uninstall plan, followed live: unreserve steps stuck on agents that " +
    'left the cluster are force-completed (asked in a terminal; --force-stuck in scripts), again if the scheduler restarts; a ' +
    'scheduler left behind when the plan is COMPLETE (zombie) is removed; its ZooKeeper node is deleted. Other services, DC/OS ' +
    '1.9, or --manual: the app is removed, the framework torn down and the reservations, volumes and znode cleaned. Both end ' +
    'with a verification: no app, framework, task, reservation, volume or znode of the service.';

  static examples = [
    { description: 'Guided: pick a service, see what it has, confirm', command: '<%= config.bin %> janitor uninstall' },
    {
      description: 'CI: one line, no prompt, one JSON result',
      command: '<%= config.bin %> janitor uninstall /data/kafka --yes --force-stuck --json',
    },
    {
      description: 'Only check that a service is gone',
      command: '<%= config.bin %> janitor uninstall kafka --verify-only',
    },
  ];

  static args = {
    service: Args.string({ description: 'Service name (e.g. kafka, /data/kafka). Omitted in a terminal: pick one.' }),
  };

  static flags = {
    yes: Flags.boolean({
      char: 'y',
      description: 'Do not ask (required when stdin is not a terminal).',
      default: false,
    }),
    'force-stuck': Flags.boolean({
      description: 'Force-complete unreserve steps stuck on agents that left the cluster (scripted runs).',
      default: false,
    }),
    manual: Flags.boolean({
      description: 'Take the manual route: remove the app, tear down, clean up (no Cosmos).',
      default: false,
    }),
    out: OUT_FLAG,
    'dry-run': Flags.boolean({
      description: 'Show what the service has and what the uninstall would do; change nothing.',
      default: false,
    }),
    'verify-only': Flags.boolean({
      description: 'Change nothing: only say whether anything of the service is left.',
      default: false,
    }),
    'ignore-not-found': Flags.boolean({
      description: 'Exit 0 when nothing on the cluster matches the name (pipelines that re-run an uninstall).',
      default: false,
    }),
    wide: Flags.boolean({
      description: 'List every agent, with agent ids, lines not fitted to the terminal.',
      default: false,
    }),
    timeout: Flags.integer({
      description: 'Seconds the whole uninstall may take.',
      default: 1800,
      min: 1,
      env: 'DCOS_JANITOR_TIMEOUT',
    }),
    grace: Flags.integer({
      description: 'Seconds Cosmos gets to remove the app after the plan completes, before it is removed as a zombie.',
      default: 30,
      min: 0,
      env: 'DCOS_JANITOR_GRACE',
    }),
    role: Flags.string({
      char: 'r',
      description: 'Manual route: role to clean instead of the derived one (repeatable).',
      multiple: true,
    }),
    principal: Flags.string({ char: 'p', description: 'Manual route: principal instead of the derived one.' }),
    'zk-node': Flags.string({ char: 'z', description: 'Manual route: ZooKeeper node instead of dcos-service-<name>.' }),
    concurrency: Flags.integer({
      description: 'Agents cleaned at once.',
      default: 32,
      min: 1,
      max: 256,
      env: 'DCOS_JANITOR_CONCURRENCY',
    }),
    'poll-ms': Flags.integer({
      description: 'Milliseconds between two reads of the plan.',
      default: 2000,
      min: 10,
      hidden: true,
    }),
    ...IN_CLUSTER_FLAGS,
  };

  protected override emptyResult(): UninstallResult {
    return EMPTY_UNINSTALL;
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Uninstall);
    this.configure(flags);
    if ((flags['print-job'] || flags['print-app']) && !flags.manual && !flags['cosmos-url']) {
      throw new UsageError(
        'An uninstall inside the cluster goes through Cosmos, which has no in-cluster default address: add --manual (the app removed, the framework torn down, everything cleaned; no Cosmos), or --cosmos-url with the address the task reaches Cosmos at.',
      );
    }
    if (this.printInClusterRun(flags, args.service ? [args.service] : [], args.service)) return;
    this.checkOut(flags.out, flags['dry-run']);
    if (flags.out && (flags.role || flags.principal || flags['zk-node']))
      throw new UsageError(
        '--out saves an uninstall by its name alone: without -r/-p/-z (for those, save a cleanup plan: dcos janitor cleanup -r ROLE -p PRINCIPAL -z NODE --dry-run --out FILE).',
      );
    const cluster = await this.clusterClients();
    const clients = this.uninstallClients(cluster);
    const progress = this.progress();
    const service = args.service ?? (await this.pickService(clients));
    refuseSystemTarget(service, [], this.extraSystemFrameworks());
    const request: UninstallRequest = {
      service,
      manual: flags.manual,
      cleanup: {
        roles: flags.role ?? [],
        principal: flags.principal,
        zkNode: flags['zk-node'],
        frameworkIds: [],
        includeUnlabeled: false,
      },
    };
    const result: Record<string, unknown> = { dryRun: flags['dry-run'], service, route: null, why: null };
    this.resultSoFar(result);

    if (flags['verify-only']) {
      const { verification, fresh } = await verifyUninstalled(clients, request, progress);
      if (await this.nothingOfThatName(clients, fresh, flags, () => result)) return;
      return this.finish(result, { verification }, flags.json);
    }

    const metadata = new DcosMetadataClient(cluster.http);
    const inventory = await readInventory(clients, request, progress, () => metadata.version().catch(() => undefined));
    refuseSystemTarget(service, inventory.plan.frameworks, this.extraSystemFrameworks());
    if (await this.nothingOfThatName(clients, inventory.plan, flags, () => result)) return;
    Object.assign(result, {
      route: inventory.route.route,
      why: inventory.route.why,
      inventory: inventoryJson(inventory),
    });
    this.resultSoFar(result);
    if (!flags.json) this.log(renderInventory(inventory, this.view(flags.wide)));
    if (flags['dry-run']) {
      if (flags.out) {
        const action = { kind: 'uninstall' as const, service, manual: flags.manual, forceStuck: flags['force-stuck'] };
        // The version the inventory read chose the route with: the plan is observed with the same.
        const context = { ...this.observeContext(cluster), dcosVersion: async () => inventory.dcosVersion };
        await this.savePlan(flags.out, [
          plannedStep(action, false, await observeStep(clients, action, false, context)),
        ]);
      }
      // The inventory and its "Next:" line are every write the run would make, in its order.
      if (flags.json) this.printResult(result, ExitCode.OK);
      else this.log('Dry run: nothing was changed; without --dry-run the uninstall does what "Next:" says.');
      return;
    }
    await this.confirmByTyping(uninstallQuestion(inventory), service, `uninstall ${service}`, flags.yes);

    const options: UninstallOptions = {
      timeoutMs: flags.timeout * 1000,
      pollMs: flags['poll-ms'],
      graceMs: flags.grace * 1000,
      forceStuck: flags['force-stuck'],
      askToForce: this.interactive() && !flags.yes ? (stuck) => this.askToForce(stuck) : undefined,
      cleanup: this.cleanupOptions(flags.concurrency, 2),
      onReport: (report) => this.resultSoFar({ report }),
    };
    let report: UninstallReport;
    try {
      report =
        inventory.route.route === 'sdk'
          ? await uninstallSdk(clients, inventory, request, options, progress)
          : await uninstallLegacy(clients, request, options, progress);
    } catch (error) {
      if (!(error instanceof StuckStepsError)) throw error;
      if (flags.json)
        this.printResult({ ...result, stuck: error.stuck }, error.exitCode, {
          kind: error.kind,
          message: error.message,
          exitCode: error.exitCode,
        });
      else {
        this.log(renderStuckSteps(error.stuck, this.outputWidth()));
        this.logToStderr(`Error: ${error.message}`);
      }
      return this.setExitCode(error.exitCode);
    }
    // Cosmos may refuse and the manual route run instead: the result says the route taken.
    if (report.route !== result.route)
      Object.assign(result, { route: report.route, why: report.actions[0] ?? result.why });
    if (!flags.json) for (const action of report.actions) this.log(`- ${action}`);
    const { verification } = await verifyUninstalled(clients, request, progress);
    this.finish(result, { report, verification }, flags.json);
  }

  private finish(
    result: Record<string, unknown>,
    extra: { report?: UninstallReport; verification: Verification },
    json: boolean,
  ): void {
    const code = extra.verification.clean ? ExitCode.OK : ExitCode.LEFTOVERS;
    this.resultSoFar({ ...result, report: extra.report ?? null, verification: extra.verification });
    if (json) this.printResult({ ...result, report: extra.report ?? null, verification: extra.verification }, code);
    else this.log(renderVerification(extra.verification, this.view(), String(result.service)));
    this.setExitCode(code);
  }

  /** Installed services: Cosmos' list, and the Marathon apps with package labels (Cosmos may be down). */
  private async pickService(clients: UninstallClients): Promise<string> {
    if (!this.interactive())
      throw new UsageError(
        'Name the service to uninstall, e.g. dcos janitor uninstall kafka (the list to pick from needs a terminal).',
      );
    const [packages, apps] = await Promise.all([
      clients.cosmos.listPackages().catch(() => []),
      clients.marathon.listApps('DCOS_PACKAGE_NAME'),
    ]);
    const choices = new Map<string, string>();
    for (const entry of packages)
      choices.set(
        entry.appId,
        `${entry.appId}  (${entry.packageInformation.packageDefinition.name} ${entry.packageInformation.packageDefinition.version ?? ''})`,
      );
    for (const [id] of choices) if (isSystemServiceName(id, this.extraSystemFrameworks())) choices.delete(id);
    for (const app of apps)
      if (!choices.has(app.id) && !isSystemServiceName(app.id, this.extraSystemFrameworks()))
        choices.set(app.id, `${app.id}  (${app.labels?.DCOS_PACKAGE_NAME} ${app.labels?.DCOS_PACKAGE_VERSION ?? ''})`);
    if (choices.size === 0)
      throw new UsageError(
        'No installed service found (Cosmos and Marathon list none): name the service to clean up what is left of it.',
      );
    return this.prompter().select(
      'Uninstall which service?',
      [...choices].map(([value, name]) => ({ value, name })),
    );
  }

  private async askToForce(stuck: StuckStep[]): Promise<boolean> {
    // The stuck steps and the question, with the live "Following the uninstall plan (6 s)" line out of the way.
    return this.withoutLiveLine(() => {
      this.log(renderStuckSteps(stuck, this.outputWidth()));
      return this.prompter().confirm(
        `Force ${stuck.length === 1 ? 'this step' : `these ${stuck.length} steps`} to COMPLETE? ${FORCE_STUCK_MEANS}`,
      );
    });
  }
}

function inventoryJson(inventory: Inventory) {
  const { plan } = inventory;
  return {
    dcosVersion: inventory.dcosVersion ?? null,
    app: plan.marathonApp
      ? {
          id: plan.marathonApp.id,
          tasksRunning: plan.marathonApp.tasksRunning,
          packageName: plan.marathonApp.labels.DCOS_PACKAGE_NAME ?? null,
        }
      : null,
    frameworks: plan.frameworks,
    roles: plan.target.roles,
    principals: plan.target.principals,
    agents: plan.agents.map((agent) => ({
      agentId: agent.agentId,
      hostname: agent.hostname,
      volumes: agent.volumes.length,
      reservations: agent.reservations.length,
      inUse: agent.inUse.length,
    })),
    znode: plan.znode ? { node: plan.znode.node, present: plan.znode.present } : null,
  };
}

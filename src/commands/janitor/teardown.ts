import { Args, Flags } from '@oclif/core';

import { IN_CLUSTER_FLAGS } from '../../cli/in-cluster-flags';
import { OUT_FLAG } from '../../cli/plan-file';
import { observeStep, plannedStep } from '../../domain/saved-plan';
import { JanitorCommand, serviceOf } from '../../cli/janitor-command';
import {
  CleanupAfterTeardown,
  FrameworkView,
  TeardownOutcome,
  cleanUpAfterTeardown,
  readClusterView,
  remainingReservations,
  selectFrameworks,
  tearDownFramework,
} from '../../domain/teardown';
import { ExitCode, NothingFoundError, UsageError } from '../../errors';
import { cleanupJson, renderCleanupOutcome, renderCleanupPlan } from '../../render/cleanup';
import { renderCandidates, renderFramework, renderOutcome, renderRemaining } from '../../render/teardown';
import { plural } from '../../text';
import { EMPTY_TEARDOWN, TeardownResult } from '../../render/results';

export default class Teardown extends JanitorCommand<TeardownResult> {
  static summary = 'Tear down frameworks left behind, after stopping the app that relaunches them.';

  static description =
    'Finds frameworks by id, by service name, or (no selector) lists those that look orphaned: the scheduler gone (inactive ' +
    'or disconnected) and no Marathon app that would relaunch it. For each, it removes the Marathon app that launches its scheduler now and waits for the ' +
    'deployment (so nothing relaunches it), tears the framework down through Mesos, waits until Mesos has completed it ' +
    'and its tasks are gone, and says which reservations it left, with the cleanup command (or runs it with --cleanup).';

  static examples = [
    {
      description: 'List the frameworks that look orphaned, and pick some (in a terminal)',
      command: '<%= config.bin %> janitor teardown',
    },
    {
      description: 'Tear down the Kafka destroyed from the UI, then clean what it reserved',
      command: '<%= config.bin %> janitor teardown --service kafka --yes --cleanup',
    },
    {
      description: 'By id',
      command: '<%= config.bin %> janitor teardown --framework-id 4f657f09-c73f-408f-8d9e-37228a0f1a8e-0003',
    },
  ];

  static args = {
    service: Args.string({
      description: 'Service name, e.g. kafka or /data/kafka (the same as --service).',
      required: false,
    }),
  };

  static flags = {
    'framework-id': Flags.string({ description: 'Framework id to tear down (repeatable).', multiple: true }),
    service: Flags.string({
      description: 'Service name (foldered names too): its framework, by name or by derived role and principal.',
    }),
    'keep-app': Flags.boolean({
      description: 'Do not remove the Marathon app first (Marathon will relaunch the scheduler).',
      default: false,
    }),
    'force-system': Flags.boolean({
      description: 'Allow tearing down a DC/OS system framework (marathon, metronome...). Breaks the cluster.',
      default: false,
    }),
    cleanup: Flags.boolean({
      description: 'Then run `dcos janitor cleanup` for what each framework reserved.',
      default: false,
    }),
    'dry-run': Flags.boolean({ description: 'Show what would be done and change nothing.', default: false }),
    out: OUT_FLAG,
    wide: Flags.boolean({
      description: 'The list with roles and principals, lines not fitted to the terminal.',
      default: false,
    }),
    yes: Flags.boolean({
      char: 'y',
      description: 'Do not ask for confirmation (required when stdin is not a terminal).',
      default: false,
    }),
    'ignore-not-found': Flags.boolean({
      description: 'Exit 0 when no framework matches the name or id (pipelines that re-run a teardown).',
      default: false,
    }),
    timeout: Flags.integer({
      description: 'Seconds to wait for the app removal and for Mesos to complete each framework.',
      default: 300,
      min: 1,
      env: 'DCOS_JANITOR_TIMEOUT',
    }),
    concurrency: Flags.integer({
      description: 'With --cleanup: agents worked on at once.',
      default: 32,
      min: 1,
      max: 256,
      env: 'DCOS_JANITOR_CONCURRENCY',
    }),
    ...IN_CLUSTER_FLAGS,
  };

  protected override emptyResult(): TeardownResult {
    return EMPTY_TEARDOWN;
  }

  async run(): Promise<void> {
    const { args, flags: parsed } = await this.parse(Teardown);
    const flags = { ...parsed, service: serviceOf(args.service, parsed.service) };
    this.configure(flags);
    this.checkOut(flags.out, flags['dry-run']);
    this.resultSoFar({ dryRun: flags['dry-run'] });
    if (
      this.printInClusterRun(
        { ...flags, service: parsed.service },
        args.service ? [args.service] : [],
        flags.service ?? flags['framework-id']?.[0],
      )
    )
      return;
    const frameworkIds = flags['framework-id'] ?? [];
    const hasSelector = frameworkIds.length > 0 || flags.service !== undefined;
    if (!hasSelector && flags.out)
      throw new UsageError('--out needs --framework-id or --service: a saved plan names what it tears down.');
    if (!hasSelector && flags.yes) {
      throw new UsageError(
        '--yes needs --framework-id or --service: teardown never picks frameworks by itself. Run it without --yes to list the orphaned ones.',
      );
    }
    const clients = await this.clusterClients();
    const progress = this.progress();
    progress.step('Reading frameworks, agents and Marathon apps...');
    const cluster = await readClusterView(clients, this.extraSystemFrameworks());
    let selection: ReturnType<typeof selectFrameworks>;
    try {
      selection = selectFrameworks({ frameworkIds, service: flags.service }, cluster);
    } catch (error) {
      if (!(error instanceof NothingFoundError) || !flags['ignore-not-found']) throw error;
      const message = 'No framework of that name or id is known to Mesos; nothing to tear down (--ignore-not-found).';
      if (flags.json) this.printResult({ notFound: true, message }, ExitCode.OK);
      else this.log(message);
      return;
    }

    let selected = selection.selected;
    if (!hasSelector) {
      if (!this.interactive() || flags['dry-run'] || flags.json) {
        if (flags.json) this.printResult({ dryRun: true, candidates: selection.candidates }, ExitCode.OK);
        else
          this.log(
            `${renderCandidates(selection.candidates, flags.wide ? Number.MAX_SAFE_INTEGER : this.outputWidth(), flags.wide)}${selection.candidates.length > 0 ? '\nTear them down with --framework-id ID (repeatable), or run this in a terminal to pick.' : ''}`,
          );
        return;
      }
      this.log(
        renderCandidates(selection.candidates, flags.wide ? Number.MAX_SAFE_INTEGER : this.outputWidth(), flags.wide),
      );
      if (selection.candidates.length === 0) return;
      selected = await this.pick(selection.candidates);
      if (selected.length === 0) {
        this.log('Nothing picked: nothing was changed.');
        return;
      }
    }

    this.resultSoFar({ frameworks: selected });
    if (!flags.json) for (const view of selected) this.log(renderFramework(view, this.outputWidth()));
    const system = selected.filter((view) => view.system && !view.completed);
    if (system.length > 0 && !flags['force-system']) {
      const message = `Refusing to tear down DC/OS system ${system.length === 1 ? 'framework' : 'frameworks'} ${system.map((view) => `${view.name} (${view.id})`).join(', ')}: the cluster needs them. Pass --force-system only if you know why.`;
      if (flags.json) this.printResult({}, ExitCode.REFUSED, { kind: 'refused', message, exitCode: ExitCode.REFUSED });
      else this.logToStderr(`Error: ${message}`);
      return this.setExitCode(ExitCode.REFUSED);
    }
    if (flags['dry-run']) {
      if (flags.out) {
        const steps = [];
        for (const view of selected) {
          const action = { kind: 'teardown' as const, frameworkId: view.id, cleanup: flags.cleanup };
          steps.push(
            plannedStep(
              action,
              flags['keep-app'],
              await observeStep(
                this.uninstallClients(clients),
                action,
                flags['keep-app'],
                this.observeContext(clients),
              ),
            ),
          );
        }
        await this.savePlan(flags.out, steps);
      }
      if (flags.json) this.printResult({ dryRun: true }, ExitCode.OK);
      else
        this.log(
          `Dry run: would ${describeTeardown(selected, flags['keep-app'], flags.cleanup)}; nothing was changed.`,
        );
      return;
    }

    // Every change needs a confirmation (or --yes off a terminal): removing the app of a completed framework too.
    const pending = selected.filter((view) => !view.completed || (view.app !== undefined && !flags['keep-app']));
    if (pending.length > 0 || flags.cleanup)
      await this.confirmTeardown(pending.length > 0 ? pending : selected, flags['keep-app'], flags.cleanup, flags.yes);

    // Filled as each framework is done: a failure part-way still reports the ones before it.
    const outcomes: TeardownOutcome[] = [];
    this.resultSoFar({ outcomes });
    for (const view of selected) {
      outcomes.push(
        await tearDownFramework(
          clients,
          view,
          { keepApp: flags['keep-app'], timeoutMs: flags.timeout * 1000, pollMs: 250 },
          progress,
        ),
      );
      if (!flags.json) this.log(renderOutcome(outcomes[outcomes.length - 1]));
    }

    const remaining = await remainingReservations(clients, selected, cluster.ownership);
    let cleanups: CleanupAfterTeardown[] = [];
    if (flags.cleanup) {
      cleanups = await cleanUpAfterTeardown(
        clients,
        cluster.ownership,
        selected,
        remaining,
        this.cleanupOptions(flags.concurrency, 2),
        progress,
        (plan) => {
          if (!flags.json) this.log(renderCleanupPlan(plan));
        },
      );
      if (!flags.json)
        for (const cleanup of cleanups)
          if (cleanup.outcome && cleanup.verification)
            this.log(renderCleanupOutcome(cleanup.outcome, cleanup.verification));
    } else if (!flags.json && remaining.length > 0) this.log(renderRemaining(remaining, this.outputWidth()));

    const cleanupFailed = cleanups.some((cleanup) => cleanup.refused || !cleanup.verification?.clean);
    const code = cleanupFailed
      ? cleanups.some((cleanup) => cleanup.refused)
        ? ExitCode.REFUSED
        : ExitCode.LEFTOVERS
      : ExitCode.OK;
    const result = {
      dryRun: false,
      remainingReservations: flags.cleanup ? [] : remaining,
      cleanups: cleanups.map((cleanup) =>
        cleanupJson(
          cleanup.plan,
          false,
          cleanup.refused ? ExitCode.REFUSED : cleanup.verification?.clean ? 0 : ExitCode.LEFTOVERS,
          cleanup.outcome,
          cleanup.verification,
        ),
      ),
    };
    this.resultSoFar(result);
    if (flags.json) this.printResult(result, code);
    this.setExitCode(code);
  }

  private async pick(candidates: FrameworkView[]): Promise<FrameworkView[]> {
    const ids = await this.prompter().checkbox(
      'Tear down which frameworks? (space to select, enter to confirm)',
      candidates.map((view) => ({
        name: `${view.name}  ${view.id}  (${view.orphanReasons.join(', ')}; ${plural(view.tasks, 'task')})`,
        value: view.id,
      })),
    );
    return candidates.filter((view) => ids.includes(view.id));
  }

  private async confirmTeardown(
    pending: FrameworkView[],
    keepApp: boolean,
    cleanup: boolean,
    yes: boolean,
  ): Promise<void> {
    const question = `${capitalise(describeTeardown(pending, keepApp, cleanup))}?`;
    const live = pending.filter((view) => view.live);
    if (live.length > 0) {
      // A running service: a y/n is too easy to give by reflex.
      this.logToStderr(
        `Warning: ${live.map((view) => view.name).join(', ')} is LIVE: its scheduler is connected and its tasks are running. Tearing it down kills them.`,
      );
      const expected = live.map((view) => view.name).join(',');
      await this.confirmByTyping(
        `${question} Type ${expected} to confirm:`,
        expected,
        'tear down a live framework',
        yes,
      );
      return;
    }
    await this.confirm(question, 'tear down frameworks', yes);
  }
}

/**
 * Every write the run would make, in its order: the apps that launch these very frameworks, the
 * teardowns, the cleanup.
 */
function describeTeardown(views: FrameworkView[], keepApp: boolean, cleanup: boolean): string {
  const apps = views.filter((view) => view.app).map((view) => view.app?.id);
  const parts = [];
  if (apps.length > 0 && !keepApp)
    parts.push(`remove Marathon ${apps.length === 1 ? 'app' : 'apps'} ${apps.join(', ')}`);
  const pending = views.filter((view) => !view.completed);
  const done = views.filter((view) => view.completed);
  if (pending.length > 0) parts.push(`tear down ${pending.map((view) => `${view.name} (${view.id})`).join(', ')}`);
  if (done.length > 0)
    parts.push(`find ${done.map((view) => `${view.name} (${view.id})`).join(', ')} already torn down`);
  if (cleanup) parts.push('then destroy their volumes, unreserve their resources and delete their ZooKeeper state');
  return parts.join(', ');
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

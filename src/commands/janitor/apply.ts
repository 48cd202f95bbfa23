import * as path from 'node:path';

import { Args, Flags } from '@oclif/core';

import { JanitorCommand } from '../../cli/janitor-command';
import { readPlanFile } from '../../cli/plan-file';
import {
  StepState,
  applyPending,
  checkAge,
  checkConsistent,
  checkSameCluster,
  compareWithCluster,
  countOperations,
  driftOf,
} from '../../domain/apply';
import { DriftKind, SavedPlan } from '../../domain/saved-plan';
import { ExitCode } from '../../errors';
import { describeCounts, renderComparison, renderDrift, renderRemaining, renderSavedPlan } from '../../render/apply';
import { ApplyResult, EMPTY_APPLY } from '../../render/results';
import { plural } from '../../text';
import { parseDuration } from './audit';

export default class Apply extends JanitorCommand<ApplyResult> {
  static summary = 'Apply exactly a plan a dry run saved with --out; refuse if the cluster drifted.';

  static description =
    'Reads the plan a dry run saved (cleanup, teardown, uninstall or audit --fix with --dry-run --out FILE), checks that ' +
    'it was made for this cluster and is not older than --max-age, shows it, confirms as the original command would, ' +
    'and reads the cluster again. Operations already done count as done; the others are sent, and nothing outside the ' +
    'plan. If the cluster is no longer what the plan saw (a new resource of the target, a framework that came back, ' +
    'an app that appeared, tasks on a planned resource, an agent that left), nothing is sent and it exits 14 with a ' +
    'drift report. A read after the run verifies every operation.';

  static examples = [
    {
      description: 'Review first: save the plan of a dry run',
      command: '<%= config.bin %> janitor cleanup --service kafka --dry-run --out kafka-plan.json',
    },
    {
      description: 'Apply exactly that plan later, as CI would',
      command: '<%= config.bin %> janitor apply kafka-plan.json --yes --json',
    },
    {
      description: 'Only check that the plan still holds (no drift); change nothing',
      command: '<%= config.bin %> janitor apply kafka-plan.json --dry-run',
    },
  ];

  static args = {
    file: Args.string({ description: 'The plan file a dry run wrote with --out.', required: true }),
  };

  static flags = {
    yes: Flags.boolean({
      char: 'y',
      description: 'Do not ask (required when stdin is not a terminal).',
      default: false,
    }),
    'dry-run': Flags.boolean({
      description: 'Check the plan against the cluster (same cluster, age, drift) and change nothing.',
      default: false,
    }),
    'max-age': Flags.string({
      description: 'Refuse a plan older than this (e.g. 30m, 24h, 7d).',
      default: '24h',
    }),
    wide: Flags.boolean({
      description: 'List every operation and difference, lines not fitted to the terminal.',
      default: false,
    }),
    timeout: Flags.integer({
      description: 'Seconds each step may wait (app removals, teardowns, uninstall plans).',
      default: 1800,
      min: 1,
      env: 'DCOS_JANITOR_TIMEOUT',
    }),
    grace: Flags.integer({
      description: 'Seconds Cosmos gets to remove a finished scheduler before it is removed as a zombie.',
      default: 30,
      min: 0,
      env: 'DCOS_JANITOR_GRACE',
    }),
    concurrency: Flags.integer({
      description: 'How many agents are worked on at once.',
      default: 32,
      min: 1,
      max: 256,
      env: 'DCOS_JANITOR_CONCURRENCY',
    }),
    'poll-ms': Flags.integer({
      description: 'Milliseconds between two reads while waiting.',
      default: 2000,
      min: 10,
      hidden: true,
    }),
  };

  protected override emptyResult(): ApplyResult {
    return EMPTY_APPLY;
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Apply);
    this.configure(flags);
    const maxAgeMs = parseDuration(flags['max-age'], '--max-age');
    const file = path.resolve(args.file);
    const plan = readPlanFile(file);
    checkConsistent(plan);
    const operations = plan.steps.reduce((sum, step) => sum + step.operations.length, 0);
    this.resultSoFar({
      dryRun: flags['dry-run'],
      planFile: file,
      plan: {
        createdAt: plan.createdAt,
        toolVersion: plan.toolVersion,
        command: plan.command.name,
        cluster: plan.cluster,
        steps: plan.steps.length,
        operations,
      },
    });

    const clients = this.uninstallClients(await this.clusterClients());
    const progress = this.progress();
    const cluster = { url: this.clusterUrl, id: await this.readClusterId(clients) };
    this.resultSoFar({ cluster });
    checkSameCluster(plan, cluster);
    const ageSeconds = checkAge(plan, Date.now(), maxAgeMs, flags['max-age']);
    this.resultSoFar({ ageSeconds });
    const view = this.view(flags.wide);
    if (!flags.json) this.log(renderSavedPlan(plan, args.file, ageSeconds, view));

    const context = this.observeContext(clients);
    progress.step('Reading the cluster again, to compare it with the plan...');
    let states = await compareWithCluster(clients, plan, context);
    this.resultSoFar({ steps: this.stepsJson(plan, states) });
    if (!flags.json) this.log(`\n${renderComparison(states, flags.wide)}`);
    if (this.refuseOnDrift(states, flags.json, flags.wide)) return;

    const pending = states.reduce((sum, state) => sum + state.comparison.pending.length, 0);
    if (pending === 0) return this.finishVerified(plan, states, states, flags.json, flags.wide);
    if (flags['dry-run']) {
      const message = `Dry run: the plan holds; ${plural(pending, 'operation')} would be applied. Nothing was changed.`;
      if (flags.json) this.printResult({ message }, ExitCode.OK);
      else this.log(`\n${message}`);
      return;
    }

    await this.confirmAsTheCommand(plan, states, pending, flags.yes);
    if (!flags.yes) {
      // A prompt may have waited: the cluster is compared again before anything is sent.
      progress.step('Reading the cluster again after the confirmation...');
      states = await compareWithCluster(clients, plan, context);
      this.resultSoFar({ steps: this.stepsJson(plan, states) });
      if (this.refuseOnDrift(states, flags.json, flags.wide)) return;
    }

    const steps = this.stepsJson(plan, states);
    this.resultSoFar({ steps });
    await applyPending(
      clients,
      plan,
      states,
      {
        timeoutMs: flags.timeout * 1000,
        pollMs: flags['poll-ms'],
        graceMs: flags.grace * 1000,
        cleanup: this.cleanupOptions(flags.concurrency, 2),
        extraSystemNames: this.extraSystemFrameworks(),
        // The route an uninstall takes is chosen with the version its observation used.
        dcosVersion: context.dcosVersion,
      },
      progress,
      (applied) => {
        steps[applied.index].result = applied.result;
        steps[applied.index].detail = applied.detail ?? null;
        this.resultSoFar({ steps });
      },
    );
    progress.step('Checking every operation of the plan against a fresh read of the cluster...');
    const after = await compareWithCluster(clients, plan, context);
    progress.clear();
    this.finishVerified(plan, states, after, flags.json, flags.wide, steps);
  }

  /** Drift: nothing is sent; the report, and exit 14. */
  private refuseOnDrift(states: StepState[], json: boolean, wide: boolean): boolean {
    const drift = driftOf(states);
    if (drift.length === 0) return false;
    const message = `The cluster drifted from the plan (${plural(drift.length, 'difference')}): nothing was sent. Make a new dry run with --out, review it, and apply that.`;
    this.resultSoFar({ drift });
    if (json) this.printResult({}, ExitCode.DRIFT, { kind: 'drift', message, exitCode: ExitCode.DRIFT });
    else {
      if (wide) this.log(renderDrift(drift, true));
      this.logToStderr(`Error: ${message}`);
    }
    this.setExitCode(ExitCode.DRIFT);
    return true;
  }

  /**
   * The read after the run: every operation of the plan done is exit 0; anything of the plan
   * still there is exit 3, listed.
   */
  private finishVerified(
    plan: SavedPlan,
    before: StepState[],
    after: StepState[],
    json: boolean,
    wide: boolean,
    steps = this.stepsJson(plan, before),
  ): void {
    for (const state of after) steps[state.index].after = counts(state);
    // Still to do, or still there and not the target's to take (a task uses it, its agent left): not done.
    const remaining = after.flatMap((state) => [...state.comparison.pending, ...state.comparison.unsettled]);
    // What the read after the run shows that the plan never had: new things, left alone.
    const appearedSince = driftOf(after).filter((item) => NEW_SINCE_THE_PLAN.includes(item.kind));
    // Done by this run: pending before, gone after; done before: already done.
    const doneNow = before.flatMap((state) =>
      state.comparison.pending.filter((operation) => after[state.index].comparison.done.includes(operation)),
    );
    const alreadyDone = before.flatMap((state) => state.comparison.done);
    const verified = remaining.length === 0;
    const code = verified ? ExitCode.OK : ExitCode.LEFTOVERS;
    const result: Partial<ApplyResult> = {
      steps,
      verified,
      applied: countOperations(doneNow),
      alreadyDone: countOperations(alreadyDone),
      remaining: remaining.length,
      notInPlan: appearedSince,
    };
    this.resultSoFar(result);
    // On stderr in every mode: a CI log shows it beside the --json document.
    if (appearedSince.length > 0)
      this.logToStderr(
        `Warning: since the plan, the cluster shows what it did not plan (left alone): ${appearedSince.map((item) => item.detail).join('; ')}. A new dry run says what to do with it.`,
      );
    for (const item of driftOf(after).filter((entry) => entry.kind === 'not-selected' || entry.kind === 'agent-left'))
      this.logToStderr(`Not done: ${item.detail}.`);
    if (json) this.printResult(result, code);
    else {
      if (plan.steps.every((step) => step.operations.length === 0))
        this.log('\nThe plan has no operations: nothing to apply.');
      else if (doneNow.length === 0 && alreadyDone.length > 0)
        this.log('\nEverything in the plan was already done; nothing was sent. Verified by a fresh read.');
      else
        this.log(
          `\n${verified ? 'Done and verified' : 'Not all done'} (read after the run): ${describeCounts(countOperations(doneNow))}${alreadyDone.length > 0 ? `; ${plural(alreadyDone.length, 'operation')} had already been done` : ''}.`,
        );
      if (!verified) this.log(renderRemaining(after, wide));
      if (!verified)
        this.logToStderr(
          'Error: part of the plan is still on the cluster: run dcos janitor apply again, or make a new dry run.',
        );
    }
    this.setExitCode(code);
  }

  private stepsJson(plan: SavedPlan, states: StepState[]): ApplyResult['steps'] {
    return states.map((state) => ({
      index: state.index,
      command: plan.steps[state.index].command,
      before: counts(state),
      result: null,
      detail: null,
      after: null,
    }));
  }

  /**
   * As the original command asks: a name typed for an uninstall or a live framework's teardown,
   * a yes/no for the rest.
   */
  private async confirmAsTheCommand(
    plan: SavedPlan,
    states: StepState[],
    pending: number,
    yes: boolean,
  ): Promise<void> {
    const typed = new Set<string>();
    for (const state of states) {
      if (state.comparison.pending.length === 0) continue;
      const step = plan.steps[state.index];
      if (step.action.kind === 'uninstall') typed.add(step.action.service.replace(/^\/+/, ''));
      if (step.action.kind === 'teardown') {
        const framework = state.observation.facts.frameworks[0];
        if (framework?.registered && framework.connected && framework.tasks > 0) typed.add(framework.name);
      }
    }
    const question = `Apply the plan: ${plural(pending, 'operation')} (${describeCounts(countOperations(states.flatMap((state) => state.comparison.pending)))})? What is destroyed cannot be recovered.`;
    if (typed.size > 0) {
      const expected = [...typed].join(',');
      await this.confirmByTyping(`${question} Type ${expected} to confirm:`, expected, 'apply the plan', yes);
    } else await this.confirm(question, 'apply the plan', yes);
  }
}

const NEW_SINCE_THE_PLAN: DriftKind[] = [
  'new-resource',
  'framework-appeared',
  'app-appeared',
  'app-replaced',
  'znode-appeared',
];

function counts(state: StepState): { done: number; pending: number } {
  return { done: state.comparison.done.length, pending: state.comparison.pending.length };
}

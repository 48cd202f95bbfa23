import { Args, Flags } from '@oclif/core';

import { SCHEMA_VERSION } from '../../../cli/janitor-command';
import { PlanCommandBase } from '../../../cli/plan-command';
import { PlanRead } from '../../../clients/sdk-scheduler';
import { sleep } from '../../../cluster/http';
import { StuckStep, readPlanWithStuckSteps, stuckStepsRemedy } from '../../../domain/stuck-steps';
import { ExitCode, TimedOutError } from '../../../errors';
import { plural } from '../../../text';
import { renderPlanTree } from '../../../render/plan-tree';
import { renderStuckSteps } from '../../../render/stuck-steps';

export default class PlanShow extends PlanCommandBase {
  static summary = "Show a plan as the SDK CLI's tree, with unreserve steps that can never finish.";
  static description =
    "The tree on stdout is the SDK CLI's, line for line; notes about stuck steps go to stderr. --stuck lists only the " +
    "stuck steps (exit 10 when there are some). --json prints the scheduler's body, re-indented as the SDK CLI does.";
  static hiddenAliases = ['janitor:plan:status'];
  static examples = [
    '<%= config.bin %> janitor plan show kafka',
    '<%= config.bin %> janitor plan show /data/kafka deploy --watch',
    '<%= config.bin %> janitor plan show kafka --stuck',
  ];
  static args = {
    service: PlanCommandBase.serviceArg,
    plan: Args.string({ description: 'Plan name.', default: 'deploy' }),
  };
  static flags = {
    stuck: Flags.boolean({
      description: 'List only the stuck steps, with why (exit 10 when there are some).',
      default: false,
    }),
    watch: Flags.boolean({
      description:
        'Re-render until the plan is COMPLETE (exit 0), in ERROR (exit 13), has stuck steps (exit 10) or --timeout (exit 9).',
      default: false,
    }),
    'keep-watching': Flags.boolean({
      description: 'With --watch: go on watching when stuck steps are found.',
      default: false,
    }),
    timeout: Flags.integer({ description: 'Seconds to watch for.', default: 600, min: 1, env: 'DCOS_JANITOR_TIMEOUT' }),
    interval: Flags.integer({ description: 'Seconds between two reads when watching.', default: 2, min: 1 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PlanShow);
    this.configure(flags);
    const { scheduler, clients } = await this.scheduler();
    const read = () => readPlanWithStuckSteps(scheduler, clients.mesos, args.service, args.plan);

    if (flags.stuck) {
      const { stuck, stuckUnknown } = await read();
      // Asked for the stuck steps and they cannot be known: that is the answer's failure, not "none".
      if (stuckUnknown) throw stuckUnknown;
      if (flags.json)
        this.printResult(
          { service: args.service, plan: args.plan, stuck },
          stuck.length > 0 ? ExitCode.STUCK_STEPS : ExitCode.OK,
        );
      else this.log(renderStuckSteps(stuck, this.outputWidth()));
      return this.setExitCode(stuck.length > 0 ? ExitCode.STUCK_STEPS : ExitCode.OK);
    }
    if (!flags.watch) {
      const { read: plan, stuck, stuckUnknown } = await read();
      const code = plan.httpStatus === 417 ? ExitCode.PLAN_ERROR : ExitCode.OK;
      this.show(args.service, args.plan, plan, stuck, flags.json, code);
      this.noteStuckUnknown(stuckUnknown);
      return this.setExitCode(code);
    }
    await this.watch(args.service, args.plan, flags, read);
  }

  private show(
    service: string,
    planName: string,
    read: PlanRead,
    stuck: StuckStep[],
    json: boolean,
    exitCode: number,
    watching = false,
  ): void {
    if (json) {
      // The scheduler's body as it sent it (what the SDK CLI prints), inside the one document.
      const result = { service, plan: planName, status: read.plan.status ?? null, body: read.body, stuck };
      // --watch --json: one whole document per change of the plan, each on its own.
      if (watching)
        this.printJson({
          schemaVersion: SCHEMA_VERSION,
          command: this.commandName(),
          ...this.emptyResult(),
          ...result,
          exitCode,
          error: null,
        });
      else this.printResult(result, exitCode);
      return;
    }
    this.log(renderPlanTree(planName, read.plan));
    if (stuck.length > 0) {
      this.logToStderr(
        `Warning: ${plural(stuck.length, 'unreserve step')} can never finish: ${[...new Set(stuck.map((step) => step.reason))].join('; ')}. ` +
          `See 'dcos janitor plan show ${service} ${planName} --stuck'; '${stuckStepsRemedy(service, planName, read.plan)}' finishes the job.`,
      );
    }
  }

  private stuckNoted = false;

  /** Once per run: the tree is shown, but without the stuck steps, and why. */
  private noteStuckUnknown(why: Error | undefined): void {
    if (!why || this.stuckNoted) return;
    this.stuckNoted = true;
    this.logToStderr(
      `Note: stuck-step detection needs read access to /mesos/master/slaves, which failed: ${why.message}`,
    );
  }

  private async watch(
    service: string,
    planName: string,
    flags: { json: boolean; timeout: number; interval: number; 'keep-watching': boolean },
    read: () => Promise<{ read: PlanRead; stuck: StuckStep[]; stuckUnknown?: Error }>,
  ): Promise<void> {
    const deadline = Date.now() + flags.timeout * 1000;
    const stdout = this.io().stdout;
    const terminal = stdout.isTTY === true && !flags.json;
    let previous = '';
    for (;;) {
      const { read: plan, stuck, stuckUnknown } = await read();
      this.noteStuckUnknown(stuckUnknown);
      const rendered = flags.json ? JSON.stringify(plan.body) : renderPlanTree(planName, plan.plan);
      // In a terminal the screen is redrawn every time (the clock in the header moves);
      // in a pipe only a changed plan is printed again.
      if (terminal || rendered !== previous) {
        if (terminal) stdout.write('\u001b[2J\u001b[H');
        else if (previous) this.log('');
        if (!flags.json)
          this.log(
            `Every ${flags.interval} s: plan ${planName} of ${service}, read at ${new Date().toISOString().slice(11, 19)} UTC (Ctrl-C to stop)\n`,
          );
        this.show(service, planName, plan, stuck, flags.json, ExitCode.OK, true);
        previous = rendered;
      }
      const status = plan.plan.status;
      if (plan.httpStatus === 200 || status === 'COMPLETE') return this.setExitCode(ExitCode.OK);
      if (plan.httpStatus === 417 || status === 'ERROR') return this.setExitCode(ExitCode.PLAN_ERROR);
      if (stuck.length > 0 && !flags['keep-watching']) {
        this.logToStderr(
          `Stopped watching: ${plural(stuck.length, 'step is', 'steps are')} stuck and will not move on their own (--keep-watching to go on). To finish the job: ${stuckStepsRemedy(service, planName, plan.plan)}`,
        );
        return this.setExitCode(ExitCode.STUCK_STEPS);
      }
      if (Date.now() + flags.interval * 1000 > deadline) {
        throw new TimedOutError(
          `Plan ${planName} of ${service} was still ${status ?? 'not complete'} when --timeout (${flags.timeout} s) ran out.`,
        );
      }
      await sleep(flags.interval * 1000);
    }
  }
}

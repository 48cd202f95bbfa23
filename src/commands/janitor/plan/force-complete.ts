import { Args, Flags } from '@oclif/core';

import { PlanCommandBase, describeTarget } from '../../../cli/plan-command';
import { SdkPlan } from '../../../clients/sdk-scheduler-schemas';
import { forceCompleteSteps, isUninstallPlan, readPlanWithStuckSteps } from '../../../domain/stuck-steps';
import { FORCE_STUCK_MEANS } from '../../../domain/uninstall';
import { plural } from '../../../text';
import { ExitCode, UsageError } from '../../../errors';
import { renderPlanTree } from '../../../render/plan-tree';
import { renderStuckSteps } from '../../../render/stuck-steps';

/**
 * Completing these early lets Cosmos delete the app before the ZooKeeper wipe and the teardown
 * (docs/reference/sdk-plans.md §5.5).
 */
const NEVER_FORCE = ['deregister-service', 'deregister'];

/**
 * The names of what a phase and step argument address, each given by name or by id (an id is resolved
 * through the plan).
 */
function namesOf(plan: SdkPlan, phaseArg: string, stepArg?: string): string[] {
  const phases = plan.phases ?? [];
  const phase = phases.find((candidate) => candidate.name === phaseArg || candidate.id === phaseArg);
  const names = [phaseArg, phase?.name].filter((name): name is string => name !== undefined);
  if (stepArg !== undefined) {
    const steps = phase ? (phase.steps ?? []) : phases.flatMap((candidate) => candidate.steps ?? []);
    const step = steps.find((candidate) => candidate.name === stepArg || candidate.id === stepArg);
    names.push(stepArg, ...(step?.name ? [step.name] : []));
  }
  return names;
}

export default class PlanForceComplete extends PlanCommandBase {
  static summary = 'Force a step or phase to COMPLETE; --stuck: the stuck unreserve steps.';
  static description =
    'With --stuck, the unreserve steps whose agent is not registered are listed, confirmed and force-completed one by one ' +
    '(never deregister, never the whole plan). Otherwise the named phase, or step, is forced. Forcing an unreserve step ' +
    'of a registered agent leaks its resources: clean them with dcos janitor cleanup.';
  static hiddenAliases = ['janitor:plan:force'];
  static usage = 'janitor plan force-complete SERVICE [PLAN] [PHASE] [STEP] [FLAGS]';
  static examples = [
    '<%= config.bin %> janitor plan force-complete kafka --stuck',
    '<%= config.bin %> janitor plan force-complete kafka deploy PHASE STEP',
    '<%= config.bin %> janitor plan force-complete kafka deploy unreserve-resources-10.0.4.7',
  ];
  static args = {
    service: PlanCommandBase.serviceArg,
    plan: Args.string({ description: 'Plan name (default deploy with --stuck).' }),
    phase: Args.string({ description: 'Phase to force (all its steps), or the phase of the step.' }),
    step: Args.string({ description: 'Step to force.' }),
  };
  static flags = {
    stuck: Flags.boolean({ description: 'Force exactly the stuck unreserve steps.', default: false }),
    'dry-run': Flags.boolean({ description: 'Show what would be forced; change nothing.', default: false }),
    yes: Flags.boolean({
      char: 'y',
      description: 'Do not ask for confirmation (required when stdin is not a terminal).',
      default: false,
    }),
    force: Flags.boolean({
      description: 'Allow forcing deregister-service/deregister (leaves the framework and ZooKeeper state behind).',
      default: false,
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PlanForceComplete);
    this.configure(flags);
    if (flags.stuck) return this.forceStuck(args.service, args.plan ?? 'deploy', flags);
    if (flags['dry-run'] && args.plan && args.phase) {
      const { scheduler } = await this.scheduler();
      const { plan } = await scheduler.getPlan(args.service, args.plan);
      const names = namesOf(plan, args.phase, args.step);
      const never = names.find((name) => NEVER_FORCE.includes(name));
      const what = describeTarget(args.plan, args.phase, args.step);
      if (flags.json)
        this.printResult(
          {
            service: args.service,
            plan: args.plan,
            phase: args.phase,
            step: args.step ?? null,
            status: plan.status ?? null,
            result: 'dry-run',
          },
          ExitCode.OK,
        );
      else
        this.log(
          `Dry run: would force ${what} to COMPLETE${never && !flags.force ? ` (refused without --force: ${never})` : ''}; nothing was changed.`,
        );
      return;
    }
    if (!args.plan || !args.phase) {
      throw new UsageError(
        'Name the plan and the phase (and the step), or use --stuck: forcing a whole plan is never done, it would let Cosmos remove the app before the cleanup.',
      );
    }
    if (!flags.force) {
      // The scheduler addresses phases and steps by name or by UUID: the guard holds for both.
      const { scheduler } = await this.scheduler();
      const { plan } = await scheduler.getPlan(args.service, args.plan);
      const named = namesOf(plan, args.phase, args.step);
      const never = named.find((name) => NEVER_FORCE.includes(name));
      if (never) {
        throw new UsageError(
          `Refusing to force ${never}${[args.phase, args.step].includes(never) ? '' : ` (given as ${args.step ?? args.phase})`}: the scheduler deregisters and wipes its ZooKeeper state in that step; forced, they stay behind. Pass --force if you really mean it.`,
        );
      }
    }
    await this.confirm(
      `Force ${describeTarget(args.plan, args.phase, args.step)} to COMPLETE?`,
      'force-complete plan elements',
      flags.yes,
    );
    await this.runPlanCommand(
      { service: args.service, plan: args.plan, phase: args.phase, step: args.step, json: flags.json },
      'forceComplete',
      'forced to complete',
    );
  }

  private async forceStuck(
    service: string,
    planName: string,
    flags: { yes: boolean; json: boolean; 'dry-run': boolean },
  ): Promise<void> {
    const { scheduler, clients } = await this.scheduler();
    const { stuck, stuckUnknown } = await readPlanWithStuckSteps(scheduler, clients.mesos, service, planName);
    if (stuckUnknown) throw stuckUnknown;
    if (!flags.json) this.log(renderStuckSteps(stuck, this.outputWidth()));
    if (stuck.length === 0) {
      if (flags.json) this.printResult({ service, plan: planName }, ExitCode.OK);
      return;
    }
    if (flags['dry-run']) {
      if (flags.json) this.printResult({ service, plan: planName, stuck, result: 'dry-run' }, ExitCode.OK);
      else
        this.log(`Dry run: would force ${plural(stuck.length, 'step')} to COMPLETE, one by one; nothing was changed.`);
      return;
    }
    await this.confirm(
      `Force ${stuck.length === 1 ? 'this step' : `these ${stuck.length} steps`} to COMPLETE? ${FORCE_STUCK_MEANS}`,
      'force-complete stuck steps',
      flags.yes,
    );
    const forced = await forceCompleteSteps(scheduler, service, planName, stuck);
    const after = await scheduler.getPlan(service, planName);
    this.resultSoFar({ service, plan: planName, stuck, forced, status: after.plan.status ?? null });
    if (flags.json) {
      this.printResult({ service, plan: planName, stuck, forced, status: after.plan.status ?? null }, ExitCode.OK);
      return;
    }
    this.log(
      `Forced ${plural(forced.filter((step) => step.result === 'forced').length, 'step')} to complete${forced.some((step) => step.result === 'already-complete') ? ' (the others were already complete)' : ''}.`,
    );
    this.log(renderPlanTree(planName, after.plan));
    if (isUninstallPlan(after.plan)) {
      // Forcing alone leaves the scheduler to finish with nobody watching: a zombie and its znode may stay.
      this.logToStderr(
        `Note: this is an uninstall plan. What is left: the plan must finish, Cosmos (or this tool) must remove the scheduler app, and /dcos-service-<name> must be deleted. ` +
          `To finish the job and verify: dcos janitor uninstall ${service} --force-stuck`,
      );
    }
    this.setExitCode(ExitCode.OK);
  }
}

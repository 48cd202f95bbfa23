import { Args } from '@oclif/core';

import { PlanCommandBase } from '../../../cli/plan-command';

export default class PlanRestart extends PlanCommandBase {
  static summary = 'Restart a plan, phase or step: back to PENDING, backoff cleared.';
  static hiddenAliases = ['janitor:plan:force-restart'];
  static examples = [
    '<%= config.bin %> janitor plan restart kafka deploy',
    "<%= config.bin %> janitor plan restart kafka deploy broker 'kafka-0:[broker]'",
  ];
  static args = {
    service: PlanCommandBase.serviceArg,
    plan: PlanCommandBase.planArg,
    phase: Args.string({ description: 'Phase to restart.' }),
    step: Args.string({ description: 'Step to restart (needs the phase).' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PlanRestart);
    this.configure(flags);
    await this.runPlanCommand({ ...args, json: flags.json }, 'restart', 'restarted');
  }
}

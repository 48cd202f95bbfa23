import { Args } from '@oclif/core';

import { PlanCommandBase } from '../../../cli/plan-command';

export default class PlanPause extends PlanCommandBase {
  static summary = 'Pause (interrupt) a plan, or one of its phases.';
  static hiddenAliases = ['janitor:plan:interrupt'];
  static examples = [
    '<%= config.bin %> janitor plan pause kafka deploy',
    '<%= config.bin %> janitor plan pause kafka deploy broker',
  ];
  static args = {
    service: PlanCommandBase.serviceArg,
    plan: PlanCommandBase.planArg,
    phase: Args.string({ description: 'Phase to pause.' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PlanPause);
    this.configure(flags);
    await this.runPlanCommand({ ...args, json: flags.json }, 'interrupt', 'paused');
  }
}

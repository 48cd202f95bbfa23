import { Args } from '@oclif/core';

import { PlanCommandBase } from '../../../cli/plan-command';

export default class PlanResume extends PlanCommandBase {
  static summary = 'Resume (continue) a paused plan, or one of its phases.';
  static hiddenAliases = ['janitor:plan:continue'];
  static examples = ['<%= config.bin %> janitor plan resume kafka deploy'];
  static args = {
    service: PlanCommandBase.serviceArg,
    plan: PlanCommandBase.planArg,
    phase: Args.string({ description: 'Phase to resume.' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PlanResume);
    this.configure(flags);
    await this.runPlanCommand({ ...args, json: flags.json }, 'continue', 'resumed');
  }
}

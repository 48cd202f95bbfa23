import { PlanCommandBase } from '../../../cli/plan-command';

export default class PlanStop extends PlanCommandBase {
  static summary = 'Stop a plan: interrupt it and reset every step to PENDING.';
  static examples = ['<%= config.bin %> janitor plan stop kafka backup'];
  static args = { service: PlanCommandBase.serviceArg, plan: PlanCommandBase.planArg };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PlanStop);
    this.configure(flags);
    await this.runPlanCommand({ ...args, json: flags.json }, 'stop', 'stopped');
  }
}

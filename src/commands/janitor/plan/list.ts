import { PlanCommandBase } from '../../../cli/plan-command';
import { ExitCode } from '../../../errors';

export default class PlanList extends PlanCommandBase {
  static summary = "List an SDK service's plans.";
  static examples = [
    '<%= config.bin %> janitor plan list kafka',
    '<%= config.bin %> janitor plan list /data/kafka --json',
  ];
  static args = { service: PlanCommandBase.serviceArg };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PlanList);
    this.configure(flags);
    const plans = await (await this.scheduler()).scheduler.listPlans(args.service);
    if (flags.json) this.printResult({ service: args.service, plans }, ExitCode.OK);
    else this.log(plans.join('\n'));
  }
}

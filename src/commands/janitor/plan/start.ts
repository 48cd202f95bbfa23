import { Flags } from '@oclif/core';

import { PlanCommandBase } from '../../../cli/plan-command';
import { UsageError } from '../../../errors';

export default class PlanStart extends PlanCommandBase {
  static summary = 'Start a plan (a sidecar plan such as backup), with parameters as env.';
  static examples = ['<%= config.bin %> janitor plan start kafka backup -p S3_BUCKET=my-bucket'];
  static args = { service: PlanCommandBase.serviceArg, plan: PlanCommandBase.planArg };
  static flags = {
    param: Flags.string({ char: 'p', description: 'KEY=VALUE, passed to the plan (repeatable).', multiple: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PlanStart);
    this.configure(flags);
    const parameters: Record<string, string> = {};
    for (const pair of flags.param ?? []) {
      // Split on the first '=', as the SDK CLI does.
      const index = pair.indexOf('=');
      if (index <= 0) throw new UsageError(`-p '${pair}' is not KEY=VALUE: give e.g. -p S3_BUCKET=my-bucket.`);
      parameters[pair.slice(0, index)] = pair.slice(index + 1);
    }
    await this.runPlanCommand({ ...args, json: flags.json, parameters }, 'start', 'started');
  }
}

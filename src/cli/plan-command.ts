import { Args } from '@oclif/core';

import { SdkSchedulerClient, PlanCommand as SchedulerCommand } from '../clients/sdk-scheduler';
import { ExitCode } from '../errors';
import { JanitorCommand } from './janitor-command';
import { ClusterClients } from './session';
import { EMPTY_PLAN, PlanResult } from '../render/results';

/** What the `dcos janitor plan ...` commands share: the scheduler client and the SDK CLI's wording. */
export abstract class PlanCommandBase extends JanitorCommand<PlanResult> {
  static serviceArg = Args.string({ description: 'Service name, e.g. kafka or /data/kafka.', required: true });
  static planArg = Args.string({ description: 'Plan name, e.g. deploy.', required: true });

  /** One document for every plan verb (docs/json/plan.schema.json): what a verb does not fill stays null or empty. */
  protected override emptyResult(): PlanResult {
    return EMPTY_PLAN;
  }

  protected async scheduler(): Promise<{ scheduler: SdkSchedulerClient; clients: ClusterClients }> {
    const clients = await this.clusterClients();
    return { scheduler: new SdkSchedulerClient(clients.http, clients.marathon), clients };
  }

  /** Run one plan command and print the SDK CLI's sentence, or "already done" for a 208. */
  protected async runPlanCommand(
    options: {
      service: string;
      plan: string;
      phase?: string;
      step?: string;
      json: boolean;
      parameters?: Record<string, string>;
    },
    command: SchedulerCommand,
    pastTense: string,
  ): Promise<void> {
    const { scheduler } = await this.scheduler();
    const outcome = await scheduler.command(options.service, options.plan, command, {
      phase: options.phase,
      step: options.step,
      parameters: options.parameters,
    });
    const target = describeTarget(options.plan, options.phase, options.step);
    if (options.json) {
      this.printResult(
        {
          service: options.service,
          plan: options.plan,
          phase: options.phase ?? null,
          step: options.step ?? null,
          result: outcome.kind,
          message: outcome.message,
        },
        ExitCode.OK,
      );
      return;
    }
    if (outcome.kind === 'already-done') this.log(`${target}: already done (${outcome.message}); nothing to do.`);
    else this.log(`${target} has been ${pastTense}.`);
  }
}

/** `"deploy" plan`, `"deploy" plan: phase "p"`, `"deploy" plan: step "s" in phase "p"` (the SDK CLI's wording). */
export function describeTarget(plan: string, phase?: string, step?: string): string {
  if (phase !== undefined && step !== undefined) return `"${plan}" plan: step "${step}" in phase "${phase}"`;
  if (phase !== undefined) return `"${plan}" plan: phase "${phase}"`;
  return `"${plan}" plan`;
}

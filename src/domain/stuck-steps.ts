import { MesosClient } from '../clients/mesos';
import { SlavesResponse } from '../clients/mesos-schemas';
import { PlanRead, SdkSchedulerClient } from '../clients/sdk-scheduler';
import { SdkPlan } from '../clients/sdk-scheduler-schemas';
import { AuthError, StuckStep, UnexpectedResponseError } from '../errors';
import { reservationOf } from './resources';

/**
 * Unreserve steps that can never finish: during an SDK uninstall a step completes
 * only when the agent holding its resource offers it, and a gone agent never does
 * (docs/reference/sdk-plans.md §5.3). Only steps of unreserve phases are ever reported:
 * never `deregister`, never the whole plan (§5.5).
 */

export type { StuckStep };

const UNKNOWN_AGENT = 'UNKNOWN_AGENT';

/** `unreserve-resources` (SDK < 0.52) or `unreserve-resources-<hostname>` (>= 0.52). */
export function isUnreservePhase(name: string | undefined): boolean {
  return name === 'unreserve-resources' || (name?.startsWith('unreserve-resources-') ?? false);
}

export function findStuckSteps(plan: SdkPlan, slaves: SlavesResponse): StuckStep[] {
  const active = slaves.slaves.filter((agent) => agent.active);
  const hostnames = new Set(active.map((agent) => agent.hostname));
  // resource_id -> hostname, over the reservations registered, active agents hold.
  const resourceHosts = new Map<string, string>();
  for (const agent of active) {
    for (const resources of Object.values(agent.reserved_resources_full ?? {})) {
      for (const resource of resources) {
        const resourceId = reservationOf(resource).labels.resource_id;
        if (resourceId) resourceHosts.set(resourceId, agent.hostname);
      }
    }
  }
  const stuck: StuckStep[] = [];
  for (const phase of plan.phases ?? []) {
    if (!isUnreservePhase(phase.name)) continue;
    const phaseHost = phase.name?.startsWith('unreserve-resources-')
      ? phase.name.slice('unreserve-resources-'.length)
      : undefined;
    for (const step of phase.steps ?? []) {
      if (!step.name || step.status === 'COMPLETE') continue;
      const resourceId = step.name.startsWith('unreserve-') ? step.name.slice('unreserve-'.length) : undefined;
      const base = { phase: phase.name as string, step: step.name, status: step.status ?? '<UNKNOWN>', resourceId };
      if (phaseHost && phaseHost !== UNKNOWN_AGENT) {
        if (!hostnames.has(phaseHost)) {
          stuck.push({ ...base, agentHostname: phaseHost, reason: `agent ${phaseHost} is not registered (gone)` });
        }
        continue;
      }
      // The single legacy phase (or UNKNOWN_AGENT) does not name the host: a resource_id
      // that no registered agent holds belongs to a gone agent (derived, docs/reference/sdk-plans.md §5.3).
      if (resourceId && !resourceHosts.has(resourceId)) {
        stuck.push({ ...base, reason: 'its resource is on no registered agent (agent gone)' });
      }
    }
  }
  return stuck;
}

/**
 * The plan and its stuck steps, from one plan read and one agents read, made at once.
 * The plan does not need Mesos (the SDK CLI reads only the scheduler): when the agents
 * cannot be read (a token allowed only on the service: 403; no Mesos route: 404),
 * the plan is still returned and `stuckUnknown` is the error that says why the stuck steps
 * are not known (thrown by whoever needs them).
 */
export async function readPlanWithStuckSteps(
  scheduler: SdkSchedulerClient,
  mesos: MesosClient,
  service: string,
  planName: string,
): Promise<{ read: PlanRead; stuck: StuckStep[]; stuckUnknown?: AuthError | UnexpectedResponseError }> {
  const [read, slaves] = await Promise.all([
    scheduler.getPlan(service, planName),
    mesos.getAgents().catch((error: unknown) => {
      if (error instanceof AuthError || error instanceof UnexpectedResponseError) return error;
      throw error;
    }),
  ]);
  if (slaves instanceof Error) return { read, stuck: [], stuckUnknown: slaves };
  return { read, stuck: findStuckSteps(read.plan, slaves) };
}

export interface ForcedStep {
  phase: string;
  step: string;
  result: 'forced' | 'already-complete';
}

/** Force-complete exactly these steps, one by one and by name; a 208 (already complete) counts as done. */
export async function forceCompleteSteps(
  scheduler: SdkSchedulerClient,
  service: string,
  planName: string,
  steps: StuckStep[],
): Promise<ForcedStep[]> {
  const forced: ForcedStep[] = [];
  for (const stuck of steps) {
    const outcome = await scheduler.command(service, planName, 'forceComplete', {
      phase: stuck.phase,
      step: stuck.step,
    });
    forced.push({
      phase: stuck.phase,
      step: stuck.step,
      result: outcome.kind === 'done' ? 'forced' : 'already-complete',
    });
  }
  return forced;
}

/**
 * An SDK uninstall plan (it ends with deregister-service). Its stuck steps are finished by
 * `dcos janitor uninstall NAME --force-stuck`, which forces them, follows the plan to the end,
 * removes a zombie scheduler and deletes the znode: forcing the steps alone leaves the rest to
 * a Cosmos loop that may be gone.
 */
export function isUninstallPlan(plan: SdkPlan): boolean {
  return (plan.phases ?? []).some((phase) => phase.name === 'deregister-service');
}

/** The one command that finishes the job for stuck steps of this plan. */
export function stuckStepsRemedy(service: string, planName: string, plan: SdkPlan): string {
  return isUninstallPlan(plan) && planName === 'deploy'
    ? `dcos janitor uninstall ${service} --force-stuck`
    : `dcos janitor plan force-complete ${service} ${planName} --stuck`;
}

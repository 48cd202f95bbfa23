import { PlanFileRefusedError } from '../errors';
import { plural } from '../text';
import { JanitorAction } from './actions';
import { Progress } from './progress';
import { reservationOf, resourceKey } from './resources';
import { roleMatches } from './selection';
import { ActionOptions, ActionResult, runAction } from './run-action';
import {
  Drift,
  ObserveContext,
  Observation,
  OperationKind,
  PlannedOperation,
  PlannedStep,
  SavedPlan,
  StepComparison,
  allowListOf,
  compareStep,
  observeStep,
} from './saved-plan';
import { UninstallClients } from './uninstall';

/**
 * `dcos janitor apply FILE` (docs/plan-files.md): the saved plan against the cluster now. Only a
 * plan whose cluster is the same, whose age is within --max-age and that shows no drift is
 * applied; then only its pending operations are sent, and a read after the act says what is done.
 */

export interface StepState {
  index: number;
  comparison: StepComparison;
  observation: Observation;
}

/** Refused when the plan was made for another cluster: by Admin Router's id when both have one, else by URL. */
export function checkSameCluster(plan: SavedPlan, now: { url: string; id: string | null }): void {
  const saved = plan.cluster;
  if (saved.id && now.id) {
    if (saved.id === now.id) return;
    throw new PlanFileRefusedError(
      `The plan was made for cluster ${saved.id} (${saved.url}), and this is cluster ${now.id} (${now.url}): nothing was sent. Attach the right cluster ('dcos cluster attach'), or make a new dry run here.`,
    );
  }
  if (sameUrl(saved.url, now.url)) return;
  throw new PlanFileRefusedError(
    `The plan was made for ${saved.url}, and this run talks to ${now.url}: nothing was sent. Attach the right cluster ('dcos cluster attach'), or make a new dry run here.`,
  );
}

function sameUrl(a: string, b: string): boolean {
  const normal = (url: string) => {
    try {
      const parsed = new URL(url);
      return `${parsed.protocol}//${parsed.host.toLowerCase()}${parsed.pathname.replace(/\/+$/, '')}`;
    } catch {
      return url.replace(/\/+$/, '');
    }
  };
  return normal(a) === normal(b);
}

/** Refused when older than maxAgeMs (or dated in the future beyond a clock's drift). */
export function checkAge(plan: SavedPlan, nowMs: number, maxAgeMs: number, maxAgeText: string): number {
  const created = Date.parse(plan.createdAt);
  if (!Number.isFinite(created))
    throw new PlanFileRefusedError(
      `The plan's createdAt '${plan.createdAt}' is not a time: make a new dry run with --out.`,
    );
  const ageMs = nowMs - created;
  if (ageMs < -5 * 60_000)
    throw new PlanFileRefusedError(
      `The plan is dated ${plan.createdAt}, in the future of this machine's clock: check the clocks, or make a new dry run.`,
    );
  if (ageMs > maxAgeMs)
    throw new PlanFileRefusedError(
      `The plan is ${describeAge(ageMs)} old, older than --max-age ${maxAgeText}: nothing was sent. Make a new dry run with --out and have it reviewed, or pass a larger --max-age if the review took that long.`,
    );
  return Math.max(0, Math.round(ageMs / 1000));
}

export function describeAge(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'less than a minute';
  if (minutes < 120) return plural(Math.max(0, minutes), 'minute');
  const hours = Math.round(minutes / 60);
  return hours < 72 ? plural(hours, 'hour') : plural(Math.round(hours / 24), 'day');
}

/**
 * A plan is read, never trusted to be what its dry run wrote: every resource it would destroy or
 * unreserve must be of its step's own target (role and principal), and its key the resource's.
 * A plan changed by hand to take another service's reservation is refused before any read.
 */
export function checkConsistent(plan: SavedPlan): void {
  for (const [index, step] of plan.steps.entries()) {
    const target = step.facts.target;
    for (const operation of step.operations) {
      if (operation.op !== 'destroy-volume' && operation.op !== 'unreserve') continue;
      const resource = operation.resource;
      const owner = resource ? reservationOf(resource) : undefined;
      const ofTarget =
        resource !== undefined &&
        owner !== undefined &&
        target !== null &&
        owner.kind === 'dynamic' &&
        roleMatches(owner.role, owner.depth, target.roles) &&
        owner.principal !== undefined &&
        target.principals.includes(owner.principal) &&
        operation.key === resourceKey(resource);
      if (!ofTarget)
        throw new PlanFileRefusedError(
          `Step ${index + 1} of the plan would ${operation.op} ${operation.key ?? 'a resource'} on ${operation.hostname ?? operation.agentId ?? '?'}, which is not of its target (${target ? `role ${target.roles.join(', ')}, principal ${target.principals.join(', ')}` : 'none'}): the plan was changed after its dry run; nothing was sent. Make a new dry run with --out.`,
        );
    }
  }
}

/** Each step observed now as it was when the plan was saved, and compared. */
export async function compareWithCluster(
  clients: UninstallClients,
  plan: SavedPlan,
  context: ObserveContext,
): Promise<StepState[]> {
  const states: StepState[] = [];
  for (const [index, step] of plan.steps.entries()) {
    const observation = await observeStep(clients, step.action, step.keepApp, context, step);
    states.push({ index, observation, comparison: compareStep(step, observation, index) });
  }
  return states;
}

export function driftOf(states: StepState[]): Drift[] {
  return states.flatMap((state) => state.comparison.drift);
}

export interface AppliedStep {
  index: number;
  result: ActionResult['result'] | 'already-done';
  detail?: string;
}

/** The steps with pending operations, in order, each held to its own pending resources. */
export async function applyPending(
  clients: UninstallClients,
  plan: SavedPlan,
  states: StepState[],
  options: ActionOptions,
  progress: Progress,
  onStep: (applied: AppliedStep) => void,
): Promise<void> {
  for (const state of states) {
    const step = plan.steps[state.index];
    if (state.comparison.pending.length === 0) {
      onStep({ index: state.index, result: 'already-done' });
      continue;
    }
    progress.step(`Applying step ${state.index + 1}/${plan.steps.length}: ${step.command}`);
    const result = await runAction(
      clients,
      actionFor(step, state),
      {
        ...options,
        keepApp: step.keepApp,
        cleanup: { ...options.cleanup, only: allowListOf(state.comparison.pending) },
        onlyFrameworkIds: new Set(
          state.comparison.pending.flatMap((operation) =>
            operation.op === 'teardown' ? [operation.frameworkId ?? ''] : [],
          ),
        ),
      },
      progress,
    );
    onStep({ index: state.index, ...result });
  }
}

/**
 * What runs for a step: its action; for a teardown whose framework is already gone and whose
 * cleanup is not, the saved cleanup itself (Mesos may have forgotten the completed framework).
 */
function actionFor(step: PlannedStep, state: StepState): JanitorAction {
  const frameworkWork = state.comparison.pending.some(
    (operation) => operation.op === 'teardown' || operation.op === 'remove-app',
  );
  if (step.action.kind === 'teardown' && !frameworkWork && step.cleanupRequest)
    return { kind: 'cleanup', request: step.cleanupRequest };
  return step.action;
}

export type OperationCounts = Record<OperationKind, number>;

export function countOperations(operations: PlannedOperation[]): OperationCounts {
  const counts: OperationCounts = {
    'remove-app': 0,
    'uninstall-package': 0,
    teardown: 0,
    'destroy-volume': 0,
    unreserve: 0,
    'delete-znode': 0,
  };
  for (const operation of operations) counts[operation.op]++;
  return counts;
}

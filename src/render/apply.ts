import { OperationCounts, StepState, describeAge } from '../domain/apply';
import { Drift, PlannedOperation, SavedPlan, describeOperation } from '../domain/saved-plan';
import { plural } from '../text';
import { ViewOptions } from './cleanup';

/** Text views of `apply`: the saved plan, what the cluster shows of it now, and the result. */

const LISTED = 12;

export function renderSavedPlan(plan: SavedPlan, file: string, ageSeconds: number, view: ViewOptions): string {
  const cluster = plan.cluster.id ? `${plan.cluster.url} (cluster ${plan.cluster.id})` : plan.cluster.url;
  const lines = [
    `Plan ${file}: made by 'dcos janitor ${plan.command.name}' ${describeAge(ageSeconds * 1000)} ago (${plan.createdAt}), dcos-janitor ${plan.toolVersion}, for ${cluster}.`,
  ];
  for (const [index, step] of plan.steps.entries()) {
    lines.push(`  ${index + 1}. ${step.command}${step.keepApp ? ' --keep-app' : ''}`);
    lines.push(...operationLines(step.operations, view.wide, '       '));
  }
  if (plan.steps.length === 0) lines.push('  (no steps: the dry run found nothing to change)');
  return lines.join('\n');
}

function operationLines(operations: PlannedOperation[], wide: boolean, indent: string): string[] {
  const shown = wide ? operations : operations.slice(0, LISTED);
  const lines = shown.map(
    (operation) =>
      `${indent}${operation.by === 'scheduler' ? '(by the scheduler) ' : ''}${verb(operation)} ${describeOperation(operation)}${operation.hostname ? ` on ${operation.hostname}` : ''}`,
  );
  if (shown.length < operations.length)
    lines.push(
      `${indent}... and ${plural(operations.length - shown.length, 'more operation')} (--wide lists every one)`,
    );
  return lines;
}

function verb(operation: PlannedOperation): string {
  switch (operation.op) {
    case 'destroy-volume':
      return 'destroy';
    case 'unreserve':
      return 'unreserve';
    case 'remove-app':
      return 'remove';
    case 'uninstall-package':
      return 'uninstall';
    case 'teardown':
      return 'tear down';
    case 'delete-znode':
      return 'delete';
  }
}

export function renderComparison(states: StepState[], wide: boolean): string {
  const lines = ['The cluster now:'];
  for (const state of states) {
    const { done, pending } = state.comparison;
    lines.push(
      `  ${state.index + 1}. ${plural(done.length, 'operation')} already done, ${plural(pending.length, 'operation')} to apply`,
    );
  }
  const drift = states.flatMap((state) => state.comparison.drift);
  if (drift.length > 0) lines.push('', renderDrift(drift, wide));
  return lines.join('\n');
}

export function renderDrift(drift: Drift[], wide: boolean): string {
  const shown = wide ? drift : drift.slice(0, LISTED);
  const lines = [`Drift: the cluster is not what the plan saw (${plural(drift.length, 'difference')}):`];
  for (const item of shown) lines.push(`  step ${item.step + 1}, ${item.kind}: ${item.detail}`);
  if (shown.length < drift.length) lines.push(`  ... and ${drift.length - shown.length} more (--wide lists every one)`);
  return lines.join('\n');
}

/** "3 volumes destroyed, 12 resources unreserved, ...": only kinds that happened. */
export function describeCounts(counts: OperationCounts): string {
  const parts: string[] = [];
  if (counts['uninstall-package']) parts.push(`${plural(counts['uninstall-package'], 'package')} uninstalled`);
  if (counts['remove-app']) parts.push(`${plural(counts['remove-app'], 'Marathon app')} removed`);
  if (counts.teardown) parts.push(`${plural(counts.teardown, 'framework')} torn down`);
  if (counts['destroy-volume']) parts.push(`${plural(counts['destroy-volume'], 'volume')} destroyed`);
  if (counts.unreserve) parts.push(`${plural(counts.unreserve, 'resource')} unreserved`);
  if (counts['delete-znode']) parts.push(`${plural(counts['delete-znode'], 'ZooKeeper node')} deleted`);
  return parts.length > 0 ? parts.join(', ') : 'nothing';
}

export function renderRemaining(states: StepState[], wide: boolean): string {
  const lines = ['Still on the cluster, of the plan:'];
  for (const state of states) {
    const left = [...state.comparison.pending, ...state.comparison.unsettled];
    if (left.length === 0) continue;
    lines.push(`  step ${state.index + 1}:`, ...operationLines(left, wide, '    '));
  }
  return lines.join('\n');
}

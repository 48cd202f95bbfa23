import { FrameworkView, RemainingReservations, TeardownOutcome } from '../domain/teardown';
import { plural, wrap } from '../text';
import { Column, renderColumns, renderKeyValues, terminalWidth } from './columns';

/** Text views of `teardown`: one key/value table per framework, then outcomes and what is left. */

export function renderFramework(view: FrameworkView, width = terminalWidth()): string {
  const states = Object.entries(view.taskStates)
    .map(([state, count]) => `${count} ${state}`)
    .join(', ');
  const app = view.app
    ? `${view.app.id}: ${view.app.tasksRunning}/${view.app.instances} running${view.app.tasksStaged ? `, ${view.app.tasksStaged} staged` : ''}${view.app.deployments ? `, ${plural(view.app.deployments, 'deployment')}` : ''}`
    : 'none';
  const pairs: Array<[string, string]> = [
    ['Framework', view.name],
    ['ID', view.id],
    ['Roles', view.roles.join(', ') || '-'],
    ['Principal', view.principal ?? '-'],
    ['State', frameworkState(view)],
    ['Tasks', view.tasks > 0 ? `${view.tasks} (${states})` : '0'],
    ['Agents', view.agents.join(', ') || '-'],
    ['Registered', view.registeredTime ?? '-'],
    ['Unregistered', view.unregisteredTime ?? '-'],
    ['Marathon app', app],
  ];
  if (view.orphanReasons.length > 0) pairs.push(['Looks orphaned', view.orphanReasons.join(', ')]);
  return renderKeyValues(pairs, width);
}

export function frameworkState(view: FrameworkView): string {
  if (view.completed) return 'completed (already torn down)';
  const state = view.active ? (view.connected ? 'active, connected' : 'active, disconnected') : 'inactive';
  return `${state}${view.system ? ', DC/OS system framework' : ''}${view.live ? ', LIVE: running tasks and a connected scheduler' : ''}`;
}

export function renderCandidates(candidates: FrameworkView[], width = terminalWidth(), wide = false): string {
  if (candidates.length === 0) {
    return wrap(
      'No orphaned frameworks: every registered framework has a connected scheduler, or a Marathon app that relaunches it (DC/OS system frameworks are never listed).',
      width,
    );
  }
  // At 80 columns the decisive cells stay whole: why (short words), the name, and the id to copy;
  // roles and principal come with --wide.
  const columns: Column[] = [
    { header: 'Name', shrink: 2, min: 10 },
    { header: 'Tasks', align: 'right', shrink: 0 },
    { header: 'Scheduler', shrink: 0 },
    ...(wide
      ? [
          { header: 'Roles', shrink: 0 },
          { header: 'Principal', shrink: 0 },
        ]
      : []),
    { header: 'ID', shrink: 0 },
  ];
  const rows = candidates.map((view) => [
    view.name,
    String(view.tasks),
    // Every listed one has no app to relaunch it (the title says so): the cell says how its scheduler went.
    view.orphanReasons.filter((reason) => reason !== 'no Marathon app launches it').join(', '),
    ...(wide ? [view.roles.join(', ') || '-', view.principal ?? '-'] : []),
    view.id,
  ]);
  return `Frameworks that look orphaned (scheduler gone, no app to relaunch it):\n${renderColumns(columns, rows, width)}`;
}

export function renderOutcome(outcome: TeardownOutcome): string {
  const app = outcome.appRemoved
    ? `Marathon app ${outcome.appRemoved} removed; `
    : outcome.appKept
      ? `Marathon app ${outcome.appKept} KEPT (it will relaunch the scheduler); `
      : '';
  const result = outcome.result === 'torn-down' ? `torn down in ${outcome.seconds} s` : 'was already torn down';
  return `${app}framework ${outcome.name} (${outcome.id}) ${result}.`;
}

export function renderRemaining(remaining: RemainingReservations[], width = terminalWidth()): string {
  return remaining
    .map(
      (left) =>
        wrap(
          `Reservations of role ${left.roles.join(', ')} (principal ${left.principal}) remain: ${plural(left.resources, 'resource')}, ${plural(left.volumes, 'volume')}, on ${plural(left.agents, 'agent')}.`,
          width,
        ) + (left.cleanup ? `\n${wrap(`  Clean them with: ${left.cleanup}`, width, '    ')}` : ''),
    )
    .join('\n');
}

import Table from 'cli-table3';

import { FrameworkView, RemainingReservations, TeardownOutcome } from '../domain/teardown';

/** Text views of `teardown`: one key/value table per framework, then outcomes and what is left. */

export function renderFramework(view: FrameworkView): string {
  const table = new Table({ style: { head: [], border: [] }, wordWrap: true, colWidths: [16, 70] });
  const states = Object.entries(view.taskStates).map(([state, count]) => `${count} ${state}`).join(', ');
  const app = view.app
    ? `${view.app.id}: ${view.app.tasksRunning}/${view.app.instances} running${view.app.tasksStaged ? `, ${view.app.tasksStaged} staged` : ''}${view.app.deployments ? `, ${view.app.deployments} deployment(s)` : ''}`
    : 'none';
  table.push(
    { Framework: view.name },
    { ID: view.id },
    { 'Role(s)': view.roles.join(', ') || '-' },
    { Principal: view.principal ?? '-' },
    { State: frameworkState(view) },
    { Tasks: view.tasks > 0 ? `${view.tasks} (${states})` : '0' },
    { Agents: view.agents.join(', ') || '-' },
    { Registered: view.registeredTime ?? '-' },
    { Unregistered: view.unregisteredTime ?? '-' },
    { 'Marathon app': app },
  );
  if (view.orphanReasons.length > 0) table.push({ 'Looks orphaned': view.orphanReasons.join(', ') });
  return table.toString();
}

export function frameworkState(view: FrameworkView): string {
  if (view.completed) return 'completed (already torn down)';
  const state = view.active ? (view.connected ? 'active, connected' : 'active, disconnected') : 'inactive';
  return `${state}${view.system ? ', DC/OS system framework' : ''}${view.live ? ', LIVE: running tasks and a connected scheduler' : ''}`;
}

export function renderCandidates(candidates: FrameworkView[]): string {
  if (candidates.length === 0) return 'No orphaned frameworks: every registered framework is active, connected and launched by a Marathon app (or is a DC/OS system framework).';
  const table = new Table({ head: ['ID', 'Name', 'Role(s)', 'Principal', 'Tasks', 'Why it looks orphaned'], style: { head: [], border: [] }, wordWrap: true });
  for (const view of candidates) table.push([view.id, view.name, view.roles.join(', '), view.principal ?? '-', String(view.tasks), view.orphanReasons.join(', ')]);
  return `Frameworks that look orphaned:\n${table.toString()}`;
}

export function renderOutcome(outcome: TeardownOutcome): string {
  const app = outcome.appRemoved ? `Marathon app ${outcome.appRemoved} removed; ` : outcome.appKept ? `Marathon app ${outcome.appKept} KEPT (it will relaunch the scheduler); ` : '';
  const result = outcome.result === 'torn-down' ? `torn down in ${outcome.seconds} s` : 'was already torn down';
  return `${app}framework ${outcome.name} (${outcome.id}) ${result}.`;
}

export function renderRemaining(remaining: RemainingReservations[]): string {
  return remaining
    .map(
      (left) =>
        `Reservations of role ${left.roles.join(', ')} (principal ${left.principal}) remain: ${left.resources} resource(s), ${left.volumes} volume(s), on ${left.agents} agent(s).` +
        (left.cleanup ? `\n  Clean them with: ${left.cleanup}` : ''),
    )
    .join('\n');
}

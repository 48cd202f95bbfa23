import Table from 'cli-table3';

import { StuckStep } from '../domain/stuck-steps';

export function renderStuckSteps(stuck: StuckStep[]): string {
  if (stuck.length === 0) return 'No stuck steps: every unfinished unreserve step waits for an agent that is registered.';
  const table = new Table({ head: ['Phase', 'Step', 'Status', 'Why it cannot finish'], style: { head: [], border: [] }, wordWrap: true });
  for (const step of stuck) table.push([step.phase, step.step, step.status, step.reason]);
  return `${stuck.length} stuck step(s):\n${table.toString()}`;
}

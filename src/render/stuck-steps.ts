import { StuckStep } from '../domain/stuck-steps';
import { plural, wrap } from '../text';
import { terminalWidth } from './columns';

/**
 * Grouped by phase and reason, one step per line: step names stay whole (they are
 * what `plan force-complete` takes), so no table cuts them to fit.
 */
export function renderStuckSteps(stuck: StuckStep[], width = terminalWidth()): string {
  if (stuck.length === 0)
    return wrap('No stuck steps: every unfinished unreserve step waits for an agent that is registered.', width);
  const groups = new Map<string, StuckStep[]>();
  for (const step of stuck) {
    const key = `${step.phase}\u0000${step.reason}`;
    groups.set(key, [...(groups.get(key) ?? []), step]);
  }
  const lines = [`${plural(stuck.length, 'stuck step')}:`];
  for (const steps of groups.values()) {
    lines.push(wrap(`  phase ${steps[0].phase}: ${steps[0].reason}`, width, '      '));
    for (const step of steps) lines.push(`    ${step.step} (${step.status})`);
  }
  return lines.join('\n');
}

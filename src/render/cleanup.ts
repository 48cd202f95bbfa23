import { actionCommand } from '../domain/actions';
import { AgentCleanup, SKIP_REASON_TEXT, SkipReason } from '../domain/selection';
import { CleanupOutcome, CleanupPlan, Leftover, Verification, planTotals } from '../domain/cleanup';
import { describeResource, summariseResources } from '../domain/resources';
import { plural, wrap, wrapCommand } from '../text';
import { Column, OutputGeometry, renderColumns, terminalWidth } from './columns';

/** Text and JSON views of a cleanup; no logic beyond presentation. */

export interface ViewOptions {
  /** Fit to this many columns (the terminal's). */
  width: number;
  /** Every row, agent ids too, nothing cut (--wide). */
  wide: boolean;
  /** Rows shown before "... and N more" (about a screenful). */
  maxRows: number;
}

/** How to fit output to `stream` (the command's stdout: a terminal, or a pipe with no width). */
export function viewOptions(wide = false, stream: OutputGeometry = process.stdout): ViewOptions {
  // In a pipe every row is written: only a terminal gets a screenful and "... and N more".
  return {
    width: wide ? Number.MAX_SAFE_INTEGER : terminalWidth(stream),
    wide,
    maxRows: stream.isTTY ? 20 : Number.MAX_SAFE_INTEGER,
  };
}

export function renderCleanupPlan(plan: CleanupPlan, view: ViewOptions = viewOptions()): string {
  const lines: string[] = [];
  const say = (text: string, indent = '  ') => lines.push(wrap(text, view.width, indent));
  const { target } = plan;
  lines.push(target.serviceName ? `Cleanup plan for service '${target.serviceName}'` : 'Cleanup plan');
  for (const note of plan.targetNotes) say(`  ${note}`, '    ');
  if (target.frameworkIds.length > 0) say(`  framework_id labels accepted: ${target.frameworkIds.join(', ')}`, '    ');

  const totals = planTotals(plan);
  if (target.roles.length > 0) {
    const holding = plan.agents.filter(
      (agent) => agent.volumes.length + agent.reservations.length + agent.inUse.length > 0,
    ).length;
    lines.push('');
    say(
      `Read ${plural(plan.agentsRead, 'agent')}; ${holding} hold resources of role ${target.roles.join(', ')} with principal ${target.principals.join(' or ')}.`,
    );
    if (plan.agents.length > 0) lines.push(agentTable(plan.agents, view));
    const parts = [
      `destroy ${plural(totals.volumes, 'volume')}`,
      `unreserve ${plural(totals.resources, 'resource')} on ${plural(totals.agents, 'agent')}`,
    ];
    if (totals.volumes > 0 && totals.resources > 0) {
      parts[1] += ` (${plural(totals.reservations, 'reservation')} and the disk of ${totals.volumes === 1 ? 'the destroyed volume' : `each of the ${totals.volumes} destroyed volumes`})`;
    }
    if (totals.inUse > 0) parts.push(`${totals.inUse} in use, not sent`);
    if (totals.skipped > 0) parts.push(`${totals.skipped} skipped`);
    say(`Totals: ${parts.join('; ')}.`);
  }
  if (plan.znode) {
    const state = plan.znode.present ? 'present' : 'absent';
    say(
      plan.znode.action === 'delete'
        ? `ZooKeeper: delete /${plan.znode.node} (${state}) through Exhibitor, after the resources.`
        : `ZooKeeper: keep /${plan.znode.node} (${state}): ${plan.znode.reason}.`,
    );
  }
  for (const framework of plan.frameworks) {
    const state = framework.active ? (framework.connected ? 'active, connected' : 'active, disconnected') : 'inactive';
    say(
      `Framework ${framework.name} (${framework.id}) holds the role: ${state}, ${plural(framework.taskCount, 'task')}.`,
    );
  }
  const unregistered = plan.unregisteredAgents;
  for (const agent of unregistered.slice(0, view.wide ? unregistered.length : 5)) {
    say(
      `Agent ${agent.id}${agent.hostname ? ` (${agent.hostname})` : ''} is not registered: not visible, not cleanable now.`,
    );
  }
  if (!view.wide && unregistered.length > 5)
    lines.push(`... and ${plural(unregistered.length - 5, 'more unregistered agent')}`);
  for (const blocker of plan.blockers) {
    say(`Blocked: ${blocker.reason}`);
    // The command that unblocks goes on a line of its own, whole: it is meant to be copied.
    if (blocker.next) lines.push(wrapCommand('    ', actionCommand(blocker.next), view.width, '        '));
  }
  const legend = skipLegend(plan);
  if (legend.length > 0) {
    lines.push('Skipped resources stay; why:');
    for (const line of legend) say(`  ${line}`, '    ');
  }
  return lines.join('\n');
}

/** One row per agent (a screenful unless --wide), then how many more. */
export function agentTable(agents: AgentCleanup[], view: ViewOptions = viewOptions()): string {
  const columns: Column[] = [
    ...(view.wide ? [{ header: 'Agent ID', shrink: 0 }] : []),
    { header: 'Host', shrink: 1, min: 12 },
    { header: 'Volumes', shrink: 2 },
    { header: 'Unreserve', shrink: 3, min: 12 },
    { header: 'In use', shrink: 2 },
    { header: 'Skipped', shrink: 2, min: 8 },
  ];
  const shown = view.wide ? agents : agents.slice(0, view.maxRows);
  const rows = shown.map((agent) => [
    ...(view.wide ? [agent.agentId] : []),
    agent.hostname,
    agent.volumes.length > 0 ? `${agent.volumes.length}: ${summariseResources(agent.volumes)}` : '-',
    agent.reservations.length > 0 ? summariseResources(agent.reservations) : '-',
    agent.inUse.length > 0 ? summariseResources(agent.inUse) : '-',
    skippedSummary(agent),
  ]);
  const table = renderColumns(columns, rows, view.width);
  const hidden = agents.length - shown.length;
  return hidden > 0 ? `${table}\n... and ${plural(hidden, 'more agent')} (--wide or --json for all)` : table;
}

function skippedSummary(agent: AgentCleanup): string {
  if (agent.skipped.length === 0) return '-';
  const byReason = new Map<SkipReason, number>();
  for (const skipped of agent.skipped) byReason.set(skipped.reason, (byReason.get(skipped.reason) ?? 0) + 1);
  return [...byReason].map(([reason, n]) => `${n} ${reason}`).join(', ');
}

function skipLegend(plan: CleanupPlan): string[] {
  const reasons = new Set<SkipReason>();
  for (const agent of plan.agents) for (const skipped of agent.skipped) reasons.add(skipped.reason);
  return [...reasons].map((reason) => `${reason}: ${SKIP_REASON_TEXT[reason]}`);
}

export function renderCleanupOutcome(
  outcome: CleanupOutcome,
  verification: Verification,
  view: ViewOptions = viewOptions(),
): string {
  const lines: string[] = [];
  lines.push(
    wrap(
      `Destroyed ${plural(outcome.volumesDestroyed, 'volume')} and unreserved ${plural(outcome.resourcesUnreserved, 'resource')} on ${plural(outcome.agentsTouched, 'agent')}; ZooKeeper node ${znodeText(outcome.znode)}.`,
      view.width,
    ),
  );
  if (outcome.unknown > 0) {
    lines.push(
      wrap(
        `${plural(outcome.unknown, 'volume or resource was', 'volumes and resources were')} sent to agents that are no longer registered: whether they went is unknown.`,
        view.width,
        '  ',
      ),
    );
  }
  for (const failure of outcome.failures) {
    lines.push(
      wrap(
        `Failed: ${failure.operation} ${failure.resource}${failure.hostname ? ` on ${failure.hostname}` : ''}: ${failure.message} (${failure.hint})`,
        view.width,
        '    ',
      ),
    );
  }
  lines.push(renderVerification(verification, view));
  return lines.join('\n');
}

/** The leftovers, or "Verified", then the agents nothing could be said of. */
export function renderVerification(
  verification: Verification,
  view: ViewOptions = viewOptions(),
  what = 'the target',
): string {
  const lines = [
    verification.leftovers.length === 0
      ? `Verified: nothing of ${what} is left on the cluster.`
      : renderLeftovers(verification.leftovers, view),
  ];
  const unseen = verification.unverifiableAgents;
  if (unseen.length > 0) {
    const hosts = unseen
      .slice(0, 5)
      .map((agent) => agent.hostname ?? agent.id)
      .join(', ');
    lines.push(
      wrap(
        `Warning: ${plural(unseen.length, 'agent is', 'agents are')} known to the master but not registered (${hosts}${unseen.length > 5 ? ', ...' : ''}): what ${unseen.length === 1 ? 'it holds' : 'they hold'} cannot be seen, so the verification says nothing of ${unseen.length === 1 ? 'it' : 'them'}. Run it again when ${unseen.length === 1 ? 'it returns' : 'they return'}.`,
        view.width,
        '  ',
      ),
    );
  }
  return lines.join('\n');
}

/**
 * What the verification found, grouped by the command that removes it (a thousand
 * reservations left by one cause get one next step), a screenful unless --wide.
 */
export function renderLeftovers(leftovers: Leftover[], view: ViewOptions = viewOptions()): string {
  if (leftovers.length === 0) return 'Verified: nothing of the target is left on the cluster.';
  const lines = [`Verification found ${plural(leftovers.length, 'leftover')}:`];
  const byHint = new Map<string, Leftover[]>();
  for (const leftover of leftovers) byHint.set(leftover.hint, [...(byHint.get(leftover.hint) ?? []), leftover]);
  let shown = 0;
  for (const [hint, group] of byHint) {
    for (const leftover of group) {
      if (!view.wide && shown >= view.maxRows) break;
      const where = leftover.hostname ?? leftover.agentId;
      lines.push(
        wrap(
          `  ${leftover.kind}${where ? ` on ${view.wide && leftover.agentId ? `${where} (${leftover.agentId})` : where}` : ''}: ${leftover.detail}`,
          view.width,
          '      ',
        ),
      );
      shown++;
    }
    lines.push(
      /^dcos janitor /.test(hint)
        ? wrapCommand('    next: ', hint, view.width, '          ')
        : wrap(`    next: ${hint}`, view.width, '      '),
    );
  }
  if (shown < leftovers.length)
    lines.push(`  ... and ${plural(leftovers.length - shown, 'more leftover')} (--wide or --json for all)`);
  return lines.join('\n');
}

function znodeText(state: CleanupOutcome['znode']): string {
  switch (state) {
    case 'deleted':
      return 'deleted';
    case 'absent':
      return 'already absent';
    case 'kept':
      return 'kept';
    case 'failed':
      return 'NOT deleted';
    case 'not-requested':
      return 'not asked for';
  }
}

/**
 * An app's environment as --json (and the run history) show it: the names, and the values of
 * the variables DC/OS and the SDK set; any other value may be a password an operator put
 * there, and is never printed or written down.
 */
export function publicEnv(env: Record<string, unknown>): Record<string, unknown> {
  const shown =
    /^(SDK_UNINSTALL|FRAMEWORK_NAME|FRAMEWORK_PRINCIPAL|FRAMEWORK_USER|PACKAGE_NAME|PACKAGE_VERSION|PACKAGE_BUILD_TIME_EPOCH_MS)$/;
  return Object.fromEntries(
    Object.entries(env).map(([name, value]) => [name, shown.test(name) ? value : '<redacted>']),
  );
}

/** The one JSON object `cleanup --json` prints; keys are stable for CI. */
export function cleanupJson(
  plan: CleanupPlan,
  dryRun: boolean,
  exitCode: number,
  outcome?: CleanupOutcome,
  verification?: Verification,
) {
  return {
    command: 'cleanup',
    dryRun,
    exitCode,
    target: {
      serviceName: plan.target.serviceName ?? null,
      roles: plan.target.roles,
      principals: plan.target.principals,
      zkNode: plan.target.zkNode ?? null,
      frameworkIds: plan.target.frameworkIds,
      notes: plan.targetNotes,
    },
    plan: {
      agentsRead: plan.agentsRead,
      totals: planTotals(plan),
      agents: plan.agents.map((agent) => ({
        agentId: agent.agentId,
        hostname: agent.hostname,
        volumes: agent.volumes.map(describeResource),
        reservations: agent.reservations.map(describeResource),
        inUse: agent.inUse.map(describeResource),
        skipped: agent.skipped.map((skipped) => ({
          resource: describeResource(skipped.resource),
          reason: skipped.reason,
        })),
      })),
      unregisteredAgents: plan.unregisteredAgents,
      frameworks: plan.frameworks,
      marathonApp: plan.marathonApp ? { ...plan.marathonApp, env: publicEnv(plan.marathonApp.env) } : null,
      znode: plan.znode ?? null,
      blockers: plan.blockers.map((blocker) => ({
        reason: blocker.reason,
        next: blocker.next ? actionCommand(blocker.next) : null,
      })),
      warnings: plan.warnings,
    },
    outcome: outcome ?? null,
    verification: verification ?? null,
  };
}

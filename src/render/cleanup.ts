import Table from 'cli-table3';

import { AgentCleanup, SKIP_REASON_TEXT, SkipReason } from '../domain/cleanup-plan';
import { CleanupOutcome, CleanupPlan, Verification } from '../domain/cleanup';
import { describeResource, summariseResources } from '../domain/resources';

/** Text and JSON views of a cleanup; no logic beyond presentation. */

export function renderCleanupPlan(plan: CleanupPlan): string {
  const lines: string[] = [];
  const { target } = plan;
  lines.push(target.serviceName ? `Cleanup plan for service '${target.serviceName}'` : 'Cleanup plan');
  for (const note of plan.targetNotes) lines.push(`  ${note}`);
  if (target.frameworkIds.length > 0) lines.push(`  framework_id labels accepted: ${target.frameworkIds.join(', ')}`);

  if (target.roles.length > 0) {
    const withWork = plan.agents.filter((agent) => agent.volumes.length + agent.reservations.length + agent.inUse.length > 0);
    lines.push('', `Read ${plan.agentsRead} registered agent(s); ${withWork.length} hold resources of role ${target.roles.join(', ')} with principal ${target.principals.join(' or ')}.`);
    if (plan.agents.length > 0) lines.push(agentTable(plan.agents));
    const volumes = count(plan.agents, (agent) => agent.volumes.length);
    const reservations = count(plan.agents, (agent) => agent.reservations.length);
    lines.push(`Will destroy ${volumes} volume(s), then unreserve ${reservations} resource(s) and the disk under each destroyed volume.`);
  }
  if (plan.znode) {
    const state = plan.znode.present ? 'present' : 'absent';
    lines.push(
      plan.znode.action === 'delete'
        ? `ZooKeeper: delete /${plan.znode.node} (${state}) through Exhibitor, after the resources.`
        : `ZooKeeper: keep /${plan.znode.node} (${state}): ${plan.znode.reason}.`,
    );
  }
  for (const framework of plan.frameworks) {
    const state = framework.active ? (framework.connected ? 'active, connected' : 'active, disconnected') : 'inactive';
    lines.push(`Framework ${framework.name} (${framework.id}) holds the role: ${state}, ${framework.taskCount} task(s).`);
  }
  for (const agent of plan.unregisteredAgents) lines.push(`Agent ${agent.id}${agent.hostname ? ` (${agent.hostname})` : ''} is not registered: not visible, not cleanable now.`);
  for (const warning of plan.warnings) lines.push(`Warning: ${warning}.`);
  for (const blocker of plan.blockers) lines.push(`Blocked: ${blocker}`);
  return lines.join('\n');
}

export function agentTable(agents: AgentCleanup[]): string {
  const table = new Table({
    head: ['Agent', 'Host', 'Destroy volumes', 'Unreserve', 'In use (refused)', 'Skipped: not ours'],
    style: { head: [], border: [] },
    wordWrap: true,
  });
  for (const agent of agents) {
    table.push([
      agent.agentId,
      agent.hostname,
      agent.volumes.length > 0 ? `${agent.volumes.length}: ${summariseResources(agent.volumes)}` : '-',
      agent.reservations.length > 0 ? summariseResources(agent.reservations) : '-',
      agent.inUse.length > 0 ? summariseResources(agent.inUse) : '-',
      skippedSummary(agent),
    ]);
  }
  return table.toString();
}

function skippedSummary(agent: AgentCleanup): string {
  if (agent.skipped.length === 0) return '-';
  const byReason = new Map<SkipReason, number>();
  for (const skipped of agent.skipped) byReason.set(skipped.reason, (byReason.get(skipped.reason) ?? 0) + 1);
  return [...byReason].map(([reason, n]) => `${n} ${reason}`).join(', ');
}

export function renderSkipLegend(plan: CleanupPlan): string {
  const reasons = new Set(plan.agents.flatMap((agent) => agent.skipped.map((skipped) => skipped.reason)));
  return [...reasons].map((reason) => `  ${reason}: ${SKIP_REASON_TEXT[reason]}`).join('\n');
}

export function renderCleanupOutcome(outcome: CleanupOutcome, verification: Verification): string {
  const lines: string[] = [];
  lines.push(
    `Destroyed ${outcome.volumesDestroyed} volume(s) and unreserved ${outcome.resourcesUnreserved} resource(s) on ${outcome.agentsTouched} agent(s); ZooKeeper node ${znodeText(outcome.znode)}.`,
  );
  for (const failure of outcome.failures) {
    lines.push(`Failed: ${failure.operation} ${failure.resource}${failure.hostname ? ` on ${failure.hostname}` : ''}: ${failure.message} (${failure.hint})`);
  }
  if (verification.clean) {
    lines.push('Verified: nothing of the target is left on the cluster.');
    return lines.join('\n');
  }
  lines.push(renderLeftovers(verification.leftovers));
  return lines.join('\n');
}

export function renderLeftovers(leftovers: Verification['leftovers']): string {
  if (leftovers.length === 0) return 'Verified: nothing of the target is left on the cluster.';
  const table = new Table({ head: ['What', 'Where', 'Detail', 'Next step'], style: { head: [], border: [] }, wordWrap: true });
  for (const leftover of leftovers) table.push([leftover.kind, leftover.hostname ?? leftover.agentId ?? '-', leftover.detail, leftover.hint]);
  return `Verification found ${leftovers.length} leftover(s):\n${table.toString()}`;
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

function count(agents: AgentCleanup[], measure: (agent: AgentCleanup) => number): number {
  return agents.reduce((sum, agent) => sum + measure(agent), 0);
}

/** The one JSON object `cleanup --json` prints; keys are stable for CI. */
export function cleanupJson(plan: CleanupPlan, dryRun: boolean, exitCode: number, outcome?: CleanupOutcome, verification?: Verification) {
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
      agents: plan.agents.map((agent) => ({
        agentId: agent.agentId,
        hostname: agent.hostname,
        volumes: agent.volumes.map(describeResource),
        reservations: agent.reservations.map(describeResource),
        inUse: agent.inUse.map(describeResource),
        skipped: agent.skipped.map((skipped) => ({ resource: describeResource(skipped.resource), reason: skipped.reason })),
      })),
      unregisteredAgents: plan.unregisteredAgents,
      frameworks: plan.frameworks,
      marathonApp: plan.marathonApp ?? null,
      znode: plan.znode ?? null,
      blockers: plan.blockers,
      warnings: plan.warnings,
    },
    outcome: outcome ?? null,
    verification: verification ?? null,
  };
}

import { Inventory } from '../domain/uninstall';
import { agentTable } from './cleanup';

/** What a service has on the cluster, and the route the uninstall takes. */
export function renderInventory(inventory: Inventory): string {
  const { plan } = inventory;
  const lines = [`Service ${inventory.service}${inventory.dcosVersion ? ` on DC/OS ${inventory.dcosVersion}` : ''}`];
  const app = plan.marathonApp;
  lines.push(
    app
      ? `  Marathon app ${app.id}: ${app.tasksRunning} task(s) running${app.labels.DCOS_PACKAGE_NAME ? `, package ${app.labels.DCOS_PACKAGE_NAME} ${app.labels.DCOS_PACKAGE_VERSION ?? ''}`.trimEnd() : ''}${app.env.SDK_UNINSTALL !== undefined ? ', uninstall under way (SDK_UNINSTALL)' : ''}`
      : '  Marathon app: none',
  );
  if (plan.frameworks.length === 0) lines.push('  Frameworks: none registered');
  for (const framework of plan.frameworks) {
    lines.push(`  Framework ${framework.name} (${framework.id}): ${framework.active ? (framework.connected ? 'active' : 'disconnected') : 'inactive'}, ${framework.taskCount} task(s), role(s) ${framework.roles.join(', ')}`);
  }
  const volumes = plan.agents.reduce((sum, agent) => sum + agent.volumes.length + agent.inUse.filter((resource) => resource.disk?.persistence).length, 0);
  const holding = plan.agents.filter((agent) => agent.volumes.length + agent.reservations.length + agent.inUse.length > 0);
  lines.push(`  Reservations of role ${plan.target.roles.join(', ')} (principal ${plan.target.principals.join(' or ')}): ${holding.length} agent(s), ${volumes} volume(s)`);
  if (plan.agents.length > 0) lines.push(agentTable(plan.agents));
  if (plan.znode) lines.push(`  ZooKeeper node /${plan.znode.node}: ${plan.znode.present ? 'present' : 'absent'}`);
  for (const agent of plan.unregisteredAgents) lines.push(`  Agent ${agent.id} is not registered: what it holds cannot be seen.`);
  lines.push(`Route: ${inventory.route.route === 'sdk' ? 'SDK uninstall through Cosmos' : 'manual (remove the app, tear down, clean up)'}: ${inventory.route.why}.`);
  return lines.join('\n');
}

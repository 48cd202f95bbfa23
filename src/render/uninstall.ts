import { planTotals } from '../domain/cleanup';
import { Inventory } from '../domain/uninstall';
import { plural, wrap } from '../text';
import { ViewOptions, agentTable, viewOptions } from './cleanup';
import { renderStuckSteps } from './stuck-steps';

/**
 * What a service has on the cluster, and what the uninstall will do next, before the
 * prompt: an uninstall already under way is shown as such, with its stuck steps.
 */
export function renderInventory(inventory: Inventory, view: ViewOptions = viewOptions()): string {
  const { plan } = inventory;
  const lines = [`Service ${inventory.service}${inventory.dcosVersion ? ` on DC/OS ${inventory.dcosVersion}` : ''}`];
  const say = (text: string) => lines.push(wrap(text, view.width, '    '));
  const app = plan.marathonApp;
  say(
    app
      ? `  Marathon app ${app.id}: ${plural(app.tasksRunning, 'task')} running${app.labels.DCOS_PACKAGE_NAME ? `, package ${app.labels.DCOS_PACKAGE_NAME} ${app.labels.DCOS_PACKAGE_VERSION ?? ''}`.trimEnd() : ''}${app.env.SDK_UNINSTALL !== undefined ? ', uninstall under way (SDK_UNINSTALL)' : ''}`
      : '  Marathon app: none',
  );
  if (plan.frameworks.length === 0) say('  Frameworks: none registered');
  for (const framework of plan.frameworks) {
    say(
      `  Framework ${framework.name} (${framework.id}): ${framework.active ? (framework.connected ? 'active' : 'disconnected') : 'inactive'}, ${plural(framework.taskCount, 'task')}, roles ${framework.roles.join(', ')}`,
    );
  }
  const volumes = countVolumes(inventory);
  const holding = plan.agents.filter(
    (agent) => agent.volumes.length + agent.reservations.length + agent.inUse.length > 0,
  ).length;
  say(
    `  Reservations of role ${plan.target.roles.join(', ')} (principal ${plan.target.principals.join(' or ')}): ` +
      `${plural(holding, 'agent')}, ${plural(volumes.all, 'volume')}${volumes.inUse > 0 ? ` (${volumes.inUse} in use by running tasks)` : ''}`,
  );
  if (plan.agents.length > 0) lines.push(agentTable(plan.agents, view));
  if (plan.znode) say(`  ZooKeeper node /${plan.znode.node}: ${plan.znode.present ? 'present' : 'absent'}`);
  for (const agent of plan.unregisteredAgents.slice(0, 5))
    say(
      `  Agent ${agent.id}${agent.hostname ? ` (${agent.hostname})` : ''} is not registered: what it holds cannot be seen.`,
    );
  if (plan.unregisteredAgents.length > 5)
    say(`  ... and ${plural(plan.unregisteredAgents.length - 5, 'more unregistered agent')}`);
  const underWay = inventory.underWay;
  if (underWay) {
    say(`Uninstall under way: plan deploy is ${underWay.status}.`);
    for (const phase of underWay.phases)
      say(`  ${phase.name}: ${phase.done}/${plural(phase.total, 'step')} COMPLETE (${phase.status})`);
    if (underWay.unreadable) say(`  (${underWay.unreadable})`);
    if (underWay.stuck.length > 0) lines.push(renderStuckSteps(underWay.stuck, view.width));
  }
  say(`Next: ${nextSteps(inventory)}`);
  return lines.join('\n');
}

/** The question asked before an uninstall: what will be lost, in the inventory's own numbers. */
export function uninstallQuestion(inventory: Inventory): string {
  const { plan } = inventory;
  const tasks = plan.frameworks.reduce((sum, framework) => sum + framework.taskCount, 0);
  const volumes = countVolumes(inventory).all;
  const losses: string[] = [];
  if (tasks > 0) losses.push(`its ${plural(tasks, 'task')} ${tasks === 1 ? 'is' : 'are'} killed`);
  if (volumes > 0) losses.push(`its ${plural(volumes, 'volume')} destroyed (the data cannot be recovered)`);
  const consequence = losses.length > 0 ? ` ${capitalise(losses.join(' and '))}.` : '';
  const verb = inventory.underWay ? 'Continue the uninstall of' : 'Uninstall';
  return `${verb} ${inventory.service}?${consequence} Type ${inventory.service} to confirm:`;
}

function nextSteps(inventory: Inventory): string {
  const { plan } = inventory;
  if (inventory.route.route === 'legacy')
    return `manual route (${inventory.route.why}): remove the app, tear the framework down, clean up, verify.`;
  if (inventory.underWay) {
    const stuck = inventory.underWay.stuck.length;
    const forcing =
      stuck > 0
        ? ` The ${plural(stuck, 'stuck step')} will be offered for force-complete (--force-stuck in scripts). ${FORCE_NOTE}`
        : '';
    return `follow the uninstall already under way (Cosmos is not asked again), then remove what the scheduler leaves and verify.${forcing}`;
  }
  const totals = planTotals(plan);
  return (
    `Cosmos starts the uninstall (${inventory.route.why}); the scheduler restarts in uninstall mode, kills its tasks, ` +
    `destroys its ${plural(totals.volumes + countVolumes(inventory).inUse, 'volume')} and unreserves its resources; then what it leaves is removed and the result verified.`
  );
}

const FORCE_NOTE = 'Forcing only stops the wait: the gone agent keeps what it held.';

function countVolumes(inventory: Inventory): { all: number; inUse: number } {
  let all = 0;
  let inUse = 0;
  for (const agent of inventory.plan.agents) {
    const used = agent.inUse.filter((resource) => resource.disk?.persistence).length;
    all += agent.volumes.length + used;
    inUse += used;
  }
  return { all, inUse };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

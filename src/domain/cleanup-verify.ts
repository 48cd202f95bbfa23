import { MesosResource } from '../clients/mesos-schemas';
import { CleanupRequest, JanitorAction, actionCommand } from './actions';
import { SKIP_REASON_TEXT, SkipReason, TARGET_SKIP_REASONS, hasWork } from './selection';
import { Progress, silentProgress } from './progress';
import { plural } from '../text';
import { describeResource, isPersistentVolume, reservationOf } from './resources';
import { CleanupClients, CleanupPlan, Leftover, Verification, planCleanup } from './cleanup-plan';

/** The verification: the same plan made again from a fresh read, and what it still finds. */

/** A fresh read: the same plan made again must hold nothing of the target. */
export async function verifyCleanup(
  clients: CleanupClients,
  plan: CleanupPlan,
  progress: Progress,
): Promise<Verification> {
  return (await verifyFromFreshRead(clients, plan, progress)).verification;
}

export async function verifyFromFreshRead(
  clients: CleanupClients,
  plan: CleanupPlan,
  progress: Progress,
  znodeAfter?: Promise<unknown>,
): Promise<{ verification: Verification; fresh: CleanupPlan }> {
  progress.step('Verifying from a fresh read of the cluster...');
  const fresh = await planCleanup(clients, plan.request, silentProgress, znodeAfter);
  return { verification: verificationOf(fresh, plan), fresh };
}

/** The verification a fresh plan makes: its leftovers, and the agents nothing can be said of. */
export function verificationOf(
  fresh: CleanupPlan,
  earlier?: CleanupPlan,
  adjust: (leftover: Leftover) => Leftover = (leftover) => leftover,
): Verification {
  const leftovers = leftoversOf(fresh, earlier).map(adjust);
  const heldTarget = new Set((earlier?.agents ?? []).filter(hasWork).map((agent) => agent.agentId));
  const unverifiableAgents = fresh.unregisteredAgents.filter((agent) => !heldTarget.has(agent.id));
  return { clean: leftovers.length === 0, leftovers, unverifiableAgents };
}

/**
 * What a plan made after the work still finds, each with the command that removes it.
 * `earlier`: the plan the work followed, to notice agents that left meanwhile.
 */
export function leftoversOf(fresh: CleanupPlan, earlier?: CleanupPlan): Leftover[] {
  const leftovers: Leftover[] = [];
  const again: JanitorAction = { kind: 'cleanup', request: fresh.request };
  // The remedy is data; the hint is its command line, with what to know before running it.
  const push = (leftover: Omit<Leftover, 'hint' | 'next'>, next: JanitorAction | undefined, before = '', after = '') =>
    leftovers.push({ ...leftover, next, hint: `${before}${next ? actionCommand(next) : ''}${after}` });
  // --framework-id narrows the target to those frameworks: another incarnation of the name, its
  // app and what is labelled otherwise are not this run's to report (a live re-install keeps them).
  const narrowed = fresh.target.onlyFrameworkIds;
  const ofNarrowed = (id: string | undefined) => narrowed.length === 0 || (id !== undefined && narrowed.includes(id));
  if (fresh.marathonApp && ofNarrowed(fresh.marathonApp.launches ?? (narrowed.length === 0 ? undefined : ''))) {
    push(
      {
        kind: 'app',
        detail: `Marathon app ${fresh.marathonApp.id} still exists (${plural(fresh.marathonApp.tasksRunning, 'task')} running)`,
      },
      {
        kind: 'uninstall',
        service: fresh.target.serviceName ?? fresh.marathonApp.id,
        manual: false,
        forceStuck: false,
      },
    );
  }
  const frameworks = fresh.frameworks.filter((candidate) => ofNarrowed(candidate.id));
  for (const framework of frameworks) {
    push(
      {
        kind: 'framework',
        detail: `framework ${framework.name} (${framework.id}) is still registered${framework.taskCount > 0 ? ` with ${plural(framework.taskCount, 'task')}` : ''}`,
      },
      { kind: 'teardown', frameworkId: framework.id, cleanup: false },
    );
  }
  const inUseNext: JanitorAction =
    frameworks.length > 0 ? { kind: 'teardown', frameworkId: frameworks[0].id, cleanup: true } : again;
  for (const agent of fresh.agents) {
    const where = { agentId: agent.agentId, hostname: agent.hostname };
    for (const resource of agent.inUse)
      push({ kind: 'in-use', ...where, detail: describeResource(resource) }, inUseNext, 'in use by a task: ');
    for (const resource of agent.volumes)
      push(
        { kind: 'volume', ...where, detail: describeResource(resource) },
        again,
        '',
        ' (a refusal that persists means a framework still runs)',
      );
    for (const resource of agent.reservations)
      push(
        { kind: 'reservation', ...where, detail: describeResource(resource) },
        again,
        '',
        ' (a 409 that persists means a framework still runs)',
      );
    // Of the target's role and principal, but not selected: still the target's, and still there.
    for (const { resource, reason } of agent.skipped) {
      if (narrowed.length > 0 || !TARGET_SKIP_REASONS.includes(reason) || !ofTargetPrincipal(resource, fresh)) continue;
      const remedy = skippedRemedy(reason, resource, fresh.request);
      push(
        {
          kind: isPersistentVolume(resource) ? 'volume' : 'reservation',
          ...where,
          detail: `${describeResource(resource)}: not selected (${reason}: ${SKIP_REASON_TEXT[reason]})`,
        },
        remedy.next,
        remedy.before,
      );
    }
  }
  // An agent that held the target's resources in this run and is no longer registered took them out of sight.
  const registered = new Set(fresh.registeredAgentIds);
  const left = (earlier?.agents ?? []).filter((planned) => hasWork(planned) && !registered.has(planned.agentId));
  for (const agent of left) {
    push(
      {
        kind: 'agent-unregistered',
        agentId: agent.agentId,
        hostname: agent.hostname,
        detail: 'agent left the cluster during the run: what it held cannot be verified',
      },
      again,
      'if it returns, its reservations return with it: ',
    );
  }
  // An agent that was not registered and on which this run never saw the target is not a
  // leftover: nothing of it can be said (Verification.unverifiableAgents warns of it).
  // Narrowed to some incarnations, a znode kept for another (registered) one is that one's.
  if (fresh.znode?.present && (narrowed.length === 0 || fresh.znode.action === 'delete')) {
    const why = fresh.znode.action === 'keep' ? ` (kept: ${fresh.znode.reason})` : '';
    push({ kind: 'znode', detail: `ZooKeeper node /${fresh.znode.node} still exists${why}` }, again);
  }
  return leftovers;
}

/** Skipped for a reason other than "someone else's": a static reservation or another principal is not the target's. */
function ofTargetPrincipal(resource: MesosResource, plan: CleanupPlan): boolean {
  const owner = reservationOf(resource);
  return owner.kind === 'dynamic' && owner.principal !== undefined && plan.target.principals.includes(owner.principal);
}

function skippedRemedy(
  reason: SkipReason,
  resource: MesosResource,
  request: CleanupRequest,
): { next?: JanitorAction; before?: string } {
  switch (reason) {
    case 'unlabeled':
      return { next: { kind: 'cleanup', request: { ...request, includeUnlabeled: true } } };
    case 'other-framework': {
      const frameworkId = reservationOf(resource).labels.framework_id;
      return {
        next: { kind: 'cleanup', request: { ...request, frameworkIds: [...request.frameworkIds, frameworkId] } },
        before: `if framework ${frameworkId} was this service's: `,
      };
    }
    case 'marathon-resident':
      return {
        before: 'Marathon releases it when the resident app that holds it is removed (dcos marathon app remove <app>)',
      };
    default:
      return { next: { kind: 'cleanup', request } };
  }
}

/** The cleanup command that does this request again, for hints. */
export function cleanupCommandLine(request: CleanupRequest): string {
  return actionCommand({ kind: 'cleanup', request });
}

import { MesosClient, OperationOutcome } from '../clients/mesos';
import { MesosResource } from '../clients/mesos-schemas';
import { sleep } from '../cluster/http';
import { UnexpectedResponseError } from '../errors';
import { AgentCleanup, planAgentCleanup } from './selection';
import { BoundedQueue } from './concurrency';
import { Progress, agentCounter, silentProgress } from './progress';
import { plural } from '../text';
import { describeResource, resourceKey } from './resources';
import {
  CleanupClients,
  CleanupOptions,
  CleanupOutcome,
  CleanupPlan,
  OperationFailure,
  ResourceAllowList,
  Verification,
  planTotals,
  planHasChanges,
} from './cleanup-plan';
import { verifyFromFreshRead } from './cleanup-verify';

/**
 * Executing a confirmed plan: destroy volumes, re-read, unreserve, delete the znode, then
 * settle the counts against a read after the act (docs/reference/mesos.md §4, §5).
 */

/** What the run sent, per agent, to be settled against a read after the act. */
interface Attempts {
  volumes: Map<string, MesosResource[]>;
  reservations: Map<string, MesosResource[]>;
}

interface Execution {
  attempts: Attempts;
  /** `key`: the resource's resourceKey, to settle the failure against the read after the run. */
  failures: Array<OperationFailure & { key?: string }>;
  znode: CleanupOutcome['znode'];
  /** The ZooKeeper delete, last of the changes: the verification's other reads need not wait for it. */
  znodeDone: Promise<void>;
}

async function executeCleanup(
  clients: CleanupClients,
  plan: CleanupPlan,
  options: CleanupOptions,
  progress: Progress,
): Promise<Execution> {
  const execution: Execution = {
    attempts: { volumes: new Map(), reservations: new Map() },
    failures: [],
    znode: 'not-requested',
    znodeDone: Promise.resolve(),
  };

  // One bound for every request of the run. The destroys go first; the unreserves of
  // agents without volumes need no re-read, so they queue right behind them and keep the
  // slots busy while the agents that held volumes are read again (the re-read jumps that queue).
  const slots = new BoundedQueue(options.concurrency);
  // One counter for every unreserve of the run, against the plan's totals (what the prompt said):
  // an agent counts the resources the plan gave it, whatever a destroyed volume's disk merged into.
  const totals = planTotals(plan);
  let unreserveTick: ((done: number) => void) | undefined;
  const tickUnreserved = (done: number) =>
    (unreserveTick ??= agentCounter(progress, 'Unreserving', totals.agents, totals.resources, 'resources'))(done);
  const planned = new Map(
    plan.agents.map((agent) => [agent.agentId, agent.reservations.length + agent.volumes.length]),
  );
  const unreserve = (agent: AgentCleanup) =>
    slots.run(async () => {
      execution.attempts.reservations.set(agent.agentId, agent.reservations);
      await applyPerAgent(
        clients.mesos,
        agent,
        agent.reservations,
        'unreserve',
        options,
        execution.failures,
        (count) => options.accepted && (options.accepted.resources += count),
      );
      tickUnreserved(planned.get(agent.agentId) ?? agent.reservations.length);
    });
  const resourcesOf = (agents: AgentCleanup[]) => agents.reduce((sum, agent) => sum + agent.reservations.length, 0);

  const withVolumes = plan.agents.filter((agent) => agent.volumes.length > 0);
  const plain = plan.agents.filter((agent) => agent.volumes.length === 0 && agent.reservations.length > 0);
  let destroys: Promise<unknown> = Promise.resolve();
  if (withVolumes.length > 0) {
    progress.step(
      `Destroying ${plural(
        withVolumes.reduce((sum, agent) => sum + agent.volumes.length, 0),
        'persistent volume',
      )} on ${plural(withVolumes.length, 'agent')}...`,
    );
    const tick = agentCounter(progress, 'Destroying volumes', withVolumes.length, totals.volumes, 'volumes');
    destroys = Promise.all(
      withVolumes.map((agent) =>
        slots.run(async () => {
          execution.attempts.volumes.set(agent.agentId, agent.volumes);
          await applyPerAgent(
            clients.mesos,
            agent,
            agent.volumes,
            'destroy-volume',
            options,
            execution.failures,
            (count) => options.accepted && (options.accepted.volumes += count),
          );
          tick(agent.volumes.length);
        }),
      ),
    );
  }
  let plainUnreserves: Promise<unknown> = Promise.resolve();
  if (plain.length > 0) {
    progress.step(
      `Unreserving ${plural(resourcesOf(plain), 'resource')} on the ${plural(plain.length, 'agent')} without volumes...`,
    );
    plainUnreserves = Promise.all(plain.map((agent) => unreserve(agent)));
    // Awaited below; marked handled now so that a failure while the destroys run is not "unhandled".
    plainUnreserves.catch(() => undefined);
  }
  await destroys;

  // A destroyed volume becomes plain reserved disk that may merge with identical
  // reserved disk, so the unreserve payload must come from a fresh read (docs/reference/mesos.md §5).
  let volumeUnreserves: Promise<unknown> = Promise.resolve();
  if (withVolumes.length > 0) {
    progress.step('Re-reading the agents after the destroys...');
    // Ahead of the queued unreserves: its answer and its parsing overlap them.
    const slaves = await slots.runFirst(() => clients.mesos.getAgents());
    const held = new Set(withVolumes.map((agent) => agent.agentId));
    const again = slaves.slaves
      .filter((agent) => held.has(agent.id))
      .map((agent) => restrictAgent(planAgentCleanup(agent, plan.target), options.only))
      .filter((agent) => agent.reservations.length > 0);
    if (again.length > 0) {
      progress.step(
        `Unreserving ${plural(resourcesOf(again), 'resource')} on the ${plural(again.length, 'agent')} that held volumes...`,
      );
      volumeUnreserves = Promise.all(again.map((agent) => unreserve(agent)));
    }
  }
  await Promise.all([plainUnreserves, volumeUnreserves]);
  progress.clear();

  if (plan.znode?.action === 'keep') execution.znode = 'kept';
  if (plan.znode?.action === 'delete' && !plan.znode.present) execution.znode = 'absent';
  if (plan.znode?.action === 'delete' && plan.znode.present) {
    const node = plan.znode.node;
    progress.step(`Deleting ZooKeeper node /${node} through Exhibitor...`);
    execution.znodeDone = clients.exhibitor.deleteZnode(node).then(
      (outcome) => {
        execution.znode = outcome;
        if (outcome === 'deleted' && options.accepted) options.accepted.znodeDeleted = true;
      },
      (error: unknown) => {
        if (!(error instanceof UnexpectedResponseError)) throw error;
        execution.znode = 'failed';
        execution.failures.push({
          agentId: '',
          hostname: '',
          operation: 'delete-znode',
          resource: `/${node}`,
          message: error.message,
          hint: 're-run the cleanup',
        });
      },
    );
  }
  return execution;
}

/** A reviewed plan's allow-list applied to an agent's work: what it does not name is not sent. */
function restrictAgent(agent: AgentCleanup, only: ResourceAllowList | undefined): AgentCleanup {
  if (!only) return agent;
  const allowed = only.get(agent.agentId) ?? new Set<string>();
  const keep = (resource: MesosResource) => allowed.has(resourceKey(resource));
  return { ...agent, volumes: agent.volumes.filter(keep), reservations: agent.reservations.filter(keep) };
}

/**
 * One batch per agent; if Mesos refuses the batch (all-or-nothing), the agent is read
 * again and what is still there goes one call per resource, so that one bad element does
 * not spare the rest (janitor.py flaw #5). A refusal is a failure only when a read of the
 * agent still shows the resource: an operation whose first answer was lost (a timeout, a
 * cut connection) was applied, and its retry is refused with 409 or 400.
 */
async function applyPerAgent(
  mesos: MesosClient,
  agent: AgentCleanup,
  resources: MesosResource[],
  operation: 'destroy-volume' | 'unreserve',
  options: CleanupOptions,
  failures: Execution['failures'],
  accepted: (count: number) => unknown,
): Promise<void> {
  const send = (batch: MesosResource[]) =>
    operation === 'destroy-volume' ? mesos.destroyVolumes(agent.agentId, batch) : mesos.unreserve(agent.agentId, batch);
  const batchOutcome = await send(resources);
  if (batchOutcome.kind === 'accepted') {
    accepted(resources.length);
    return;
  }
  if (isAgentGone(batchOutcome)) {
    failures.push(failureOf(agent, operation, plural(resources.length, 'resource'), batchOutcome));
    return;
  }
  let remaining = await stillHeld(mesos, agent.agentId, resources);
  for (const resource of remaining) {
    let outcome: OperationOutcome = resources.length === 1 ? batchOutcome : await send([resource]);
    for (let retry = 0; ; retry++) {
      if (outcome.kind === 'accepted') {
        accepted(1);
        break;
      }
      remaining = await stillHeld(mesos, agent.agentId, [resource]);
      if (remaining.length === 0) break;
      // A 409 may be a task that is ending: it is worth a few more tries.
      if (outcome.kind !== 'conflict' || retry >= options.conflictRetries) {
        failures.push({
          ...failureOf(agent, operation, describeResource(resource), outcome),
          key: resourceKey(resource),
        });
        break;
      }
      await sleep(options.conflictDelayMs * (retry + 1));
      outcome = await send([resource]);
    }
  }
}

/** The resources of the list that a fresh read of the agent still shows (all of them if the agent cannot be read). */
async function stillHeld(mesos: MesosClient, agentId: string, resources: MesosResource[]): Promise<MesosResource[]> {
  const agent = await mesos.getAgent(agentId);
  if (!agent) return resources;
  const present = new Set(
    Object.values(agent.reserved_resources_full ?? {})
      .flat()
      .map(resourceKey),
  );
  return resources.filter((resource) => present.has(resourceKey(resource)));
}

function isAgentGone(outcome: OperationOutcome): boolean {
  return outcome.kind === 'rejected' && /No agent found/i.test(outcome.message);
}

function failureOf(
  agent: AgentCleanup,
  operation: OperationFailure['operation'],
  resource: string,
  outcome: Exclude<OperationOutcome, { kind: 'accepted' }>,
): OperationFailure {
  let hint = 're-run the cleanup; if it persists, check the resource in the Mesos UI';
  if (isAgentGone(outcome)) hint = 'the agent left the cluster: its reservations return with it; clean again then';
  else if (/in use/i.test(outcome.message) || outcome.kind === 'conflict') {
    hint =
      'a framework may still be running and using it: tear it down first (dcos janitor teardown), then re-run the cleanup';
  } else if (/not dynamically reserved/i.test(outcome.message))
    hint = 'a static reservation: it belongs to the agent configuration, not to a framework';
  return { agentId: agent.agentId, hostname: agent.hostname, operation, resource, message: outcome.message, hint };
}

/**
 * The counts and failures as the read after the run shows them: a resource sent is done
 * when its agent is still registered and no longer holds it. An agent that is not registered
 * (it left, or moved to recovered_slaves in a master failover) shows nothing: what was sent
 * to it is unknown, never done.
 */
function settleOutcome(execution: Execution, fresh: CleanupPlan): CleanupOutcome {
  const known = new Set(fresh.registeredAgentIds);
  const heldNow = new Map<string, Set<string>>();
  for (const agent of fresh.agents) {
    const all = [
      ...agent.volumes,
      ...agent.reservations,
      ...agent.inUse,
      ...agent.skipped.map((skipped) => skipped.resource),
    ];
    heldNow.set(agent.agentId, new Set(all.map(resourceKey)));
  }
  const gone = (agentId: string, resource: MesosResource) =>
    known.has(agentId) && !(heldNow.get(agentId)?.has(resourceKey(resource)) ?? false);
  const countGone = (attempts: Map<string, MesosResource[]>) => {
    let done = 0;
    for (const [agentId, resources] of attempts) done += resources.filter((resource) => gone(agentId, resource)).length;
    return done;
  };
  const touched = new Set<string>();
  for (const attempts of [execution.attempts.volumes, execution.attempts.reservations]) {
    for (const [agentId, resources] of attempts)
      if (resources.some((resource) => gone(agentId, resource))) touched.add(agentId);
  }
  const failures = execution.failures
    .filter(
      (failure) =>
        failure.key === undefined ||
        !known.has(failure.agentId) ||
        (heldNow.get(failure.agentId)?.has(failure.key) ?? false),
    )
    .map(({ key: _key, ...failure }) => failure);
  let unknown = 0;
  for (const attempts of [execution.attempts.volumes, execution.attempts.reservations]) {
    for (const [agentId, resources] of attempts) if (!known.has(agentId)) unknown += resources.length;
  }
  return {
    volumesDestroyed: countGone(execution.attempts.volumes),
    resourcesUnreserved: countGone(execution.attempts.reservations),
    agentsTouched: touched.size,
    unknown,
    znode: execution.znode === 'deleted' && fresh.znode?.present ? 'failed' : execution.znode,
    failures,
  };
}

/** Execute a confirmed plan and verify it: what `cleanup` and `teardown --cleanup` share. */
export async function cleanUp(
  clients: CleanupClients,
  plan: CleanupPlan,
  options: CleanupOptions,
  progress: Progress,
  /** false when the caller verifies more widely itself (uninstall): the step is said once. */
  sayVerifying = true,
): Promise<{ outcome: CleanupOutcome; verification: Verification }> {
  const allowed = options.only
    ? { ...plan, agents: plan.agents.map((agent) => restrictAgent(agent, options.only)) }
    : plan;
  if (!planHasChanges(allowed)) progress.step(sayVerifying ? 'Nothing to change; verifying.' : 'Nothing to change.');
  const execution = await executeCleanup(clients, allowed, options, progress);
  // The agents are read again while the znode is deleted (the delete changes nothing they hold); the znode after.
  const verifying = verifyFromFreshRead(clients, plan, sayVerifying ? progress : silentProgress, execution.znodeDone);
  verifying.catch(() => undefined);
  await execution.znodeDone;
  const { verification, fresh } = await verifying;
  return { outcome: settleOutcome(execution, fresh), verification };
}

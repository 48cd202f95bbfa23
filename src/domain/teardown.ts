import { MarathonApp } from '../clients/marathon-schemas';
import { FrameworksResponse, MesosFramework, StateSummary } from '../clients/mesos-schemas';
import { sleep } from '../cluster/http';
import { NothingFoundError, TimedOutError, UnexpectedResponseError } from '../errors';
import {
  CleanupClients,
  CleanupOptions,
  CleanupOutcome,
  CleanupPlan,
  CleanupRequest,
  Verification,
  cleanUp,
  cleanupCommandLine,
  planCleanup,
} from './cleanup';
import { Blocker, describeBlocker } from './actions';
import { CleanupTarget, FrameworkSummary, planAgentCleanup, summariseFramework } from './selection';
import {
  Ownership,
  activeTaskCount,
  isConnected,
  lastRegisteredTime,
  orphanReasons,
  sameName,
  unregisteredTime,
} from './ownership';
import { deriveServiceNames } from './naming';
import { closestNames, didYouMean } from './not-found';
import { Progress } from './progress';
import { plural } from '../text';

/**
 * `dcos janitor teardown`: find frameworks (by id, by service, or the orphaned
 * ones), stop the Marathon app that would relaunch their scheduler, tear them
 * down through Mesos, wait until Mesos has completed them, and say what
 * reservations they left (docs/reference/mesos.md §3, docs/reference/marathon.md §4).
 */

export interface TeardownRequest {
  frameworkIds: string[];
  service?: string;
}

export interface FrameworkView extends FrameworkSummary {
  /** Already in completed_frameworks: a teardown is done. */
  completed: boolean;
  tasks: number;
  taskStates: Record<string, number>;
  /** Hostnames (or ids, when unknown) of the agents its tasks run on. */
  agents: string[];
  registeredTime?: string;
  unregisteredTime?: string;
  app?: { id: string; instances: number; tasksRunning: number; tasksStaged: number; deployments: number };
  system: boolean;
  /** Active tasks and a live, connected scheduler: a running service (its teardown is confirmed by typing its name). */
  live: boolean;
  /** Alive by the ownership rules: a connected scheduler, a running task, or an app that would relaunch it. */
  alive: boolean;
  aliveBecause: string[];
  /** Why it looks orphaned (empty: it does not). */
  orphanReasons: string[];
}

export interface ClusterView {
  frameworks: FrameworksResponse;
  summary: StateSummary;
  apps: MarathonApp[];
  /** Agent id -> hostname, from the summary: made once, not once per framework (25,000 agents). */
  agentHostnames: Map<string, string>;
  ownership: Ownership;
}

export async function readClusterView(clients: CleanupClients, extraSystemNames: string[]): Promise<ClusterView> {
  const [frameworks, summary, apps] = await Promise.all([
    clients.mesos.getFrameworks(),
    clients.mesos.getStateSummary(),
    clients.marathon.listApps(),
  ]);
  return {
    frameworks,
    summary,
    apps,
    agentHostnames: new Map(summary.slaves.map((agent) => [agent.id, agent.hostname])),
    ownership: new Ownership(frameworks, apps, extraSystemNames),
  };
}

export function viewFramework(framework: MesosFramework, completed: boolean, cluster: ClusterView): FrameworkView {
  const hostnames = cluster.agentHostnames;
  const tasks = framework.tasks ?? [];
  const taskStates: Record<string, number> = {};
  for (const task of tasks) taskStates[task.state] = (taskStates[task.state] ?? 0) + 1;
  const { ownership } = cluster;
  // Only the app that launches this very framework now: an older incarnation's teardown never removes
  // the live one's app.
  const app = ownership.relaunchingApp(framework);
  const summary = summariseFramework(framework);
  const liveness = ownership.liveness(framework);
  return {
    ...summary,
    completed,
    tasks: tasks.length,
    taskStates,
    agents: [...new Set(tasks.map((task) => hostnames.get(task.slave_id) ?? task.slave_id))].sort(),
    registeredTime: isoTime(lastRegisteredTime(framework)),
    unregisteredTime: isoTime(unregisteredTime(framework)),
    app: app
      ? {
          id: app.id,
          instances: app.instances ?? 0,
          tasksRunning: app.tasksRunning ?? 0,
          tasksStaged: app.tasksStaged ?? 0,
          deployments: app.deployments?.length ?? 0,
        }
      : undefined,
    system: ownership.isSystem(framework),
    live: !completed && isConnected(framework) && activeTaskCount(framework) > 0,
    alive: liveness.alive,
    aliveBecause: liveness.reasons,
    orphanReasons: orphanReasons(framework, ownership),
  };
}

export interface Selection {
  /** What was asked for and found (registered or completed). */
  selected: FrameworkView[];
  /** No selector: the registered, non-system frameworks that look orphaned. */
  candidates: FrameworkView[];
}

export function selectFrameworks(request: TeardownRequest, cluster: ClusterView): Selection {
  const registered = cluster.frameworks.frameworks.map((framework) => viewFramework(framework, false, cluster));
  const completed = (cluster.frameworks.completed_frameworks ?? []).map((framework) =>
    viewFramework(framework, true, cluster),
  );
  const selected: FrameworkView[] = [];
  const add = (view: FrameworkView) => {
    if (!selected.some((known) => known.id === view.id)) selected.push(view);
  };

  for (const id of request.frameworkIds) {
    const found = registered.find((view) => view.id === id) ?? completed.find((view) => view.id === id);
    if (!found) {
      const close = closestNames(
        id,
        [...registered, ...completed].map((view) => view.id),
      );
      throw new NothingFoundError(
        `No framework with id ${id} is registered or recently completed in Mesos.${didYouMean(close)} Check the id, or run 'dcos janitor teardown' without a selector to list orphaned frameworks; pass --ignore-not-found to treat this as done.`,
        close,
      );
    }
    add(found);
  }
  if (request.service !== undefined) {
    const names = deriveServiceNames(request.service);
    // By name: another service's framework in the same (group) role and principal is a sibling.
    // The role and principal of the naming rules only when no framework bears the name.
    const byName = (view: FrameworkView) => names.frameworkNames.some((name) => sameName(name, view.name));
    const byRole = (view: FrameworkView) =>
      view.roles.includes(names.role) && view.principal !== undefined && names.principals.includes(view.principal);
    const anyByName = [...registered, ...completed].some(byName);
    const matches = anyByName ? byName : byRole;
    const ofService = registered.filter(matches);
    // A completed one is reported as already torn down only when nothing of the name is still registered.
    const found = ofService.length > 0 ? ofService : completed.filter(matches).slice(-1);
    if (found.length === 0) {
      const close = closestNames(
        request.service,
        [...registered, ...completed].map((view) => view.name).concat(cluster.apps.map((app) => app.id)),
      );
      throw new NothingFoundError(
        `No framework of service '${request.service}' (name ${names.frameworkNames.join(' or ')}, or role ${names.role} with principal ${names.principals.join(' or ')}) is known to Mesos, active or completed.${didYouMean(close)} ` +
          "Check the name with 'dcos service --inactive --completed'; pass --ignore-not-found to treat this as done.",
        close,
      );
    }
    found.forEach(add);
  }
  const candidates =
    request.frameworkIds.length === 0 && request.service === undefined
      ? registered.filter((view) => view.orphanReasons.length > 0)
      : [];
  return { selected, candidates };
}

export interface TeardownOptions {
  keepApp: boolean;
  timeoutMs: number;
  pollMs: number;
}

export interface TeardownOutcome {
  id: string;
  name: string;
  result: 'torn-down' | 'already-torn-down';
  /** The app Marathon had and a read after the removal no longer finds. */
  appRemoved?: string;
  /** The app was already gone when removed (Marathon's own 404). */
  appAbsent?: string;
  appKept?: string;
  seconds: number;
}

export async function tearDownFramework(
  clients: CleanupClients,
  view: FrameworkView,
  options: TeardownOptions,
  progress: Progress,
): Promise<TeardownOutcome> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const outcome: TeardownOutcome = { id: view.id, name: view.name, result: 'torn-down', seconds: 0 };

  if (view.app && !options.keepApp) {
    // Said only when Marathon had it and a read after the removal no longer finds it.
    if (await removeApp(clients, view.app.id, deadline, options.pollMs, progress)) outcome.appRemoved = view.app.id;
    else outcome.appAbsent = view.app.id;
  } else if (view.app) {
    outcome.appKept = view.app.id;
    progress.warn(
      `--keep-app: Marathon app ${view.app.id} stays, so Marathon relaunches the scheduler of ${view.name}: it crash-loops ("Framework has been removed") or registers a new framework.`,
    );
  }

  outcome.result = view.completed
    ? 'already-torn-down'
    : await tearDownAndWait(clients, view, deadline, options.pollMs, progress);
  outcome.seconds = Math.round((Date.now() - started) / 100) / 10;
  return outcome;
}

/** POST /master/teardown, then wait until Mesos has completed the framework. */
export async function tearDownAndWait(
  clients: CleanupClients,
  framework: { id: string; name: string },
  deadline: number,
  pollMs: number,
  progress: Progress,
): Promise<TeardownOutcome['result']> {
  progress.step(`Tearing down framework ${framework.name} (${framework.id}) through Mesos...`);
  const answer = await clients.mesos.teardown(framework.id);
  let result: TeardownOutcome['result'] = 'torn-down';
  if (answer.kind === 'not-found') {
    // Unknown, or completed meanwhile: only a re-read tells (docs/reference/mesos.md §3).
    const frameworks = await clients.mesos.getFrameworks();
    if (!(frameworks.completed_frameworks ?? []).some((completed) => completed.id === framework.id)) {
      throw new UnexpectedResponseError(
        `Mesos answered "${answer.message}" for framework ${framework.id}, and does not list it as completed either: it may have been removed by another operator; check with 'dcos service --completed'.`,
      );
    }
    result = 'already-torn-down';
  }
  await waitUntilCompleted(clients, framework, deadline, pollMs, progress);
  return result;
}

/**
 * Remove the app and wait until Marathon no longer has it, so that nothing relaunches the
 * scheduler. True when Marathon had it; false when it answered its own "does not exist".
 */
export async function removeApp(
  clients: CleanupClients,
  appId: string,
  deadline: number,
  pollMs: number,
  progress: Progress,
): Promise<boolean> {
  const deployment = await clients.marathon.deleteApp(appId);
  progress.step(
    `Removing Marathon app ${appId}${deployment ? ` (deployment ${deployment.deploymentId})` : ' (already gone)'}...`,
  );
  const wait = progress.wait(`Waiting for Marathon to remove ${appId}`);
  try {
    for (let polls = 0; ; polls++) {
      const app = await clients.marathon.getApp(appId);
      if (!app) return deployment !== undefined;
      if (Date.now() > deadline) {
        throw new TimedOutError(
          `Marathon app ${appId} was still there when --timeout ran out: check its deployment with 'dcos marathon deployment list', then re-run.`,
        );
      }
      if (polls % 20 === 19) progress.step(`  still waiting for Marathon to remove ${appId}...`);
      await sleep(pollMs);
    }
  } finally {
    wait.end();
  }
}

async function waitUntilCompleted(
  clients: CleanupClients,
  view: { id: string; name: string },
  deadline: number,
  pollMs: number,
  progress: Progress,
): Promise<void> {
  const wait = progress.wait(`Waiting for Mesos to complete ${view.name}`);
  try {
    await pollUntilCompleted(clients, view, deadline, pollMs, progress, (left) =>
      wait.update(`Waiting for Mesos to complete ${view.name}: ${plural(left, 'task')} left`),
    );
  } finally {
    wait.end();
  }
}

async function pollUntilCompleted(
  clients: CleanupClients,
  view: { id: string; name: string },
  deadline: number,
  pollMs: number,
  progress: Progress,
  tasksLeft: (count: number) => void,
): Promise<void> {
  let lastSaid = -1;
  for (;;) {
    const frameworks = await clients.mesos.getFrameworks();
    const stillRegistered = frameworks.frameworks.find((framework) => framework.id === view.id);
    if (!stillRegistered) {
      progress.step(`Framework ${view.name} (${view.id}) is completed; its tasks are gone.`);
      return;
    }
    if (Date.now() > deadline) {
      throw new TimedOutError(
        `Framework ${view.id} was still registered with ${plural(stillRegistered.tasks?.length ?? 0, 'task')} when --timeout ran out: re-run 'dcos janitor teardown --framework-id ${view.id}'.`,
      );
    }
    const left = stillRegistered.tasks?.length ?? 0;
    tasksLeft(left);
    // A plain line when the count changes (logs and pipes see progress too), not on every poll.
    if (left !== lastSaid)
      progress.step(`  waiting for Mesos to complete ${view.name}: ${plural(left, 'task')} left...`);
    lastSaid = left;
    await sleep(pollMs);
  }
}

/**
 * How to clean what a framework reserved: by service name when the naming rule gives its role, else by
 * role and principal.
 */
export function cleanupRequestFor(view: FrameworkView, ownership: Ownership): CleanupRequest | undefined {
  if (!view.principal || view.roles.length === 0) return undefined;
  // An older incarnation beside a newer one of the same name (a re-install): only what is
  // labelled with its own id, so the newest keeps its data, its app and its znode.
  const newer = ownership.incarnations(view.name).registered.some((framework) => framework.id !== view.id);
  if (newer) return { service: view.name, roles: [], frameworkIds: [view.id], includeUnlabeled: false };
  try {
    // An SDK service (its role or principal by the naming rules, group roles included) is cleaned
    // by name: that takes only what is proven its own, and a sibling in the same role keeps its data.
    const names = deriveServiceNames(view.name);
    if (view.roles.includes(names.role) || names.principals.includes(view.principal))
      return { service: view.name, roles: [], frameworkIds: [], includeUnlabeled: false };
  } catch {
    // Not a service name (e.g. contains "__"): fall back to role and principal.
  }
  const roles = view.roles.filter((role) => role !== '*' && role !== 'slave_public');
  if (roles.length === 0) return undefined;
  // By role and principal: --framework-id would take only labelled resources, and a framework
  // that is not an SDK service's (Spark, a hand-made one) labels none.
  return { roles, principal: view.principal, frameworkIds: [], includeUnlabeled: false };
}

export interface RemainingReservations {
  frameworkId: string;
  roles: string[];
  principal?: string;
  agents: number;
  volumes: number;
  resources: number;
  cleanup?: string;
}

/** What the torn-down frameworks still hold, from one read of the agents. */
export async function remainingReservations(
  clients: CleanupClients,
  views: FrameworkView[],
  ownership: Ownership,
): Promise<RemainingReservations[]> {
  const withRoles = views.filter((view) => view.principal && view.roles.length > 0);
  if (withRoles.length === 0) return [];
  const slaves = await clients.mesos.getAgents();
  return withRoles
    .map((view) => {
      const target = targetOfFramework(view, ownership);
      let agents = 0;
      let volumes = 0;
      let resources = 0;
      for (const agent of slaves.slaves) {
        const plan = planAgentCleanup(agent, target);
        const held = plan.volumes.length + plan.reservations.length + plan.inUse.length;
        if (held > 0) agents++;
        volumes += plan.volumes.length;
        resources += held;
      }
      const request = cleanupRequestFor(view, ownership);
      return {
        frameworkId: view.id,
        roles: target.roles,
        principal: view.principal,
        agents,
        volumes,
        resources,
        cleanup: request ? cleanupCommandLine(request) : undefined,
      };
    })
    .filter((remaining) => remaining.resources > 0);
}

/**
 * What a framework reserved: its role and principal, labelled with its own id or not
 * labelled at all, minus what a live framework of another name in the same role and
 * principal could claim (docs/ownership.md).
 */
function targetOfFramework(view: FrameworkView, ownership: Ownership): CleanupTarget {
  const roles = view.roles.filter((role) => role !== '*' && role !== 'slave_public');
  const principal = view.principal as string;
  const foreignFrameworks: CleanupTarget['foreignFrameworks'] = {};
  for (const framework of [...ownership.registered, ...ownership.completed]) {
    if (framework.id !== view.id && !sameName(framework.name, view.name)) foreignFrameworks[framework.id] = 'sibling';
  }
  const claimants = roles.flatMap((role) =>
    ownership.liveClaimants(role, principal, [view.name]).map((framework) => framework.id),
  );
  return {
    roles,
    principals: [principal],
    frameworkNames: [view.name],
    frameworkIds: [view.id],
    onlyFrameworkIds: [],
    foreignFrameworks,
    claimants,
    includeUnlabeled: true,
  };
}

function isoTime(seconds: number | undefined): string | undefined {
  return seconds ? new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined;
}

export interface CleanupAfterTeardown {
  frameworkId: string;
  plan: CleanupPlan;
  outcome?: CleanupOutcome;
  verification?: Verification;
  /** Why the cleanup did not run (the service can still run: an app kept with --keep-app...). */
  refused?: Blocker[];
}

/** `teardown --cleanup`: the cleanup of what each torn-down framework reserved, already confirmed. */
export async function cleanUpAfterTeardown(
  clients: CleanupClients,
  ownership: Ownership,
  views: FrameworkView[],
  remaining: RemainingReservations[],
  options: CleanupOptions,
  progress: Progress,
  showPlan: (plan: CleanupPlan) => void,
): Promise<CleanupAfterTeardown[]> {
  const results: CleanupAfterTeardown[] = [];
  for (const view of views) {
    const request = cleanupRequestFor(view, ownership);
    // By service name the znode is cleaned too, so it runs even with no reservation left.
    if (!request || (request.service === undefined && !remaining.some((left) => left.frameworkId === view.id)))
      continue;
    const plan = await planCleanup(clients, request, progress);
    showPlan(plan);
    if (plan.blockers.length > 0) {
      progress.step(`Error: the cleanup of ${view.name} is refused: ${plan.blockers.map(describeBlocker).join(' | ')}`);
      results.push({ frameworkId: view.id, plan, refused: plan.blockers });
      continue;
    }
    const { outcome, verification } = await cleanUp(clients, plan, options, progress);
    results.push({ frameworkId: view.id, plan, outcome, verification });
  }
  return results;
}

import { CosmosClient, CosmosRefusal } from '../clients/cosmos';
import { SdkSchedulerClient } from '../clients/sdk-scheduler';
import { SdkPlan } from '../clients/sdk-scheduler-schemas';
import { sleep } from '../cluster/http';
import {
  PlanError,
  ServiceNotFoundError,
  StuckStepsError,
  TimedOutError,
  UnreachableError,
  UsageError,
} from '../errors';
import {
  CleanupClients,
  CleanupOptions,
  CleanupPlan,
  CleanupRequest,
  Verification,
  cleanUp,
  planCleanup,
  verificationOf,
} from './cleanup';
import { describeBlocker } from './actions';
import { deriveServiceNames } from './naming';
import { Progress, silentProgress } from './progress';
import { StuckStep, findStuckSteps, isUnreservePhase, readPlanWithStuckSteps } from './stuck-steps';
import { removeApp, tearDownAndWait } from './teardown';
import { plural } from '../text';

/**
 * `dcos janitor uninstall`: the documented manual uninstall of a stuck SDK service, automated. The SDK
 * route asks Cosmos
 * to uninstall and follows the scheduler's uninstall plan to the end (forcing the
 * steps stuck on gone agents, re-forcing them after a scheduler restart, removing a
 * zombie scheduler); the legacy route removes the app, tears the framework down and
 * cleans up. Both end with the same verification.
 */

export interface UninstallClients extends CleanupClients {
  cosmos: CosmosClient;
  sdk: SdkSchedulerClient;
}

export type Route = 'sdk' | 'legacy';

export interface UninstallRequest {
  service: string;
  /** Overrides for the cleanup of the legacy route. */
  cleanup: Pick<CleanupRequest, 'roles' | 'principal' | 'zkNode' | 'frameworkIds' | 'includeUnlabeled'>;
  manual: boolean;
}

export interface RouteChoice {
  route: Route;
  why: string;
}

/** What the service has on the cluster, and the route it will take. */
export interface Inventory {
  service: string;
  plan: CleanupPlan;
  dcosVersion?: string;
  route: RouteChoice;
  /** An SDK uninstall already started (SDK_UNINSTALL is set): its plan as the scheduler shows it now. */
  underWay?: UninstallUnderWay;
}

export interface UninstallUnderWay {
  status: string;
  /** "kill-tasks 2/2 COMPLETE", one per phase. */
  phases: Array<{ name: string; status: string; done: number; total: number }>;
  stuck: StuckStep[];
  /** Why the plan could not be read (the scheduler restarting, no Mesos access...). */
  unreadable?: string;
}

/**
 * What forcing a stuck unreserve step means for its resources, said the same way
 * everywhere (docs/reference/sdk-plans.md §5.3, §5.5): the scheduler stops waiting; nothing
 * is unreserved; the gone agent keeps what it held.
 */
export const FORCE_STUCK_MEANS =
  'Forcing a stuck step only tells the scheduler to stop waiting for the gone agent: nothing is unreserved, ' +
  'and what that agent held stays recorded on it. If it ever re-registers, clean it with dcos janitor cleanup.';

export function cleanupRequestOf(request: UninstallRequest): CleanupRequest {
  return { service: request.service, ...request.cleanup };
}

export async function readInventory(
  clients: UninstallClients,
  request: UninstallRequest,
  progress: Progress,
  dcosVersion: () => Promise<string | undefined>,
): Promise<Inventory> {
  const [plan, version] = await Promise.all([planCleanup(clients, cleanupRequestOf(request), progress), dcosVersion()]);
  const route = chooseRoute(plan, version, request.manual);
  const inventory: Inventory = { service: request.service, plan, dcosVersion: version, route };
  if (route.route === 'sdk' && plan.marathonApp?.env.SDK_UNINSTALL !== undefined)
    inventory.underWay = await readUnderWay(clients, request.service);
  return inventory;
}

/** The uninstall plan of an uninstall already started, and its stuck steps, before anything is asked. */
async function readUnderWay(clients: UninstallClients, service: string): Promise<UninstallUnderWay> {
  try {
    const { read, stuck, stuckUnknown } = await readPlanWithStuckSteps(clients.sdk, clients.mesos, service, 'deploy');
    const phases = (read.plan.phases ?? []).map((phase) => {
      const steps = phase.steps ?? [];
      return {
        name: phase.name ?? '?',
        status: phase.status ?? '?',
        done: steps.filter((step) => step.status === 'COMPLETE').length,
        total: steps.length,
      };
    });
    return {
      status: read.plan.status ?? '?',
      phases,
      stuck,
      unreadable: stuckUnknown ? `stuck steps unknown: ${stuckUnknown.message}` : undefined,
    };
  } catch (error) {
    if (!(error instanceof ServiceNotFoundError)) throw error;
    return { status: 'unknown', phases: [], stuck: [], unreadable: 'the scheduler does not answer (restarting?)' };
  }
}

/**
 * The SDK route needs an app that Cosmos installed with the SDK uninstall label,
 * on DC/OS >= 1.10 (Cosmos 0.4); everything else goes the manual way
 * (docs/reference/cosmos.md §3, reference/README.md version matrix).
 */
export function chooseRoute(plan: CleanupPlan, dcosVersion: string | undefined, manual: boolean): RouteChoice {
  const app = plan.marathonApp;
  if (manual) return { route: 'legacy', why: '--manual' };
  if (!app) return { route: 'legacy', why: 'no Marathon app is left: tear down and clean up what remains' };
  if (app.labels.DCOS_COMMONS_UNINSTALL === undefined)
    return { route: 'legacy', why: `app ${app.id} has no DCOS_COMMONS_UNINSTALL label: not an SDK uninstall` };
  if (!app.labels.DCOS_PACKAGE_NAME)
    return { route: 'legacy', why: `app ${app.id} was not installed by Cosmos (no DCOS_PACKAGE_NAME)` };
  if (dcosVersion && olderThan(dcosVersion, 1, 10))
    return { route: 'legacy', why: `DC/OS ${dcosVersion} has no SDK-aware uninstall (Cosmos < 0.4)` };
  return {
    route: 'sdk',
    why: `app ${app.id} is an SDK service (DCOS_COMMONS_UNINSTALL): Cosmos starts the scheduler's uninstall plan`,
  };
}

function olderThan(version: string, major: number, minor: number): boolean {
  const [a, b] = version.split('.').map(Number);
  return a < major || (a === major && b < minor);
}

export interface UninstallOptions {
  timeoutMs: number;
  pollMs: number;
  /** After the plan is COMPLETE, how long Cosmos gets to remove the app before we do (zombie). */
  graceMs: number;
  /** Scripted runs force stuck steps only when told to. */
  forceStuck: boolean;
  /** Interactive runs are asked; undefined: not interactive. */
  askToForce?: (stuck: StuckStep[]) => Promise<boolean>;
  cleanup: CleanupOptions;
  /** `apply`: only these frameworks are torn down (the reviewed plan's); undefined: every one of the service. */
  onlyFrameworkIds?: Set<string>;
  /**
   * Told the report as soon as it exists: it fills as the run goes, so a failure part-way can still
   * say what was done.
   */
  onReport?: (report: UninstallReport) => void;
}

export interface UninstallReport {
  route: Route;
  /** What was done, in order, for the report and --json. */
  actions: string[];
  forced: Array<{ phase: string; step: string }>;
  reapplied: number;
  zombieRemoved: boolean;
}

// ------------------------------------------------------------------ SDK route

export async function uninstallSdk(
  clients: UninstallClients,
  inventory: Inventory,
  request: UninstallRequest,
  options: UninstallOptions,
  progress: Progress,
): Promise<UninstallReport> {
  const app = inventory.plan.marathonApp;
  if (!app) throw new UsageError(`Service ${request.service} has no Marathon app: use --manual.`);
  const report: UninstallReport = { route: 'sdk', actions: [], forced: [], reapplied: 0, zombieRemoved: false };
  options.onReport?.(report);
  const deadline = Date.now() + options.timeoutMs;

  if (app.env.SDK_UNINSTALL !== undefined) {
    // Started before (by us, Cosmos or an operator): asking Cosmos again would restart the scheduler
    // and drop its overrides.
    progress.step(`The uninstall of ${request.service} is already under way (SDK_UNINSTALL is set): following it.`);
    report.actions.push('followed an uninstall already under way');
  } else {
    const packageName = app.labels.DCOS_PACKAGE_NAME;
    progress.step(`Asking Cosmos to uninstall ${packageName} ${app.id}...`);
    try {
      await clients.cosmos.uninstall(packageName, app.id);
    } catch (error) {
      const fallback = cosmosFallback(error, request.service);
      if (!fallback) throw error;
      progress.warn(`${fallback}; taking the manual route instead.`);
      const legacy = await uninstallLegacy(clients, request, options, progress);
      legacy.actions.unshift(`Cosmos could not start the uninstall (${fallback}): manual route`);
      return legacy;
    }
    report.actions.push(`Cosmos uninstall of ${packageName} ${app.id} started`);
  }

  await followUninstallPlan(clients, request.service, options, progress, report, deadline);
  await removeZombie(clients, app.id, options, progress, report, deadline);
  // The scheduler cannot delete its own root znode (ZooKeeper ACL), only its children;
  // whatever else is left is cleaned the cleanup way (docs/reference/sdk-plans.md §5.4).
  const plan = await planCleanup(clients, cleanupRequestOf(request), silentProgress);
  if (
    plan.blockers.length === 0 &&
    (plan.znode?.present || plan.agents.some((agent) => agent.volumes.length + agent.reservations.length > 0))
  ) {
    progress.step(
      `Removing what the scheduler leaves behind (${plan.znode?.present ? `/${plan.znode.node}` : 'reservations'})...`,
    );
    await cleanUp(clients, plan, options.cleanup, progress, false);
    report.actions.push('deleted the ZooKeeper node the scheduler left');
  }
  return report;
}

/** Which Cosmos refusals mean "start it by hand instead"; undefined for the others. */
function cosmosFallback(error: unknown, service: string): string | undefined {
  if (!(error instanceof CosmosRefusal)) return undefined;
  switch (error.type) {
    case 'PackageNotInstalled':
    case 'UninstallNonExistentAppForPackage':
      return `Cosmos does not know ${service} as an installed package ("${error.message}")`;
    case 'FailedToStartUninstall':
    case 'ServiceUnavailable':
      return `Cosmos could not start the uninstall ("${error.message}")`;
    case 'IncompleteUninstall':
      throw new UnreachableError(
        `Cosmos could not reach Mesos ("${error.message}"): check the masters ('dcos node list'), then re-run; the run is safe to repeat.`,
      );
    case 'AmbiguousAppId':
      throw new UsageError(`${error.message}: name the service exactly, e.g. dcos janitor uninstall /data/kafka.`);
    default:
      throw new UnreachableError(
        `Cosmos refused the uninstall: ${error.type}: ${error.message}. Re-run with --manual to uninstall without Cosmos.`,
      );
  }
}

interface PhaseProgress {
  status: string;
  done: number;
  total: number;
}

async function followUninstallPlan(
  clients: UninstallClients,
  service: string,
  options: UninstallOptions,
  progress: Progress,
  report: UninstallReport,
  deadline: number,
): Promise<void> {
  const wait = progress.wait(`Following the uninstall plan of ${service}`);
  try {
    await followPlan(clients, service, options, progress, report, deadline, (status) =>
      wait.update(`Following the uninstall plan of ${service}: ${status}`),
    );
  } finally {
    wait.end();
  }
}

async function followPlan(
  clients: UninstallClients,
  service: string,
  options: UninstallOptions,
  progress: Progress,
  report: UninstallReport,
  deadline: number,
  status: (text: string) => void,
): Promise<void> {
  const appId = deriveServiceNames(service).marathonAppId;
  await waitForDeployments(clients, appId, deadline, options.pollMs, progress);
  const shown = new Map<string, string>();
  const forced = new Set<string>();
  let lastChange = Date.now();
  let lastSignature = '';
  for (;;) {
    if (Date.now() > deadline) {
      throw new TimedOutError(
        `The uninstall plan of ${service} was not COMPLETE when --timeout ran out: see 'dcos janitor plan show ${service}', then re-run; it picks up where it stopped.`,
      );
    }
    let plan: SdkPlan;
    let httpStatus: number;
    try {
      ({ plan, httpStatus } = await clients.sdk.getPlan(service, 'deploy'));
    } catch (error) {
      if (!(error instanceof ServiceNotFoundError)) throw error;
      // Admin Router knows no running scheduler: restarting (after Cosmos' PUT), or gone.
      if (!(await clients.marathon.getApp(appId))) {
        progress.step('The scheduler app is gone: the uninstall plan has finished.');
        return;
      }
      progress.step('  waiting for the scheduler to (re)start...');
      await sleep(options.pollMs);
      continue;
    }
    if (!isUninstallPlan(plan)) {
      // Until Marathon has restarted it with SDK_UNINSTALL, the scheduler still serves its
      // normal deploy plan, which may well answer 200: that is not the uninstall finishing.
      progress.step('  waiting for the scheduler to restart in uninstall mode...');
      await sleep(options.pollMs);
      continue;
    }
    reportPhases(plan, shown, progress);
    const steps = stepsOf(plan);
    status(
      `${steps.filter(({ step }) => step.status === 'COMPLETE').length}/${plural(steps.length, 'step')} COMPLETE (${plan.status ?? '?'})`,
    );
    if (httpStatus === 200 || plan.status === 'COMPLETE') {
      progress.step('The uninstall plan is COMPLETE.');
      return;
    }
    if (httpStatus === 417 || plan.status === 'ERROR') {
      throw new PlanError(
        `The uninstall plan of ${service} is in ERROR: ${(plan.errors ?? []).join('; ') || 'a step failed'}. ` +
          `Retry the failed step (e.g. dcos janitor plan restart ${service} deploy tls-cleanup tls-cleanup), then re-run this command.`,
      );
    }
    // A scheduler restart rebuilds the plan and loses force-completes: apply them again, by name.
    const lost = stepsOf(plan).filter(
      ({ phase, step }) => forced.has(`${phase}/${step.name}`) && step.status !== 'COMPLETE',
    );
    if (lost.length > 0) {
      progress.warn(`the scheduler restarted and lost ${plural(lost.length, 'force-complete')}: applying them again.`);
      for (const { phase, step } of lost)
        await clients.sdk.command(service, 'deploy', 'forceComplete', { phase, step: step.name });
      report.reapplied += lost.length;
      continue;
    }
    const signature = JSON.stringify(stepsOf(plan).map(({ step }) => step.status));
    if (signature !== lastSignature) {
      lastSignature = signature;
      lastChange = Date.now();
    }
    const waitingOnUnreserve = stepsOf(plan).some(
      ({ phase, step }) => isUnreservePhase(phase) && step.status !== 'COMPLETE',
    );
    // Unreserve steps that have not moved for a few polls: are their agents gone?
    if (waitingOnUnreserve && Date.now() - lastChange >= options.pollMs * 3) {
      const stuck = findStuckSteps(plan, await clients.mesos.getAgents()).filter(
        (step) => !forced.has(`${step.phase}/${step.step}`),
      );
      if (stuck.length > 0) {
        await decideOnStuck(stuck, service, options, progress);
        for (const step of stuck) {
          await clients.sdk.command(service, 'deploy', 'forceComplete', { phase: step.phase, step: step.step });
          forced.add(`${step.phase}/${step.step}`);
          report.forced.push({ phase: step.phase, step: step.step });
        }
        report.actions.push(`force-completed ${plural(stuck.length, 'unreserve step')} stuck on gone agents`);
        continue;
      }
    }
    await sleep(options.pollMs);
  }
}

async function decideOnStuck(
  stuck: StuckStep[],
  service: string,
  options: UninstallOptions,
  progress: Progress,
): Promise<void> {
  const hosts = [...new Set(stuck.map((step) => step.agentHostname ?? 'a gone agent'))].join(', ');
  progress.warn(
    `${plural(stuck.length, 'unreserve step waits', 'unreserve steps wait')} for ${hosts}, which is not registered: ${stuck.length === 1 ? 'it' : 'they'} can never finish.`,
  );
  if (options.askToForce) {
    if (await options.askToForce(stuck)) return;
  } else if (options.forceStuck) {
    return;
  }
  throw new StuckStepsError(
    `The uninstall of ${service} is stuck on ${plural(stuck.length, 'unreserve step')} of agents that left the cluster: ` +
      `to finish the job: dcos janitor uninstall ${service} --force-stuck`,
    stuck,
  );
}

/** The uninstall plan ends with deregister-service; a finished, restarted scheduler serves an empty skeleton. */
function isUninstallPlan(plan: SdkPlan): boolean {
  const phases = plan.phases ?? [];
  return phases.length === 0 || phases.some((phase) => phase.name === 'deregister-service');
}

async function waitForDeployments(
  clients: UninstallClients,
  appId: string,
  deadline: number,
  pollMs: number,
  progress: Progress,
): Promise<void> {
  for (let polls = 0; ; polls++) {
    const app = await clients.marathon.getApp(appId);
    if (!app || (app.deployments ?? []).length === 0) return;
    if (Date.now() > deadline)
      throw new TimedOutError(
        `Marathon's deployment of ${appId} did not finish before --timeout: check 'dcos marathon deployment list'.`,
      );
    if (polls === 0) progress.step(`  waiting for Marathon to restart ${appId} with SDK_UNINSTALL...`);
    progress.update(
      `Waiting for Marathon to restart ${appId} with SDK_UNINSTALL (${Math.round((polls * pollMs) / 1000)} s)`,
    );
    await sleep(pollMs);
  }
}

function stepsOf(plan: SdkPlan): Array<{ phase: string; step: { name: string; status: string } }> {
  return (plan.phases ?? []).flatMap((phase) =>
    (phase.steps ?? [])
      .filter((step) => step.name)
      .map((step) => ({ phase: phase.name ?? '', step: { name: step.name as string, status: step.status ?? '' } })),
  );
}

/** One line per phase when its status or count of completed steps changes. */
function reportPhases(plan: SdkPlan, shown: Map<string, string>, progress: Progress): void {
  for (const phase of plan.phases ?? []) {
    const steps = phase.steps ?? [];
    const state: PhaseProgress = {
      status: phase.status ?? '?',
      done: steps.filter((step) => step.status === 'COMPLETE').length,
      total: steps.length,
    };
    const line = `  ${phase.name}: ${state.done}/${plural(state.total, 'step')} COMPLETE (${state.status})`;
    if (shown.get(phase.name ?? '') !== line) {
      shown.set(phase.name ?? '', line);
      progress.step(line);
    }
  }
}

/**
 * Cosmos removes the app once the plan answers 200; if its in-memory loop was lost
 * (a Cosmos restart), the finished scheduler stays: a zombie, removed here after a
 * grace period (docs/reference/cosmos.md §4).
 */
async function removeZombie(
  clients: UninstallClients,
  appId: string,
  options: UninstallOptions,
  progress: Progress,
  report: UninstallReport,
  deadline: number,
): Promise<void> {
  const graceEnd = Date.now() + options.graceMs;
  const seconds = Math.round(options.graceMs / 1000);
  if (await clients.marathon.getApp(appId))
    progress.step(`Waiting up to ${seconds} s for Cosmos to remove ${appId} (it does once the plan is COMPLETE)...`);
  const wait = progress.wait(`Waiting up to ${seconds} s for Cosmos to remove ${appId}`);
  try {
    while (Date.now() < graceEnd) {
      if (!(await clients.marathon.getApp(appId))) {
        report.actions.push('Cosmos removed the scheduler app');
        return;
      }
      await sleep(Math.min(options.pollMs, Math.max(0, graceEnd - Date.now())));
    }
  } finally {
    wait.end();
  }
  if (!(await clients.marathon.getApp(appId))) return;
  progress.warn(
    `the plan is COMPLETE but app ${appId} is still there after ${Math.round(options.graceMs / 1000)} s (a zombie scheduler: Cosmos lost its uninstall loop): removing it.`,
  );
  await removeApp(clients, appId, deadline, options.pollMs, progress);
  report.zombieRemoved = true;
  report.actions.push(`removed the zombie scheduler app ${appId}`);
}

// ------------------------------------------------------------------ legacy route

/** App removed, framework torn down, then the cleanup of the first issue (the documentation's "manual uninstall"). */
export async function uninstallLegacy(
  clients: UninstallClients,
  request: UninstallRequest,
  options: UninstallOptions,
  progress: Progress,
): Promise<UninstallReport> {
  const report: UninstallReport = { route: 'legacy', actions: [], forced: [], reapplied: 0, zombieRemoved: false };
  options.onReport?.(report);
  const deadline = Date.now() + options.timeoutMs;
  const names = deriveServiceNames(request.service);
  if (await clients.marathon.getApp(names.marathonAppId)) {
    await removeApp(clients, names.marathonAppId, deadline, options.pollMs, progress);
    report.actions.push(`removed Marathon app ${names.marathonAppId}`);
  }
  const before = await planCleanup(clients, cleanupRequestOf(request), silentProgress);
  for (const framework of before.frameworks) {
    if (options.onlyFrameworkIds && !options.onlyFrameworkIds.has(framework.id)) continue;
    const result = await tearDownAndWait(clients, framework, deadline, options.pollMs, progress);
    report.actions.push(
      `${result === 'torn-down' ? 'tore down' : 'found already torn down'} framework ${framework.name} (${framework.id})`,
    );
  }
  const plan = await planCleanup(clients, cleanupRequestOf(request), progress);
  if (plan.blockers.length > 0)
    throw new UsageError(
      `The cleanup of ${request.service} is still blocked: ${plan.blockers.map(describeBlocker).join(' | ')}`,
    );
  const { outcome } = await cleanUp(clients, plan, options.cleanup, progress, false);
  report.actions.push(
    `destroyed ${plural(outcome.volumesDestroyed, 'volume')} and unreserved ${plural(outcome.resourcesUnreserved, 'resource')}; znode ${outcome.znode}`,
  );
  return report;
}

// ------------------------------------------------------------------ verification

/** No app, no framework (active or inactive), no task, no reservation or volume, no znode. */
export async function verifyUninstalled(
  clients: UninstallClients,
  request: UninstallRequest,
  progress: Progress,
): Promise<{ verification: Verification; fresh: CleanupPlan }> {
  progress.step(`Verifying that nothing of ${request.service} is left...`);
  const fresh = await planCleanup(clients, cleanupRequestOf(request), silentProgress);
  const verification = verificationOf(fresh, undefined, (leftover) =>
    leftover.kind === 'app' ? { ...leftover, hint: `${leftover.hint} (or --manual)` } : leftover,
  );
  return { verification, fresh };
}

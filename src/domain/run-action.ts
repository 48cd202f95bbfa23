import { NothingFoundError } from '../errors';
import { CleanupRequest, JanitorAction, describeBlocker } from './actions';
import { CleanupOptions, cleanUp, planCleanup } from './cleanup';
import { tracesOf } from './not-found';
import { Progress } from './progress';
import {
  cleanUpAfterTeardown,
  readClusterView,
  remainingReservations,
  selectFrameworks,
  tearDownFramework,
} from './teardown';
import { UninstallClients, UninstallRequest, readInventory, uninstallLegacy, uninstallSdk } from './uninstall';

/**
 * One JanitorAction run by the same domain code as the command it names: what `audit --fix`
 * runs for a finding and `apply` runs for a reviewed plan's step. Work already done (an
 * earlier step took it, or an interrupted run) is "nothing-left", not a failure.
 */

export interface ActionOptions {
  timeoutMs: number;
  pollMs: number;
  graceMs: number;
  /** With `only` (apply): nothing outside the reviewed plan's resources is destroyed or unreserved. */
  cleanup: CleanupOptions;
  extraSystemNames: string[];
  /** The DC/OS version an uninstall's route is chosen with; none: the SDK route wherever the app allows it. */
  dcosVersion?: () => Promise<string | undefined>;
  /** teardown --keep-app: the app that relaunches the scheduler stays. */
  keepApp?: boolean;
  /** `apply`: the manual uninstall tears down only these frameworks (the plan's), whatever registered since. */
  onlyFrameworkIds?: Set<string>;
}

export interface ActionResult {
  result: 'done' | 'nothing-left' | 'refused';
  detail?: string;
}

export async function runAction(
  clients: UninstallClients,
  action: JanitorAction,
  options: ActionOptions,
  progress: Progress,
): Promise<ActionResult> {
  switch (action.kind) {
    case 'uninstall':
      return uninstall(clients, action, options, progress);
    case 'teardown':
      return teardown(clients, action, options, progress);
    case 'cleanup':
      return cleanup(clients, action.request, options, progress);
  }
}

async function uninstall(
  clients: UninstallClients,
  action: Extract<JanitorAction, { kind: 'uninstall' }>,
  options: ActionOptions,
  progress: Progress,
): Promise<ActionResult> {
  const request: UninstallRequest = {
    service: action.service,
    manual: action.manual,
    cleanup: { roles: [], frameworkIds: [], includeUnlabeled: false },
  };
  const inventory = await readInventory(clients, request, progress, options.dcosVersion ?? (async () => undefined));
  if (tracesOf(inventory.plan).length === 0) return { result: 'nothing-left' };
  const uninstallOptions = {
    timeoutMs: options.timeoutMs,
    pollMs: options.pollMs,
    graceMs: options.graceMs,
    forceStuck: action.forceStuck,
    cleanup: options.cleanup,
    onlyFrameworkIds: options.onlyFrameworkIds,
  };
  if (inventory.route.route === 'sdk') await uninstallSdk(clients, inventory, request, uninstallOptions, progress);
  else await uninstallLegacy(clients, request, uninstallOptions, progress);
  return { result: 'done' };
}

async function teardown(
  clients: UninstallClients,
  action: Extract<JanitorAction, { kind: 'teardown' }>,
  options: ActionOptions,
  progress: Progress,
): Promise<ActionResult> {
  const cluster = await readClusterView(clients, options.extraSystemNames);
  let views;
  try {
    views = selectFrameworks({ frameworkIds: [action.frameworkId] }, cluster).selected;
  } catch (error) {
    if (error instanceof NothingFoundError) return { result: 'nothing-left' };
    throw error;
  }
  for (const view of views)
    await tearDownFramework(
      clients,
      view,
      { keepApp: options.keepApp === true, timeoutMs: options.timeoutMs, pollMs: options.pollMs },
      progress,
    );
  if (!action.cleanup) return { result: 'done' };
  const remaining = await remainingReservations(clients, views, cluster.ownership);
  const cleanups = await cleanUpAfterTeardown(
    clients,
    cluster.ownership,
    views,
    remaining,
    options.cleanup,
    progress,
    () => undefined,
  );
  const refused = cleanups.find((entry) => entry.refused);
  return refused
    ? { result: 'refused', detail: refused.refused?.map(describeBlocker).join(' | ') }
    : { result: 'done' };
}

async function cleanup(
  clients: UninstallClients,
  request: CleanupRequest,
  options: ActionOptions,
  progress: Progress,
): Promise<ActionResult> {
  const plan = await planCleanup(clients, request, progress);
  if (tracesOf(plan).length === 0) return { result: 'nothing-left' };
  if (plan.blockers.length > 0) return { result: 'refused', detail: plan.blockers.map(describeBlocker).join(' | ') };
  await cleanUp(clients, plan, options.cleanup, progress, false);
  return { result: 'done' };
}

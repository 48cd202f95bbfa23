import { NothingFoundError } from '../errors';
import { FIX_ORDER, Finding } from './audit';
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
 * `audit --fix`: for one service, the fixes of its findings in a safe order (stop what
 * relaunches, tear down, clean, then the znode), each run by the same domain code as
 * the command it names. A fix that finds its work already done (an earlier fix of the
 * same service took it, or a run that was interrupted) is a success.
 */

export interface FixOptions {
  timeoutMs: number;
  pollMs: number;
  graceMs: number;
  cleanup: CleanupOptions;
  extraSystemNames: string[];
}

export interface FixStep {
  command: string;
  /** `dry-run`: what --fix --dry-run says it would run. */
  result: 'done' | 'nothing-left' | 'refused' | 'dry-run';
  detail?: string;
}

/** The findings' fixes that --fix may run (owner certain, nothing alive), deduplicated, in the order they must run. */
export function fixPlan(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  const ordered = [...findings]
    .filter((finding) => finding.action && finding.autoFix)
    .sort((a, b) => FIX_ORDER.indexOf(a.kind) - FIX_ORDER.indexOf(b.kind));
  // An uninstall removes the app, the frameworks, the reservations and the znode of its
  // service: nothing else of that service needs a command of its own.
  const uninstall = ordered.find((finding) => finding.action?.kind === 'uninstall');
  return ordered.filter((finding) => {
    if (uninstall && finding !== uninstall && finding.service === uninstall.service) return false;
    const key = finding.fix?.command ?? '';
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Findings --fix leaves to the operator, with why: their commands are printed, never run. */
export function manualFixes(findings: Finding[]): Finding[] {
  return findings.filter((finding) => finding.action && !finding.autoFix);
}

/**
 * Runs one finding's action, exactly the data its printed command was made from, after
 * `recheck` confirmed from a fresh read that it is still found, still certain and still not
 * alive (a scheduler may have come back since the audit).
 */
export async function runFix(
  clients: UninstallClients,
  finding: Finding,
  options: FixOptions,
  progress: Progress,
  recheck: (finding: Finding) => Promise<Finding | undefined>,
): Promise<FixStep> {
  const action = finding.action;
  const command = finding.fix?.command ?? '';
  if (!action) return { command, result: 'nothing-left' };
  const current = await recheck(finding);
  if (!current) return { command, result: 'nothing-left', detail: 'a fresh read no longer finds it' };
  if (!current.autoFix)
    return {
      command,
      result: 'refused',
      detail: `a fresh read shows ${current.manualBecause ?? 'it may not be fixed unattended'}`,
    };
  progress.step(`Running: ${command}`);
  switch (action.kind) {
    case 'uninstall':
      return { command, ...(await uninstall(clients, action, options, progress)) };
    case 'teardown':
      return { command, ...(await teardown(clients, action, options, progress)) };
    case 'cleanup':
      return { command, ...(await cleanup(clients, action.request, options, progress)) };
  }
}

async function uninstall(
  clients: UninstallClients,
  action: Extract<JanitorAction, { kind: 'uninstall' }>,
  options: FixOptions,
  progress: Progress,
): Promise<Omit<FixStep, 'command'>> {
  const request: UninstallRequest = {
    service: action.service,
    manual: action.manual,
    cleanup: { roles: [], frameworkIds: [], includeUnlabeled: false },
  };
  const inventory = await readInventory(clients, request, progress, async () => undefined);
  if (tracesOf(inventory.plan).length === 0) return { result: 'nothing-left' };
  const uninstallOptions = {
    timeoutMs: options.timeoutMs,
    pollMs: options.pollMs,
    graceMs: options.graceMs,
    forceStuck: action.forceStuck,
    cleanup: options.cleanup,
  };
  if (inventory.route.route === 'sdk') await uninstallSdk(clients, inventory, request, uninstallOptions, progress);
  else await uninstallLegacy(clients, request, uninstallOptions, progress);
  return { result: 'done' };
}

async function teardown(
  clients: UninstallClients,
  action: Extract<JanitorAction, { kind: 'teardown' }>,
  options: FixOptions,
  progress: Progress,
): Promise<Omit<FixStep, 'command'>> {
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
      { keepApp: false, timeoutMs: options.timeoutMs, pollMs: options.pollMs },
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
  options: FixOptions,
  progress: Progress,
): Promise<Omit<FixStep, 'command'>> {
  const plan = await planCleanup(clients, request, progress);
  if (tracesOf(plan).length === 0) return { result: 'nothing-left' };
  if (plan.blockers.length > 0) return { result: 'refused', detail: plan.blockers.map(describeBlocker).join(' | ') };
  await cleanUp(clients, plan, options.cleanup, progress, false);
  return { result: 'done' };
}

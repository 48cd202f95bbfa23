import { NothingFoundError } from '../errors';
import { FIX_ORDER, Finding } from './audit';
import { CleanupOptions, CleanupRequest, cleanUp, planCleanup } from './cleanup';
import { tracesOf } from './not-found';
import { Progress } from './progress';
import { cleanUpAfterTeardown, readClusterView, remainingReservations, selectFrameworks, tearDownFramework } from './teardown';
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
  result: 'done' | 'nothing-left' | 'refused';
  detail?: string;
}

/** The findings' fixes, deduplicated, in the order they must run. */
export function fixPlan(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  const ordered = [...findings].filter((finding) => finding.fix).sort((a, b) => FIX_ORDER.indexOf(a.kind) - FIX_ORDER.indexOf(b.kind));
  // An uninstall removes the app, the frameworks, the reservations and the znode of its
  // service: nothing else of that service needs a command of its own.
  const uninstall = ordered.find((finding) => finding.fix?.argv[2] === 'uninstall');
  return ordered.filter((finding) => {
    if (uninstall && finding !== uninstall && finding.service === uninstall.service) return false;
    const key = finding.fix?.command ?? '';
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export async function runFix(clients: UninstallClients, finding: Finding, options: FixOptions, progress: Progress): Promise<FixStep> {
  const fix = finding.fix;
  if (!fix) return { command: '', result: 'nothing-left' };
  const [, , verb, ...args] = fix.argv;
  progress.step(`Running: ${fix.command}`);
  switch (verb) {
    case 'uninstall':
      return { command: fix.command, ...(await uninstall(clients, args, options, progress)) };
    case 'teardown':
      return { command: fix.command, ...(await teardown(clients, args, options, progress)) };
    case 'cleanup':
      return { command: fix.command, ...(await cleanup(clients, args, options, progress)) };
    default:
      throw new Error(`audit: no fix runs '${verb}'`);
  }
}

async function uninstall(clients: UninstallClients, args: string[], options: FixOptions, progress: Progress): Promise<Omit<FixStep, 'command'>> {
  const request: UninstallRequest = {
    service: args[0],
    manual: args.includes('--manual'),
    cleanup: { roles: [], frameworkIds: [], includeUnlabeled: false },
  };
  const inventory = await readInventory(clients, request, progress, async () => undefined);
  if (tracesOf(inventory.plan).length === 0) return { result: 'nothing-left' };
  const uninstallOptions = { timeoutMs: options.timeoutMs, pollMs: options.pollMs, graceMs: options.graceMs, forceStuck: true, cleanup: options.cleanup };
  if (inventory.route.route === 'sdk') await uninstallSdk(clients, inventory, request, uninstallOptions, progress);
  else await uninstallLegacy(clients, request, uninstallOptions, progress);
  return { result: 'done' };
}

async function teardown(clients: UninstallClients, args: string[], options: FixOptions, progress: Progress): Promise<Omit<FixStep, 'command'>> {
  const frameworkId = args[args.indexOf('--framework-id') + 1];
  const cluster = await readClusterView(clients);
  let views;
  try {
    views = selectFrameworks({ frameworkIds: [frameworkId] }, cluster, options.extraSystemNames).selected;
  } catch (error) {
    if (error instanceof NothingFoundError) return { result: 'nothing-left' };
    throw error;
  }
  for (const view of views) await tearDownFramework(clients, view, { keepApp: false, timeoutMs: options.timeoutMs, pollMs: options.pollMs }, progress);
  const remaining = await remainingReservations(clients, views);
  const cleanups = await cleanUpAfterTeardown(clients, views, remaining, options.cleanup, progress, () => undefined);
  const refused = cleanups.find((entry) => entry.refused);
  return refused ? { result: 'refused', detail: refused.refused?.join(' | ') } : { result: 'done' };
}

async function cleanup(clients: UninstallClients, args: string[], options: FixOptions, progress: Progress): Promise<Omit<FixStep, 'command'>> {
  const value = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const request: CleanupRequest = {
    service: value('--service'),
    roles: value('-r') ? [value('-r') as string] : [],
    principal: value('-p'),
    frameworkIds: [],
    includeUnlabeled: args.includes('--include-unlabeled'),
  };
  const plan = await planCleanup(clients, request, progress);
  if (tracesOf(plan).length === 0) return { result: 'nothing-left' };
  if (plan.blockers.length > 0) return { result: 'refused', detail: plan.blockers.join(' | ') };
  await cleanUp(clients, plan, options.cleanup, progress, false);
  return { result: 'done' };
}

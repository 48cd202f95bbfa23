import { FIX_ORDER, Finding } from './audit';
import { Progress } from './progress';
import { ActionOptions, runAction } from './run-action';
import { UninstallClients } from './uninstall';

/**
 * `audit --fix`: for one service, the fixes of its findings in a safe order (stop what
 * relaunches, tear down, clean, then the znode), each run by the same domain code as
 * the command it names. A fix that finds its work already done (an earlier fix of the
 * same service took it, or a run that was interrupted) is a success.
 */

export type FixOptions = ActionOptions;

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
  return { command, ...(await runAction(clients, action, options, progress)) };
}

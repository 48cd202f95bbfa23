import { Flags } from '@oclif/core';

import { JanitorCommand } from '../../cli/janitor-command';
import { AuditReport, FINDING_KINDS, Finding, FindingKind, auditCluster, readCluster } from '../../domain/audit';
import { FixStep, fixPlan, manualFixes, runFix } from '../../domain/audit-fix';
import { OUT_FLAG } from '../../cli/plan-file';
import { observeStep, plannedStep } from '../../domain/saved-plan';
import { AbortedError, ExitCode, UsageError } from '../../errors';
import {
  actionableFindings,
  auditJson,
  groupByService,
  renderAudit,
  renderFixSteps,
  renderManualFixes,
  renderServiceFindings,
  renderWouldRun,
} from '../../render/audit';
import { EMPTY_AUDIT, AuditResult } from '../../render/results';

export default class Audit extends JanitorCommand<AuditResult> {
  static summary = 'List every leftover on the cluster, whose it was, and the command to remove it.';

  static description =
    'One read of Mesos, Marathon, ZooKeeper (Exhibitor) and Cosmos, plus the plan of each SDK service being uninstalled: ' +
    'reservations no registered framework holds, reservations of completed frameworks, orphaned frameworks, crash-looping and ' +
    'zombie schedulers, stuck uninstalls, stale dcos-service-* nodes and unregistered agents, grouped by the service they most ' +
    'likely belonged to. Whatever a live framework could still use is never a finding. Exit 0 when clean (an unregistered agent is only a notice), 3 when anything is ' +
    "found. --fix runs each service's fixes in a safe order after a confirmation, then audits again.";

  static examples = [
    { description: 'What is left on the cluster, and whose', command: '<%= config.bin %> janitor audit' },
    {
      description: 'Only the reservations, as JSON for a pipeline',
      command:
        '<%= config.bin %> janitor audit --kind orphaned-reservations --kind completed-framework-reservations --json',
    },
    { description: 'Fix everything, confirming each service', command: '<%= config.bin %> janitor audit --fix' },
  ];

  static flags = {
    kind: Flags.string({
      description: 'Only findings of this kind (repeatable).',
      options: FINDING_KINDS,
      multiple: true,
    }),
    'older-than': Flags.string({
      description:
        'A framework inactive, disconnected or idle for less than this is not a finding yet (e.g. 10m, 2h, 1d).',
      default: '10m',
    }),
    fix: Flags.boolean({
      description:
        'Fix what was found, service by service, after a confirmation each (--yes for all); then audit again.',
      default: false,
    }),
    'dry-run': Flags.boolean({
      description: 'With --fix: show the fixes it would run and those it leaves to you; change nothing.',
      default: false,
    }),
    out: OUT_FLAG,
    yes: Flags.boolean({
      char: 'y',
      description: 'With --fix: do not ask (required when stdin is not a terminal).',
      default: false,
    }),
    wide: Flags.boolean({
      description: 'Every service and finding, lines not fitted to the terminal.',
      default: false,
    }),
    concurrency: Flags.integer({
      description: 'Plan reads, and agents cleaned, at once.',
      default: 32,
      min: 1,
      max: 256,
      env: 'DCOS_JANITOR_CONCURRENCY',
    }),
    timeout: Flags.integer({
      description: 'With --fix: seconds each fix may wait (app removals, teardowns, uninstall plans).',
      default: 1800,
      min: 1,
      env: 'DCOS_JANITOR_TIMEOUT',
    }),
    grace: Flags.integer({
      description: 'With --fix: seconds Cosmos gets to remove a finished scheduler before it is removed as a zombie.',
      default: 30,
      min: 0,
      env: 'DCOS_JANITOR_GRACE',
    }),
    'poll-ms': Flags.integer({
      description: 'Milliseconds between two reads while waiting.',
      default: 2000,
      min: 10,
      hidden: true,
    }),
  };

  protected override emptyResult(): AuditResult {
    return EMPTY_AUDIT;
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Audit);
    this.configure(flags);
    this.checkOut(flags.out, flags.fix && flags['dry-run'], '--fix --dry-run');
    const olderThanMs = parseDuration(flags['older-than']);
    const clients = this.uninstallClients(await this.clusterClients());
    const progress = this.progress();
    const view = this.view(flags.wide);
    const audit = async (): Promise<AuditReport> => {
      progress.step('Reading the cluster: agents, frameworks, Marathon apps, ZooKeeper, Cosmos...');
      const snapshot = await readCluster(clients, { concurrency: flags.concurrency });
      const report = auditCluster(
        snapshot,
        { olderThanMs, concurrency: flags.concurrency, now: Date.now() },
        this.extraSystemFrameworks(),
      );
      const kinds = flags.kind as FindingKind[] | undefined;
      return kinds
        ? { ...report, findings: report.findings.filter((finding) => kinds.includes(finding.kind)) }
        : report;
    };

    const report = await audit();
    if (flags['dry-run'] && flags.fix && flags.out) {
      // Every fix, in the order --fix runs them, each observed as its command would see it.
      const context = this.observeContext(clients);
      const steps = [];
      for (const [, group] of groupByService(report.findings))
        for (const finding of fixPlan(group))
          if (finding.action)
            steps.push(plannedStep(finding.action, false, await observeStep(clients, finding.action, false, context)));
      await this.savePlan(flags.out, steps);
    }
    if (flags['dry-run'] && flags.fix) {
      // Every fix --fix would run, in its order, service by service; and those it leaves to the operator.
      const code = actionableFindings(report).length === 0 ? ExitCode.OK : ExitCode.LEFTOVERS;
      const manual = manualFixes(report.findings);
      const wouldRun = [...groupByService(report.findings)]
        .map(([service, group]) => ({
          service,
          steps: fixPlan(group).map((finding) => ({ command: finding.fix?.command ?? '', result: 'dry-run' as const })),
        }))
        .filter((entry) => entry.steps.length > 0);
      if (flags.json) {
        this.printResult(
          {
            ...auditJson(report, code),
            before: auditJson(report, 0).findings,
            fixed: wouldRun,
            leftToOperator: auditJson({ ...report, findings: manual }, 0).findings,
          },
          code,
        );
      } else {
        this.log(renderAudit(report, view));
        this.log(`\n${renderWouldRun(wouldRun, view)}`);
        if (manual.length > 0) this.log(`\n${renderManualFixes(manual, view)}`);
        this.log('\nDry run: nothing was changed.');
      }
      return this.setExitCode(code);
    }
    if (!flags.fix) {
      const code = actionableFindings(report).length === 0 ? ExitCode.OK : ExitCode.LEFTOVERS;
      if (flags.json) this.printResult(auditJson(report, code), code);
      else this.log(renderAudit(report, view));
      return this.setExitCode(code);
    }

    if (!flags.json) this.log(renderAudit(report, view));
    const fixOptions = {
      timeoutMs: flags.timeout * 1000,
      pollMs: flags['poll-ms'],
      graceMs: flags.grace * 1000,
      cleanup: this.cleanupOptions(flags.concurrency, 2),
      extraSystemNames: this.extraSystemFrameworks(),
    };
    // Each fix is checked against a fresh read just before it runs: still found, still certain, still not alive.
    const recheck = async (finding: Finding): Promise<Finding | undefined> =>
      (await audit()).findings.find(
        (fresh) =>
          fresh.kind === finding.kind &&
          fresh.service === finding.service &&
          fresh.fix?.command === finding.fix?.command,
      );
    const fixed: Array<{ service: string; steps: FixStep[]; skipped?: string }> = [];
    const manual = manualFixes(report.findings);
    // A fix that fails part-way still leaves the audit before and the fixes done so far in the document.
    this.resultSoFar({
      ...auditJson(report, 0),
      before: auditJson(report, 0).findings,
      fixed,
      leftToOperator: auditJson({ ...report, findings: manual }, 0).findings,
    });
    for (const [service, group] of groupByService(report.findings)) {
      const plan = fixPlan(group);
      if (plan.length === 0) continue;
      if (!flags.json) this.log(`\n${renderServiceFindings(service, group, view)}`);
      try {
        await this.confirm(
          `Fix ${service}: run ${plan.map((finding) => finding.fix?.command).join(', then ')}? What they remove (volumes, reservations, ZooKeeper state) cannot be recovered.`,
          `fix ${service}`,
          flags.yes,
        );
      } catch (error) {
        if (!(error instanceof AbortedError)) throw error;
        fixed.push({ service, steps: [], skipped: 'declined' });
        continue;
      }
      const steps: FixStep[] = [];
      for (const finding of plan) steps.push(await runFix(clients, finding, fixOptions, progress, recheck));
      fixed.push({ service, steps });
      if (!flags.json) this.log(renderFixSteps(service, steps, view));
    }
    if (!flags.json && manual.length > 0) this.log(`\n${renderManualFixes(manual, view)}`);

    const after = await audit();
    const code = actionableFindings(after).length === 0 ? ExitCode.OK : ExitCode.LEFTOVERS;
    const result = {
      ...auditJson(after, code),
      before: auditJson(report, 0).findings,
      fixed,
      leftToOperator: auditJson({ ...report, findings: manual }, 0).findings,
    };
    this.resultSoFar(result);
    if (flags.json) this.printResult(result, code);
    else this.log(`\nAfter the fixes:\n${renderAudit(after, view)}`);
    this.setExitCode(code);
  }
}

/** "10m", "2h", "1d", "90s", or a number of seconds; `flag` names it in the error. */
export function parseDuration(text: string, flag = '--older-than'): number {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)?$/.exec(text.trim());
  if (!match) throw new UsageError(`${flag} '${text}' is not a duration: give e.g. 10m, 2h or 1d.`);
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(match[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit * 1000;
}

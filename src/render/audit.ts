import { AuditReport, Finding } from '../domain/audit';
import { FixStep } from '../domain/audit-fix';
import { plural, wrap, wrapCommand } from '../text';
import { Column, renderColumns } from './columns';
import { ViewOptions } from './cleanup';

/** Text views of `dcos janitor audit`: a summary per service, then each service's findings and fix. */

export function renderAudit(report: AuditReport, view: ViewOptions): string {
  const { findings } = report;
  const read = report.read;
  const header = `Read ${plural(read.agents, 'agent')}, ${plural(read.frameworks, 'framework')}, ${plural(read.apps, 'Marathon app')}, ${plural(read.znodes, 'top-level znode')}, ${plural(read.plans, 'uninstall plan')}.`;
  const notices = findings.filter((finding) => !finding.fix);
  const noticeLines = notices.map((finding) => wrap(`Notice: ${finding.summary}.`, view.width, '  '));
  if (notices.length === findings.length) {
    return [
      wrap(header, view.width),
      'No leftovers: everything on the cluster belongs to a live service.',
      ...noticeLines,
    ].join('\n');
  }
  const services = groupByService(findings.filter((finding) => finding.fix));
  const actionable = findings.length - notices.length;
  const lines = [
    wrap(header, view.width),
    ...noticeLines,
    wrap(`${plural(actionable, 'finding')} for ${plural(services.size, 'service')}:`, view.width),
    '',
  ];
  const columns: Column[] = [
    { header: 'Service', shrink: 1, min: 12 },
    { header: 'Owner', shrink: 0 },
    { header: 'Findings', shrink: 2, min: 16 },
  ];
  const rows = [...services].map(([service, group]) => [service, group[0].ownerCertainty, kindsOf(group)]);
  const shown = view.wide ? rows : rows.slice(0, view.maxRows);
  lines.push(renderColumns(columns, shown, view.width));
  if (shown.length < rows.length)
    lines.push(`... and ${plural(rows.length - shown.length, 'more service')} (--wide or --json for all)`);
  let detailed = 0;
  for (const [service, group] of services) {
    if (!view.wide && detailed >= view.maxRows) break;
    detailed++;
    lines.push('', renderServiceFindings(service, group, view));
  }
  return lines.join('\n');
}

export function renderServiceFindings(service: string, group: Finding[], view: ViewOptions): string {
  const lines = [wrap(`${service} (owner ${group[0].ownerCertainty}: ${group[0].ownerReason})`, view.width, '    ')];
  for (const finding of group) {
    lines.push(wrap(`  ${finding.kind}: ${finding.summary}`, view.width, '      '));
    if (!finding.fix) lines.push(wrap(`    fix: none: ${finding.advice ?? 'a notice'}`, view.width, '      '));
    else {
      lines.push(
        wrapCommand(
          finding.autoFix ? '    fix: ' : '    fix (by hand): ',
          finding.fix.command,
          view.width,
          '         ',
        ),
      );
      if (finding.manualBecause)
        lines.push(wrap(`    not run by --fix: ${finding.manualBecause}`, view.width, '      '));
    }
  }
  return lines.join('\n');
}

/** What --fix left to the operator: each command, and why it was not run unattended. */
export function renderManualFixes(findings: Finding[], view: ViewOptions): string {
  const lines = [
    wrap(
      `Left to you (${plural(findings.length, 'finding')}): --fix runs only what is certainly a leftover and no longer lives. Check each, then run:`,
      view.width,
    ),
  ];
  for (const finding of findings) {
    lines.push(wrap(`  ${finding.service}: ${finding.kind}: ${finding.manualBecause ?? ''}`, view.width, '    '));
    if (finding.fix) lines.push(wrapCommand('    ', finding.fix.command, view.width, '        '));
  }
  return lines.join('\n');
}

/** What `audit --fix --dry-run` would run, service by service, in the order it would. */
export function renderWouldRun(
  entries: Array<{ service: string; steps: Array<{ command: string }> }>,
  view: ViewOptions,
): string {
  if (entries.length === 0) return 'With --fix, nothing would run unattended.';
  const lines = ['With --fix, it would run (each after your confirmation, or --yes):'];
  for (const entry of entries) {
    lines.push(`  ${entry.service}:`);
    for (const step of entry.steps) lines.push(wrapCommand('    ', step.command, view.width, '        '));
  }
  return lines.join('\n');
}

export function renderFixSteps(service: string, steps: FixStep[], view: ViewOptions): string {
  return steps
    .map((step) =>
      wrap(
        `${service}: ${step.command} -> ${step.result === 'nothing-left' ? 'nothing left to do' : step.result}${step.detail ? ` (${step.detail})` : ''}`,
        view.width,
        '    ',
      ),
    )
    .join('\n');
}

export function groupByService(findings: Finding[]): Map<string, Finding[]> {
  const services = new Map<string, Finding[]>();
  for (const finding of findings) services.set(finding.service, [...(services.get(finding.service) ?? []), finding]);
  return services;
}

function kindsOf(group: Finding[]): string {
  const counts = new Map<string, number>();
  for (const finding of group) counts.set(finding.kind, (counts.get(finding.kind) ?? 0) + 1);
  return [...counts].map(([kind, count]) => (count > 1 ? `${kind} x${count}` : kind)).join(', ');
}

/**
 * Findings a fix removes; the others (an unregistered agent, a scheduler down under its app) are
 * notices: reported, never a reason for exit 3.
 */
export function actionableFindings(report: AuditReport): AuditReport['findings'] {
  return report.findings.filter((finding) => finding.fix !== null);
}

export function auditJson(report: AuditReport, exitCode: number, extra: Record<string, unknown> = {}) {
  return {
    command: 'audit',
    exitCode,
    clean: actionableFindings(report).length === 0,
    read: report.read,
    findings: report.findings.map((finding) => ({
      kind: finding.kind,
      service: finding.service,
      ownerCertainty: finding.ownerCertainty,
      ownerReason: finding.ownerReason,
      summary: finding.summary,
      evidence: finding.evidence,
      fix: finding.fix,
      action: finding.action,
      autoFix: finding.autoFix,
      manualBecause: finding.manualBecause,
      advice: finding.advice ?? null,
    })),
    ...extra,
  };
}

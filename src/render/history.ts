import type { RunRecord } from '../domain/history-record';
import { plural } from '../text';
import { Column, renderColumns } from './columns';
import { ViewOptions } from './cleanup';

/**
 * Text and JSON views of the run history (docs/history.md). What was sent and what the cluster
 * answered come from the record's request lines; what the cluster showed after the run comes
 * from the run's own result (its verification), never from what was sent.
 */

export type SentKind =
  'destroy-volumes' | 'unreserve' | 'teardown' | 'remove-app' | 'delete-znode' | 'uninstall-package' | 'other';

export interface SentCounts {
  /** Requests the cluster accepted (2xx), by what they do; resources counted one by one. */
  accepted: Record<SentKind, number>;
  /** Requests the cluster refused (an answer that is not 2xx). */
  refused: number;
  /** Requests with no answer (cut, timed out, interrupted). */
  unanswered: number;
}

/** What the read after the run showed, as the run's result says; null where the run did not get that far. */
export interface ShownCounts {
  verified: boolean | null;
  volumesDestroyed: number | null;
  resourcesUnreserved: number | null;
  frameworksTornDown: number | null;
  appsRemoved: number | null;
  znodesDeleted: number | null;
  /** Operations that failed and whose object a read after the run still shows. */
  failed: number | null;
  leftovers: number | null;
}

export interface RecordSummary {
  id: string;
  startedAt: string | null;
  endedAt: string | null;
  /** finished (with its exit code), or unfinished: the process ended before it wrote its end (killed, crashed). */
  state: 'finished' | 'unfinished';
  exitCode: number | null;
  command: string | null;
  commandLine: string | null;
  cluster: { url: string | null; id: string | null };
  sent: SentCounts;
  shown: ShownCounts;
}

export function kindOfRequest(endpoint: string): SentKind {
  if (/^POST .*\/destroy-volumes$/.test(endpoint)) return 'destroy-volumes';
  if (/^POST .*\/unreserve$/.test(endpoint)) return 'unreserve';
  if (/^POST .*\/teardown$/.test(endpoint)) return 'teardown';
  if (/^DELETE .*\/v2\/apps\//.test(endpoint)) return 'remove-app';
  if (/^DELETE .*\/znode\//.test(endpoint)) return 'delete-znode';
  if (/^POST .*\/package\/uninstall$/.test(endpoint)) return 'uninstall-package';
  return 'other';
}

/** How many things one request acts on: the resources of a Mesos operation, else one. */
function itemsOf(kind: SentKind, body: unknown): number {
  const record = (body ?? {}) as Record<string, unknown>;
  const list = kind === 'destroy-volumes' ? record.volumes : kind === 'unreserve' ? record.resources : undefined;
  return Array.isArray(list) ? list.length : 1;
}

export function summariseRecord(record: RunRecord): RecordSummary {
  const accepted: Record<SentKind, number> = {
    'destroy-volumes': 0,
    unreserve: 0,
    teardown: 0,
    'remove-app': 0,
    'delete-znode': 0,
    'uninstall-package': 0,
    other: 0,
  };
  let refused = 0;
  let unanswered = 0;
  for (const request of record.requests) {
    const kind = kindOfRequest(request.endpoint);
    if (request.status !== null && request.status >= 200 && request.status < 300)
      accepted[kind] += itemsOf(kind, request.body);
    else if (request.status !== null) refused++;
    else unanswered++;
  }
  return {
    id: record.id,
    startedAt: record.start?.startedAt ?? null,
    endedAt: record.end?.endedAt ?? null,
    state: record.end ? 'finished' : 'unfinished',
    exitCode: record.end?.exitCode ?? null,
    command: record.start?.command ?? null,
    commandLine: record.start ? record.start.argv.join(' ') : null,
    cluster: record.start?.cluster ?? { url: null, id: null },
    sent: { accepted, refused, unanswered },
    shown: shownOf(record.end?.result),
  };
}

/** The counts a run's result carries from its read after the act (cleanup, teardown, uninstall, audit, apply). */
function shownOf(result: unknown): ShownCounts {
  const shown: ShownCounts = {
    verified: null,
    volumesDestroyed: null,
    resourcesUnreserved: null,
    frameworksTornDown: null,
    appsRemoved: null,
    znodesDeleted: null,
    failed: null,
    leftovers: null,
  };
  if (!result || typeof result !== 'object') return shown;
  const document = result as Record<string, unknown>;
  const add = (key: Exclude<keyof ShownCounts, 'verified' | 'leftovers'>, value: unknown) => {
    if (typeof value === 'number') shown[key] = (shown[key] ?? 0) + value;
  };
  const outcomes = [
    document.outcome,
    ...(Array.isArray(document.cleanups) ? document.cleanups.map((c) => c?.outcome) : []),
  ];
  for (const outcome of outcomes) {
    if (!outcome || typeof outcome !== 'object') continue;
    const counts = outcome as Record<string, unknown>;
    add('volumesDestroyed', counts.volumesDestroyed);
    add('resourcesUnreserved', counts.resourcesUnreserved);
    add('znodesDeleted', counts.znode === 'deleted' ? 1 : 0);
    if (Array.isArray(counts.failures)) add('failed', counts.failures.length);
  }
  if (Array.isArray(document.outcomes)) {
    add('frameworksTornDown', document.outcomes.filter((outcome) => outcome?.result === 'torn-down').length);
    add('appsRemoved', document.outcomes.filter((outcome) => outcome?.appRemoved).length);
  }
  const applied = document.applied as Record<string, number> | null | undefined;
  if (applied && typeof applied === 'object') {
    add('volumesDestroyed', applied['destroy-volume']);
    add('resourcesUnreserved', applied.unreserve);
    add('frameworksTornDown', applied.teardown);
    add('appsRemoved', (applied['remove-app'] ?? 0) + (applied['uninstall-package'] ?? 0));
    add('znodesDeleted', applied['delete-znode']);
  }
  const verification = document.verification as { clean?: unknown; leftovers?: unknown[] } | null | undefined;
  if (verification && typeof verification.clean === 'boolean') {
    shown.verified = verification.clean;
    shown.leftovers = Array.isArray(verification.leftovers) ? verification.leftovers.length : null;
  }
  if (typeof document.verified === 'boolean') {
    shown.verified = document.verified;
    if (typeof document.remaining === 'number') shown.leftovers = document.remaining;
  }
  if (document.command === 'audit' && typeof document.clean === 'boolean') shown.verified = document.clean;
  return shown;
}

export function renderHistoryList(summaries: RecordSummary[], view: ViewOptions): string {
  if (summaries.length === 0) return 'No run has changed a cluster yet (or the history was cleared).';
  const columns: Column[] = [
    { header: 'ID', shrink: 0 },
    { header: 'STARTED', shrink: 0 },
    { header: 'COMMAND', shrink: 1 },
    { header: 'CLUSTER', shrink: 2 },
    { header: 'SENT', shrink: 1 },
    { header: 'EXIT', shrink: 0 },
  ];
  const rows = summaries.map((row) => [
    row.id,
    // UTC, as the id: `12-06 16:27Z`.
    row.startedAt?.replace(/^\d{4}-(\d\d-\d\d)T(\d\d:\d\d).*$/, '$1 $2Z') ?? '?',
    row.command ?? '?',
    row.cluster.url?.replace(/^https?:\/\//, '') ?? '?',
    describeSentBrief(row.sent),
    row.state === 'finished' ? String(row.exitCode) : 'unfinished',
  ]);
  return renderColumns(columns, rows, view.wide ? Number.MAX_SAFE_INTEGER : view.width);
}

function describeSentBrief(sent: SentCounts): string {
  const total = Object.values(sent.accepted).reduce((sum, count) => sum + count, 0);
  const extra = [sent.refused ? `${sent.refused} refused` : '', sent.unanswered ? `${sent.unanswered} unanswered` : '']
    .filter(Boolean)
    .join(', ');
  return `${total} accepted${extra ? `, ${extra}` : ''}`;
}

const SENT_WORDS: Record<SentKind, [string, string]> = {
  'destroy-volumes': ['volume', 'destroy'],
  unreserve: ['resource', 'unreserve'],
  teardown: ['framework', 'tear down'],
  'remove-app': ['Marathon app', 'remove'],
  'delete-znode': ['ZooKeeper node', 'delete'],
  'uninstall-package': ['package', 'uninstall'],
  other: ['other request', 'other'],
};

export function renderHistoryRecord(record: RunRecord, summary: RecordSummary, view: ViewOptions): string {
  const lines = [
    `Run ${summary.id}: ${summary.commandLine ?? '(no start line)'}`,
    `  Cluster:  ${summary.cluster.url ?? '?'}${summary.cluster.id ? ` (cluster ${summary.cluster.id})` : ''}`,
    `  Started:  ${summary.startedAt ?? '?'}`,
    `  Ended:    ${summary.endedAt ?? 'never: the process ended before its record did (killed, or the machine stopped)'}`,
    `  Exit:     ${summary.exitCode ?? 'unknown'}`,
    '',
    `Requests that change the cluster (${record.requests.length}), with the cluster's answers:`,
  ];
  const shown = view.wide ? record.requests : record.requests.slice(0, view.maxRows);
  for (const request of shown) {
    const kind = kindOfRequest(request.endpoint);
    const items =
      kind === 'destroy-volumes' || kind === 'unreserve'
        ? ` (${plural(itemsOf(kind, request.body), SENT_WORDS[kind][0])})`
        : '';
    const answer =
      request.status !== null
        ? `${request.status}${request.text ? ` ${request.text.slice(0, 120)}` : ''}`
        : request.failed
          ? `no answer: ${request.failed}`
          : 'no answer recorded (interrupted)';
    lines.push(`  ${request.at}  ${request.endpoint}${items} -> ${answer}`);
  }
  if (shown.length < record.requests.length)
    lines.push(`  ... and ${record.requests.length - shown.length} more (--wide lists every one)`);
  const accepted = Object.entries(summary.sent.accepted)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${SENT_WORDS[kind as SentKind][1]} ${plural(count, SENT_WORDS[kind as SentKind][0])}`);
  lines.push(
    '',
    `Accepted by the cluster: ${accepted.length > 0 ? accepted.join(', ') : 'nothing'}; refused: ${summary.sent.refused}; unanswered: ${summary.sent.unanswered}.`,
    `Shown by the read after the run: ${describeShown(summary.shown)}`,
  );
  return lines.join('\n');
}

function describeShown(shown: ShownCounts): string {
  if (shown.verified === null && shown.volumesDestroyed === null && shown.resourcesUnreserved === null)
    return 'no verification was recorded (the run stopped before it).';
  const parts: string[] = [];
  if (shown.volumesDestroyed !== null) parts.push(`${plural(shown.volumesDestroyed, 'volume')} destroyed`);
  if (shown.resourcesUnreserved !== null) parts.push(`${plural(shown.resourcesUnreserved, 'resource')} unreserved`);
  if (shown.frameworksTornDown !== null) parts.push(`${plural(shown.frameworksTornDown, 'framework')} torn down`);
  if (shown.appsRemoved) parts.push(`${plural(shown.appsRemoved, 'Marathon app')} removed`);
  if (shown.znodesDeleted !== null) parts.push(`${plural(shown.znodesDeleted, 'ZooKeeper node')} deleted`);
  if (shown.failed) parts.push(`${plural(shown.failed, 'operation')} failed`);
  const verdict =
    shown.verified === null
      ? ''
      : shown.verified
        ? 'verified: nothing of the target left'
        : `not clean: ${shown.leftovers === null ? 'leftovers' : plural(shown.leftovers, 'leftover')}`;
  return `${[...parts, verdict].filter(Boolean).join(', ')}.`;
}

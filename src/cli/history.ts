import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { ChangeEvent } from '../cluster/http';
import type { Env } from '../cluster/config';
import type { HistoryLine, RunRecord } from '../domain/history-record';

export type { HistoryLine, RunRecord };

/**
 * The history of runs that changed a cluster (docs/history.md): one JSON-lines file per run in
 * `$DCOS_DIR/janitor/history/` (default ~/.dcos), appended as the run goes, so a run that is
 * killed still leaves what it sent and what the cluster answered. Never fatal: a directory that
 * cannot be written falls back to one of the tool's own, said once; if none can be written the
 * run goes on without a record, said once.
 */

export const HISTORY_KEEP = 500;
export const HISTORY_FORMAT_VERSION = 1;

/** Where the history lives, and whether it is the fallback (said once by the caller). */
export function historyDirectory(env: Env): { dir: string; fallbackFrom?: string } {
  // Set by the operator (or a test) to keep the records elsewhere.
  if (env.DCOS_JANITOR_HISTORY_DIR) {
    const dir = path.resolve(env.DCOS_JANITOR_HISTORY_DIR);
    writable(dir);
    return { dir };
  }
  const primary = path.join(path.resolve(env.DCOS_DIR || path.join(os.homedir(), '.dcos')), 'janitor', 'history');
  if (writable(primary)) return { dir: primary };
  const state = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  for (const candidate of [
    path.join(state, 'dcos-janitor', 'history'),
    path.join(os.tmpdir(), `dcos-janitor-${os.userInfo().uid}`, 'history'),
  ]) {
    if (writable(candidate)) return { dir: candidate, fallbackFrom: primary };
  }
  return { dir: primary, fallbackFrom: primary };
}

function writable(dir: string): boolean {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** `20261206-153540-3fa2` (UTC): short enough to type, unique enough for one operator's runs. */
export function newRunId(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d{3}Z$/, '')
    .replace(/[-:]/g, '')
    .replace('T', '-');
  return `${stamp}-${crypto.randomBytes(2).toString('hex')}`;
}

/** Flag values never written down: tokens, keys, passwords, secrets. */
const SECRET_FLAG = /token|secret|password|passwd|private-key|credential/i;

/** The command line without any secret: `--x=value` and `--x value` forms of a secret flag lose the value. */
export function redactArgv(argv: string[]): string[] {
  const redacted: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index];
    const inline = /^(-{1,2}[^=\s]+)=/.exec(word);
    if (inline && SECRET_FLAG.test(inline[1])) redacted.push(`${inline[1]}=<redacted>`);
    else if (/^-{1,2}[\w-]+$/.test(word) && (SECRET_FLAG.test(word) || word === '-a')) {
      redacted.push(word);
      if (index + 1 < argv.length && !argv[index + 1].startsWith('-')) {
        redacted.push('<redacted>');
        index++;
      }
    } else redacted.push(word.replace(/\/\/[^/@\s]*@/g, '//'));
  }
  return redacted;
}

/** One run's record, appended as the run goes. */
export class HistoryRecorder {
  private ended = false;

  constructor(
    readonly file: string,
    private readonly warn: (message: string) => void,
  ) {}

  private failedOnce = false;
  /** Opened once (append), written line by line: a killed process loses nothing already written. */
  private fd?: number;

  write(line: HistoryLine): void {
    try {
      this.fd ??= fs.openSync(this.file, 'a', 0o600);
      fs.writeSync(this.fd, `${JSON.stringify(line)}\n`);
    } catch (error) {
      if (this.failedOnce) return;
      this.failedOnce = true;
      this.warn(
        `Warning: could not write this run's history to ${this.file} (${error instanceof Error ? error.message : String(error)}); the run goes on.`,
      );
    }
  }

  change(event: ChangeEvent): void {
    const at = new Date().toISOString();
    if (event.phase === 'sent')
      this.write({
        type: 'request',
        at,
        seq: event.seq,
        service: event.service,
        endpoint: event.endpoint,
        body: bodyOf(event),
      });
    else if (event.phase === 'answered')
      this.write({ type: 'answer', at, seq: event.seq, status: event.status, text: event.text });
    else this.write({ type: 'failed', at, seq: event.seq, message: event.message });
  }

  end(exitCode: number, result: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.write({ type: 'end', endedAt: new Date().toISOString(), exitCode, result });
    try {
      if (this.fd !== undefined) fs.closeSync(this.fd);
    } catch {
      // Closing is housekeeping: the lines are written already.
    }
    this.fd = undefined;
  }
}

/**
 * The body as sent: a form's values stay the strings they were (the resources' JSON is parsed
 * when a record is read, not on the run's path: a cleanup of 25,000 agents sends 50,000 of them).
 */
function bodyOf(event: Extract<ChangeEvent, { phase: 'sent' }>): unknown {
  if (event.json !== undefined) return event.json;
  return event.form ?? null;
}

/** A form's JSON values (resources, volumes) as data, for the views. */
function readableBody(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const readable: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (typeof value === 'string' && /^[[{]/.test(value)) {
      try {
        readable[key] = JSON.parse(value);
        continue;
      } catch {
        // Not JSON after all: kept as it was sent.
      }
    }
    readable[key] = value;
  }
  return readable;
}

/** Keeps the newest `keep` records. */
export function pruneHistory(dir: string, keep = HISTORY_KEEP): number {
  const files = recordFiles(dir);
  const old = files.slice(0, Math.max(0, files.length - keep));
  for (const file of old) fs.rmSync(path.join(dir, file), { force: true });
  return old.length;
}

function recordFiles(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((name) => name.endsWith('.jsonl'))
      .sort();
  } catch {
    return [];
  }
}

/** A record read back; a line cut by a crash (the last one) is skipped. */
export function readRecord(dir: string, id: string): RunRecord | undefined {
  const file = path.join(dir, `${id}.jsonl`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const record: RunRecord = { id, file, requests: [] };
  for (const raw of text.split('\n')) {
    if (!raw.trim()) continue;
    let line: HistoryLine;
    try {
      line = JSON.parse(raw) as HistoryLine;
    } catch {
      continue;
    }
    switch (line.type) {
      case 'start':
        record.start = line;
        break;
      case 'plan':
        record.plan = line.plan;
        break;
      case 'request':
        record.requests.push({ ...line, body: readableBody(line.body), status: null, text: '', failed: null });
        break;
      case 'answer':
      case 'failed': {
        const request = record.requests.find((known) => known.seq === line.seq);
        if (!request) break;
        if (line.type === 'answer') {
          request.status = line.status;
          request.text = line.text;
        } else request.failed = line.message;
        break;
      }
      case 'end':
        record.end = line;
        break;
    }
  }
  return record;
}

/** Newest first: by start time to the millisecond (two runs may start in the same second of an id). */
export function listRecords(dir: string): RunRecord[] {
  const started = (record: RunRecord) => record.start?.startedAt ?? '';
  return recordFiles(dir)
    .map((file) => readRecord(dir, file.replace(/\.jsonl$/, '')))
    .filter((record): record is RunRecord => record !== undefined)
    .sort((a, b) => started(b).localeCompare(started(a)) || b.id.localeCompare(a.id));
}

export function clearHistory(dir: string): number {
  const files = recordFiles(dir);
  for (const file of files) fs.rmSync(path.join(dir, file), { force: true });
  return files.length;
}

/** What a run's record starts with, asked for only when its first change is sent. */
export interface RunStart {
  command: string;
  argv: string[];
  toolVersion: string;
  cluster: { url: string | null; id: string | null };
  /** The run's --json document as it stands: its plan. */
  plan: unknown;
}

/**
 * One run's history: nothing until the first change is sent, then the record opened (in the
 * history directory, or its fallback, said once) and every change and its answer appended.
 */
export class RunHistory {
  private recorder?: HistoryRecorder;

  constructor(
    private readonly env: Env,
    private readonly warn: (message: string) => void,
    private readonly start: () => RunStart,
  ) {}

  change(event: ChangeEvent): void {
    this.recorder ??= this.open();
    this.recorder.change(event);
  }

  end(exitCode: number, result: unknown): void {
    this.recorder?.end(exitCode, result);
  }

  private open(): HistoryRecorder {
    const { dir, fallbackFrom } = historyDirectory(this.env);
    if (fallbackFrom && dir !== fallbackFrom)
      this.warn(`Note: ${fallbackFrom} cannot be written; this run's history goes to ${dir}.`);
    const now = new Date();
    const id = newRunId(now);
    const recorder = new HistoryRecorder(path.join(dir, `${id}.jsonl`), this.warn);
    const start = this.start();
    recorder.write({
      type: 'start',
      formatVersion: HISTORY_FORMAT_VERSION,
      id,
      startedAt: now.toISOString(),
      toolVersion: start.toolVersion,
      command: start.command,
      argv: start.argv,
      cluster: start.cluster,
    });
    recorder.write({ type: 'plan', at: now.toISOString(), plan: start.plan });
    try {
      pruneHistory(dir);
    } catch {
      // Retention is housekeeping: a file that cannot be removed now is removed by a later run.
    }
    return recorder;
  }
}

/**
 * The run history's record (docs/history.md), as types: what `cli/history.ts` writes and reads
 * back, and what `render/history.ts` shows. One JSON object a line, appended as the run goes.
 */

export type HistoryLine =
  | {
      type: 'start';
      formatVersion: number;
      id: string;
      startedAt: string;
      toolVersion: string;
      command: string;
      argv: string[];
      cluster: { url: string | null; id: string | null };
    }
  | { type: 'plan'; at: string; plan: unknown }
  | { type: 'request'; at: string; seq: number; service: string; endpoint: string; body: unknown }
  | { type: 'answer'; at: string; seq: number; status: number; text: string }
  | { type: 'failed'; at: string; seq: number; message: string }
  | { type: 'end'; endedAt: string; exitCode: number; result: unknown };

export interface RunRecord {
  id: string;
  file: string;
  start?: Extract<HistoryLine, { type: 'start' }>;
  plan?: unknown;
  requests: Array<{
    seq: number;
    at: string;
    service: string;
    endpoint: string;
    body: unknown;
    status: number | null;
    text: string;
    failed: string | null;
  }>;
  end?: Extract<HistoryLine, { type: 'end' }>;
}

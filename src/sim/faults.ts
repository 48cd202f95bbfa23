import * as http from 'node:http';

import { unauthorised } from './auth';
import { SimResponse, text } from './http-types';

/**
 * Faults injected per request on the Admin Router listener: an error status instead of the
 * service's answer, or the service acting and the answer then cut, lost or never sent.
 */

export interface FaultRule {
  /** Matches requests whose Admin Router path starts with this (e.g. "/mesos/master/unreserve"). */
  pathPrefix?: string;
  method?: string;
  /**
   * - `status` (default): answer `status` and `body` instead of the service; nothing is done.
   * - `cut`: the service acts and answers, but the connection is reset after the headers and
   *   half the body (a proxy or load balancer dropping the connection mid-answer).
   * - `lose-answer`: the service acts, then the connection is reset before any answer: the
   *   client cannot know the operation was applied.
   * - `hang`: the service acts and the answer never comes (the client's timeout decides).
   */
  effect?: 'status' | 'cut' | 'lose-answer' | 'hang';
  status?: number;
  body?: string;
  /** How many matching requests get the fault. */
  times: number;
}

/** The first rule matching the request that still has requests to fault; counts it. */
export function takeFault(rules: FaultRule[], method: string, path: string): FaultRule | undefined {
  const rule = rules.find(
    (candidate) =>
      candidate.times > 0 &&
      (!candidate.method || candidate.method === method) &&
      path.startsWith(candidate.pathPrefix ?? '/'),
  );
  if (!rule) return undefined;
  rule.times--;
  return rule;
}

export function faultResponse(rule: FaultRule): SimResponse {
  const status = rule.status ?? 503;
  if (status === 401) return unauthorised();
  return text(status, rule.body ?? `${status} Simulated fault`);
}

export /** The headers and half the body, then a reset: what a dropped connection looks like to the client. */
function cutMidway(res: http.ServerResponse, response: SimResponse): void {
  const payload =
    typeof response.body === 'string'
      ? response.body
      : response.body === undefined
        ? ''
        : JSON.stringify(response.body);
  const padded = payload.length >= 2 ? payload : `${payload}  `;
  res.writeHead(response.status, {
    ...response.headers,
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(padded)),
  });
  res.write(padded.slice(0, Math.floor(padded.length / 2)), () => res.socket?.destroy());
}

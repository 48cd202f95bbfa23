import * as http from 'node:http';
import { AddressInfo } from 'node:net';

import { SimResponse } from './http-types';

/** How an answer is written on the socket: whole with its length, or streamed in pieces. */

export interface SentAnswer {
  status: number;
  headers: Record<string, string>;
  payload: Buffer;
}

/** The status, headers and bytes of a whole (not streamed) answer. */
export function sentAnswer(response: SimResponse): SentAnswer {
  const headers: Record<string, string> = { ...response.headers };
  let payload = '';
  if (typeof response.body === 'string') payload = response.body;
  else if (response.body !== undefined) {
    payload = JSON.stringify(response.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const bytes = Buffer.from(payload, 'utf8');
  headers['Content-Length'] = String(bytes.length);
  return { status: response.status, headers, payload: bytes };
}

export function send(res: http.ServerResponse, response: SimResponse, headOnly: boolean): void {
  if (response.stream) return sendStreamed(res, response, headOnly);
  writeAnswer(res, sentAnswer(response), headOnly);
}

export function writeAnswer(res: http.ServerResponse, answer: SentAnswer, headOnly: boolean): void {
  res.writeHead(answer.status, answer.headers);
  res.end(headOnly ? undefined : answer.payload);
}

/**
 * `{"<key>":[e1,e2,...],<the body's other keys>}`, written in pieces of about 64 KB as the
 * elements are made (chunked transfer encoding: the length is not known before the end).
 */
function sendStreamed(res: http.ServerResponse, response: SimResponse, headOnly: boolean): void {
  const stream = response.stream!;
  res.writeHead(response.status, { 'Content-Type': 'application/json', ...response.headers });
  if (headOnly) return void res.end();
  let piece = `{${JSON.stringify(stream.key)}:[`;
  let first = true;
  for (const element of stream.elements()) {
    piece += (first ? '' : ',') + JSON.stringify(element);
    first = false;
    if (piece.length >= 65536) {
      res.write(piece);
      piece = '';
    }
  }
  const rest = JSON.stringify(response.body ?? {});
  res.end(`${piece}]${rest.length > 2 ? `,${rest.slice(1)}` : '}'}`);
}

export function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // Loopback only: the simulator must never be reachable from elsewhere.
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

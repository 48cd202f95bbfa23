import { IncomingHttpHeaders } from 'node:http';

export interface SimRequest {
  method: string;
  /** Path below the service's prefix, e.g. "/master/slaves" for "/mesos/master/slaves". */
  path: string;
  query: URLSearchParams;
  body: string;
  headers: IncomingHttpHeaders;
}

export interface SimResponse {
  status: number;
  /** A string is sent as it is (text/plain unless headers say otherwise); an object as JSON. */
  body?: string | object;
  headers?: Record<string, string>;
  /**
   * A JSON object with one huge array (`/master/slaves` of a generated cluster): the array
   * comes first, made and written element by element, then `body`'s keys. The answer is the
   * same text; its first agents reach the client while the simulator still makes the rest,
   * so the simulator's JavaScript (slower at this than a master) is less of the benchmarks' clock.
   */
  stream?: { key: string; elements: () => Iterable<unknown> };
  /**
   * No answer at all: the connection is reset. A real task that died leaves its port closed
   * (connection refused); the simulator's listener stays up, so its request is reset instead,
   * which a client meets as the same transient failure (not in the reference: the simulator's choice).
   */
  drop?: true;
}

export function dropConnection(): SimResponse {
  return { status: 0, drop: true };
}

/** The whole object of a streamed answer, for what needs it at once (rewrites, cut answers). */
export function materialise(response: SimResponse): SimResponse {
  if (!response.stream) return response;
  const { stream, ...rest } = response;
  return { ...rest, body: { [stream.key]: [...stream.elements()], ...(response.body as object) } };
}

export function text(status: number, body: string): SimResponse {
  return { status, body, headers: { 'Content-Type': 'text/plain; charset=utf-8' } };
}

export function json(status: number, body: object, headers: Record<string, string> = {}): SimResponse {
  return { status, body, headers };
}

export function empty(status: number): SimResponse {
  return { status };
}

/**
 * Mesos reads form parameters from the body only: '&' or ';' separate them,
 * '+' is a space, %XX is decoded; query string and Content-Type are ignored
 * (docs/reference/mesos.md §1). Returns undefined when the body cannot be decoded.
 */
export function parseMesosForm(body: string): Map<string, string> | undefined {
  const form = new Map<string, string>();
  for (const pair of body.split(/[&;]/)) {
    if (!pair) continue;
    const index = pair.indexOf('=');
    const rawKey = index < 0 ? pair : pair.slice(0, index);
    const rawValue = index < 0 ? '' : pair.slice(index + 1);
    try {
      form.set(decodeURIComponent(rawKey.replace(/\+/g, ' ')), decodeURIComponent(rawValue.replace(/\+/g, ' ')));
    } catch {
      return undefined;
    }
  }
  return form;
}

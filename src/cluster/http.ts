import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { z } from 'zod';

import { AuthError, UnexpectedResponseError, UnreachableError } from '../errors';
import { ClusterConnection } from './config';
import { Destination, Endpoints, adminRouterOf, baseOf, resolveEndpoints } from './endpoints';
import { JsonShapeError } from './json-stream';
import { ProxySettings, TunnelingAgent, proxyAuthorization, proxyFor, shownProxy } from './proxy';

/**
 * The one HTTP layer every client goes through: where each service is (Admin Router
 * or the addresses the user named, endpoints.ts), the token header and the hosts that
 * may receive it, TLS as the CLI config says, timeouts, bounded retries with
 * backoff, Mesos' 307 to the leader, and the mapping of failures to typed errors.
 * It never prints; a logger may be given for verbose output, and it never sees a header.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';

export interface RequestSpec {
  /** Which remote service, for error messages ("Mesos", "Exhibitor", ...). */
  service: string;
  /**
   * Where it goes: a service (its override or its Admin Router prefix), Admin Router itself, or a URL
   * found at run time.
   */
  to: Destination;
  method: HttpMethod;
  /** Path from the destination's root (`/master/slaves` for Mesos), starting with '/'. Already URL-encoded. */
  path: string;
  /** A list value repeats the key (`embed=a&embed=b`). */
  query?: Record<string, string | string[]>;
  /** A form-encoded body (Mesos operator endpoints read parameters from the body only). */
  form?: Record<string, string>;
  json?: unknown;
  headers?: Record<string, string>;
  /** Statuses handed back to the caller rather than turned into errors (2xx always are). */
  accept?: readonly number[];
  /**
   * Whether a failed attempt may be sent again. Reads always may; the Mesos
   * operations may too, because a repeated one answers 409/400 which the
   * domain code reads as "already done" after re-reading the state.
   */
  retry?: boolean;
  /** A POST that only reads (Cosmos' list, the IAM login): it does not count as a change to the cluster. */
  readOnly?: boolean;
  /**
   * Parse a 2xx body as it arrives instead of as one text (`/master/slaves` at 25,000
   * agents): what it returns is the response's `body`. A cut during it is retried as any cut.
   */
  consume?: (chunks: AsyncIterable<Buffer>) => Promise<unknown>;
}

export interface HttpResponse {
  status: number;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  body: unknown;
  text: string;
  headers: Record<string, string>;
  /** "GET /master/slaves", for error messages. */
  endpoint: string;
}

export interface HttpOptions {
  /** Attempts after the first one, for connection errors and 5xx. */
  retries: number;
  /** First backoff; doubled each attempt, capped at 8x. */
  backoffMs: number;
  /** Verbose lines (DCOS_VERBOSITY); never given a header or a token. */
  log?: (line: string) => void;
  /** HTTP_PROXY, HTTPS_PROXY and NO_PROXY as the DC/OS CLI reads them (proxy.ts); none: always direct. */
  proxy?: ProxySettings;
  /** Sent with every request, so that Admin Router's logs name the tool (`dcos-janitor/0.1.0`). */
  userAgent?: string;
  /**
   * Told of every request that may change the cluster, when it is sent and when it is answered
   * (the run's history, docs/history.md). Given the method, the path and the body: never a header.
   */
  onChange?: (event: ChangeEvent) => void;
}

/** One request that may change the cluster: sent (with its body), then answered or failed. */
export type ChangeEvent =
  | {
      phase: 'sent';
      seq: number;
      service: string;
      endpoint: string;
      form?: Record<string, string>;
      json?: unknown;
    }
  | { phase: 'answered'; seq: number; status: number; text: string }
  | { phase: 'failed'; seq: number; message: string };

export const DEFAULT_HTTP_OPTIONS: HttpOptions = { retries: 4, backoffMs: 250 };

const MAX_REDIRECTS = 3;
/** STREAM_ABORTED: our name for an answer cut after its headers. */
const STREAM_ABORTED = 'STREAM_ABORTED';
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ECONNABORTED', 'ERR_SOCKET_CONNECTION_TIMEOUT']);
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EAI_AGAIN', STREAM_ABORTED, ...TIMEOUT_CODES]);
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|DEPTH_ZERO|HOSTNAME_MISMATCH/;

function isChange(spec: RequestSpec): boolean {
  return spec.method !== 'GET' && spec.method !== 'HEAD' && !spec.readOnly;
}

export class ClusterHttp {
  /**
   * Node's own http/https with one keep-alive agent: axios cost 0.37 ms of CPU a request
   * against 0.14 ms for the bare transport (scripts/bench-cleanup.js sends 1,500 of them),
   * and nothing here needs what it adds.
   */
  private readonly agents: { http?: http.Agent; https?: https.Agent; proxy?: http.Agent; tunnel?: https.Agent } = {};
  /** The path part of each base URL, for error messages: parsed once per base, not once per request. */
  private readonly basePaths = new Map<string, string>();
  /** Counted per process, for benchmarks and verbose summaries. */
  requestCount = 0;
  /**
   * Set once a request that may change the cluster has been sent (whatever its answer):
   * what an interrupted run says depends on it ("nothing was changed" is said only when true).
   */
  changesSent = false;

  constructor(
    readonly connection: ClusterConnection,
    /** Default: every service through Admin Router at the connection's URL. */
    readonly endpoints: Endpoints = resolveEndpoints(connection.url, { overrides: {}, internal: false }),
    private readonly options: HttpOptions = DEFAULT_HTTP_OPTIONS,
  ) {
    // Read now, so that an unreadable CA bundle is said before anything is sent.
    if (connection.tls.verify && connection.tls.caPath) this.agentFor('https:');
  }

  /**
   * Keep-alive: connections are reused across requests, as a real Admin Router expects of a client.
   * One agent per scheme.
   */
  private agentFor(protocol: string): http.Agent {
    if (protocol === 'https:')
      return (this.agents.https ??= new https.Agent({
        keepAlive: true,
        maxSockets: 64,
        ...tlsAgentOptions(this.connection),
      }));
    return (this.agents.http ??= new http.Agent({ keepAlive: true, maxSockets: 64 }));
  }

  /**
   * Closes every kept-alive connection: a command that is over leaves nothing open, so the
   * process ends by itself.
   */
  close(): void {
    for (const agent of Object.values(this.agents)) agent?.destroy();
  }

  /**
   * The base URL of a destination: its override, its Admin Router prefix, or a one-line error naming
   * the missing setting.
   */
  baseUrl(to: Destination): string {
    if (typeof to === 'object') return to.url;
    if (to === 'admin-router') return adminRouterOf(this.endpoints, 'This request');
    return baseOf(this.endpoints, to);
  }

  private changeSeq = 0;

  async request(spec: RequestSpec): Promise<HttpResponse> {
    const onChange = this.options.onChange;
    if (!onChange || !isChange(spec)) return this.requestWithRetries(spec);
    const seq = ++this.changeSeq;
    onChange({
      phase: 'sent',
      seq,
      service: spec.service,
      endpoint: `${spec.method} ${spec.path}`,
      form: spec.form,
      json: spec.json,
    });
    try {
      const response = await this.requestWithRetries(spec);
      const ok = response.status >= 200 && response.status < 300;
      onChange({ phase: 'answered', seq, status: response.status, text: ok ? '' : response.text.trim().slice(0, 300) });
      return response;
    } catch (error) {
      onChange({ phase: 'failed', seq, message: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  }

  private async requestWithRetries(spec: RequestSpec): Promise<HttpResponse> {
    const base = this.baseUrl(spec.to);
    // As sent: "GET /mesos/master/slaves" through Admin Router, "GET /master/slaves" at the master's own address.
    let basePath = this.basePaths.get(base);
    if (basePath === undefined) this.basePaths.set(base, (basePath = new URL(base).pathname.replace(/\/+$/, '')));
    const endpoint = `${spec.method} ${basePath}${spec.path}`;
    let url = base + spec.path;
    let redirects = 0;
    for (let attempt = 0; ; attempt++) {
      let response: RawResponse;
      let consumed: { body: unknown } | undefined;
      const started = Date.now();
      try {
        ({ response, consumed } = await this.send(spec, url));
      } catch (error) {
        const code = errorCode(error);
        if (TLS_CODES.test(code)) {
          throw new UnreachableError(
            `TLS verification failed for ${this.shownAddress(spec.to, base)} (${code}): set core.ssl_verify to the cluster's CA bundle ` +
              `('dcos cluster setup' does this) or DCOS_TLS_CA_PATH; use 'false' only on a trusted network.`,
          );
        }
        if (spec.retry !== false && TRANSIENT_CODES.has(code) && attempt < this.options.retries) {
          this.log(`${endpoint}: ${code}, retrying (${attempt + 1}/${this.options.retries})`);
          await sleep(this.backoff(attempt));
          continue;
        }
        const attempts = attempt > 0 ? ` after ${attempt + 1} attempts` : '';
        if (TIMEOUT_CODES.has(code)) {
          const seconds = this.connection.timeoutMs / 1000;
          throw new UnreachableError(
            `${spec.service} did not answer ${endpoint} within ${seconds} s${attempts} (the request timeout: ${this.connection.timeoutSource ?? 'core.timeout'} = ${seconds}): ` +
              `raise it with 'dcos config set core.timeout ${Math.max(300, seconds * 2)}' or DCOS_TIMEOUT=${Math.max(300, seconds * 2)}, or check the cluster's health ('dcos node list').`,
          );
        }
        const what = code === STREAM_ABORTED ? 'the connection was cut mid-answer' : code || describeError(error);
        const proxy = this.options.proxy ? proxyFor(new URL(url), this.options.proxy) : undefined;
        const through = proxy
          ? ` through the proxy ${shownProxy(proxy)} (HTTP_PROXY/HTTPS_PROXY; NO_PROXY lists hosts reached directly)`
          : '';
        throw new UnreachableError(
          `${spec.service} is unreachable at ${this.shownAddress(spec.to, base)}${through} (${endpoint}: ${what}${attempts}): ${this.whereToCheck(spec.to)}`,
        );
      }
      this.requestCount++;
      const status = response.status;
      this.log(`${endpoint} -> ${status} (${Date.now() - started} ms)`);

      const location = response.headers.location;
      if (status === 307 && typeof location === 'string' && redirects < MAX_REDIRECTS) {
        // Mesos answers a non-leader with a protocol-relative Location to the leader;
        // the same method and body must be sent there (docs/reference/mesos.md §1).
        url = new URL(location, url).toString();
        redirects++;
        attempt--;
        continue;
      }

      const accepted = (status >= 200 && status < 300) || (spec.accept?.includes(status) ?? false);
      if (!accepted && status >= 500 && spec.retry !== false && attempt < this.options.retries) {
        this.log(`${endpoint}: ${status}, retrying (${attempt + 1}/${this.options.retries})`);
        await sleep(this.backoff(attempt));
        continue;
      }
      const result = consumed
        ? { status, body: consumed.body, text: consumed.body === undefined ? '(not JSON)' : '', headers: {}, endpoint }
        : toHttpResponse(response, endpoint);
      if (accepted) return result;
      throw this.failure(spec, result, attempt + 1);
    }
  }

  private async send(spec: RequestSpec, url: string): Promise<{ response: RawResponse; consumed?: { body: unknown } }> {
    if (isChange(spec)) this.changesSent = true;
    const headers: Record<string, string> = {
      Accept: 'application/json',
      ...(this.options.userAgent ? { 'User-Agent': this.options.userAgent } : {}),
      ...spec.headers,
    };
    // The token goes only to hosts the user named (the cluster URL, the overrides): a
    // redirect to another host, or a scheduler's task found in Marathon, never receives it.
    const target = new URL(url);
    if (this.connection.token && this.endpoints.tokenHosts.has(target.host)) {
      headers.Authorization = `token=${this.connection.token}`;
    }
    let data: string | undefined;
    if (spec.form) {
      // encodeURIComponent (native) rather than URLSearchParams (in JS): every unreserve
      // carries its resources as JSON, and Mesos decodes %XX either way (docs/reference/mesos.md §1).
      data = Object.entries(spec.form)
        .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
        .join('&');
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    } else if (spec.json !== undefined) {
      data = JSON.stringify(spec.json);
      headers['Content-Type'] ??= 'application/json';
    }
    if (data !== undefined) headers['Content-Length'] = String(Buffer.byteLength(data));
    if (spec.query) target.search = queryString(spec.query);
    const incoming = await this.exchange(target, spec.method, headers, data);
    const status = incoming.statusCode ?? 0;
    const responseHeaders = incoming.headers as Record<string, string | string[] | undefined>;
    if (!spec.consume || status < 200 || status >= 300) {
      return { response: { status, headers: responseHeaders, text: await readText(incoming) } };
    }
    try {
      return {
        response: { status, headers: responseHeaders, text: '' },
        consumed: { body: await spec.consume(incoming) },
      };
    } catch (error) {
      // Not JSON, or not of the expected shape: said by the caller's check, as for any body.
      if (error instanceof SyntaxError || error instanceof JsonShapeError)
        return { response: { status, headers: responseHeaders, text: '' }, consumed: { body: undefined } };
      throw error;
    }
  }

  /** One request; resolves with the response once its headers are in, the body still to read. */
  private exchange(
    url: URL,
    method: HttpMethod,
    headers: Record<string, string>,
    data: string | undefined,
  ): Promise<http.IncomingMessage> {
    const proxy = this.options.proxy ? proxyFor(url, this.options.proxy) : undefined;
    return new Promise((resolve, reject) => {
      const onResponse = (response: http.IncomingMessage) => {
        // A timeout or a reset while the body arrives fails the read of the body (readText, consume).
        request.setTimeout(this.connection.timeoutMs, () =>
          response.destroy(codedError('ETIMEDOUT', 'timeout while reading the answer')),
        );
        resolve(response);
      };
      const request = this.startRequest(url, proxy, method, headers, onResponse);
      // Inactivity, as the Go CLI's timeout is.
      request.setTimeout(this.connection.timeoutMs, () => request.destroy(codedError('ETIMEDOUT', 'timeout')));
      request.on('error', reject);
      request.end(data);
    });
  }

  /**
   * Direct; through an HTTP proxy for http:// (the absolute URL as the request target, the
   * proxy's own keep-alive connections); or in a CONNECT tunnel for https://.
   */
  private startRequest(
    url: URL,
    proxy: URL | undefined,
    method: HttpMethod,
    headers: Record<string, string>,
    onResponse: (response: http.IncomingMessage) => void,
  ): http.ClientRequest {
    if (!proxy)
      return (url.protocol === 'https:' ? https : http).request(
        url,
        { method, headers, agent: this.agentFor(url.protocol) },
        onResponse,
      );
    if (url.protocol === 'https:') {
      const tunnel = (this.agents.tunnel ??= new TunnelingAgent(proxy, {
        keepAlive: true,
        maxSockets: 64,
        ...tlsAgentOptions(this.connection),
      }));
      return https.request(url, { method, headers, agent: tunnel }, onResponse);
    }
    const authorization = proxyAuthorization(proxy);
    return http.request(
      {
        host: proxy.hostname,
        port: Number(proxy.port || 80),
        method,
        path: url.href,
        headers: { ...headers, Host: url.host, ...(authorization ? { 'Proxy-Authorization': authorization } : {}) },
        agent: (this.agents.proxy ??= new http.Agent({ keepAlive: true, maxSockets: 64 })),
      },
      onResponse,
    );
  }

  private failure(spec: RequestSpec, response: HttpResponse, attempts: number): Error {
    const { status, endpoint } = response;
    if (status === 401) {
      return new AuthError(
        `${spec.service} answered 401 Unauthorized to ${endpoint}: the token is missing or expired; run 'dcos auth login' and try again.`,
      );
    }
    if (status === 403) {
      return new AuthError(
        `${spec.service} answered 403 Forbidden to ${endpoint}: your account lacks the permission; ask a cluster admin, or log in as one with 'dcos auth login'.`,
      );
    }
    const snippet = firstLine(response.text);
    if (status >= 500) {
      const noLeader = /No leader elected/i.test(response.text);
      return new UnreachableError(
        `${spec.service} kept failing: ${endpoint} answered ${status}${snippet ? ` "${snippet}"` : ''} ${attempts} times` +
          `${noLeader ? ' (the Mesos masters have no leader)' : ''}: check the cluster's health ('dcos node list'), then re-run; the run is safe to repeat.`,
      );
    }
    return new UnexpectedResponseError(
      `${spec.service} answered ${status} to ${endpoint}${snippet ? `: "${snippet}"` : ''}. Re-run with DCOS_VERBOSITY=2 to see the exchange.`,
    );
  }

  /** The address an operator knows: the cluster URL for what goes through Admin Router, else the service's own. */
  private shownAddress(to: Destination, base: string): string {
    const throughAdminRouter =
      to === 'admin-router' || (typeof to === 'string' && this.endpoints.sources[to] === 'Admin Router');
    return throughAdminRouter && this.endpoints.adminRouter ? this.endpoints.adminRouter : base;
  }

  /** What to check when a destination does not answer: the setting that names it. */
  private whereToCheck(to: Destination): string {
    const source = typeof to === 'string' && to !== 'admin-router' ? this.endpoints.sources[to] : undefined;
    if (typeof to === 'object')
      return "the address comes from the service's Marathon task; check that it runs ('dcos marathon app list') and that this machine reaches it.";
    if (source && source !== 'Admin Router')
      return `check ${source} and that this machine reaches it${source === '--internal' ? ' (--internal works only inside the cluster)' : ''}.`;
    return "check the cluster URL ('dcos config show core.dcos_url') and your network.";
  }

  private backoff(attempt: number): number {
    const base = this.options.backoffMs * Math.min(2 ** attempt, 8);
    return base / 2 + Math.random() * (base / 2);
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}

/**
 * Parse a body with a zod schema; a mismatch names the endpoint and the first
 * offending field, so an operator can tell which cluster version surprised us.
 */
export function parseBody<S extends z.ZodType>(schema: S, response: HttpResponse, service: string): z.output<S> {
  requireJsonBody(response, service);
  const result = schema.safeParse(response.body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw payloadMismatch(service, response, issue.path.join('.'), issue.message);
}

/**
 * A body checked in place by `check` (which names the first offending field, or returns
 * undefined): for payloads too large to copy, where a zod parse would build a second
 * object graph of every agent (100+ MB at 25,000 agents).
 */
export function checkBody<T>(
  check: (body: unknown) => { field: string; message: string } | undefined,
  response: HttpResponse,
  service: string,
): T {
  requireJsonBody(response, service);
  const problem = check(response.body);
  if (problem) throw payloadMismatch(service, response, problem.field, problem.message);
  return response.body as T;
}

function requireJsonBody(response: HttpResponse, service: string): void {
  if (response.body !== undefined) return;
  throw new UnexpectedResponseError(
    `${service} answered ${response.endpoint} with ${response.text ? 'a body that is not JSON' : 'an empty body'} (status ${response.status}): ` +
      'is the URL pointing at DC/OS Admin Router, or (for an override) at the service itself?',
  );
}

function payloadMismatch(
  service: string,
  response: HttpResponse,
  field: string,
  message: string,
): UnexpectedResponseError {
  return new UnexpectedResponseError(
    `${service} ${response.endpoint} returned a payload this tool does not understand: field '${field || '(body)'}': ${message}. ` +
      'Please report it with the cluster version.',
  );
}

/** Bodies larger than this are kept parsed only: their text would double the memory (50 MB of agents). */
const MAX_KEPT_TEXT = 64 * 1024;

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

function toHttpResponse(response: RawResponse, endpoint: string): HttpResponse {
  const data = response.text;
  let body: unknown;
  if (/\S/.test(data.length > 256 ? data.slice(0, 256) : data)) {
    try {
      body = JSON.parse(data);
    } catch {
      body = undefined;
    }
  }
  // Error messages quote the text of refusals, which are small; a large JSON answer is kept parsed only.
  const text = body !== undefined && data.length > MAX_KEPT_TEXT ? '' : data;
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(response.headers)) {
    if (typeof value === 'string') headers[key.toLowerCase()] = value;
  }
  return { status: response.status, body, text, headers, endpoint };
}

/** The whole body as text; a connection cut before its end rejects (ECONNRESET, "aborted"). */
async function readText(response: http.IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of response) parts.push(chunk as Buffer);
  if (!response.complete) throw codedError(STREAM_ABORTED, 'the connection was cut mid-answer');
  return Buffer.concat(parts).toString('utf8');
}

/**
 * Every query value fully percent-encoded (SDK step names carry ':[]', docs/reference/sdk-plans.md
 * §2); a list repeats the key.
 */
function queryString(query: Record<string, string | string[]>): string {
  return Object.entries(query)
    .flatMap(([key, value]) =>
      (Array.isArray(value) ? value : [value]).map((item) => `${encodeURIComponent(key)}=${encodeURIComponent(item)}`),
    )
    .join('&');
}

function codedError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

function tlsAgentOptions(connection: ClusterConnection): https.AgentOptions {
  if (!connection.tls.verify && !connection.tls.onlyBecauseHttp) return { rejectUnauthorized: false };
  if (!connection.tls.caPath) return { rejectUnauthorized: true };
  try {
    return { rejectUnauthorized: true, ca: fs.readFileSync(connection.tls.caPath) };
  } catch {
    throw new UnreachableError(
      `Cannot read the CA bundle ${connection.tls.caPath} named by core.ssl_verify/DCOS_TLS_CA_PATH: fix the path or run 'dcos cluster setup' again.`,
    );
  }
}

function errorCode(error: unknown): string {
  if (error && typeof error === 'object') {
    const { code, cause, message } = error as { code?: unknown; cause?: { code?: unknown }; message?: unknown };
    if (typeof code === 'string') return code;
    if (cause && typeof cause.code === 'string') return cause.code;
    // Headers came, then the connection closed before the body's end: as transient as a reset.
    if (typeof message === 'string' && /^aborted$|premature close|socket hang up/i.test(message)) return STREAM_ABORTED;
  }
  return '';
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}

function firstLine(text: string): string {
  const line = text
    .replace(/<[^>]*>/g, ' ')
    .trim()
    .split('\n')[0]
    .trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

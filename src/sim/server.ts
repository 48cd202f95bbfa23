import * as crypto from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';

import { ClockMode, SimClock } from './clock';
import { ClusterState } from './cluster-state';
import { ExhibitorFaults, ExhibitorViolations, handleExhibitor } from './exhibitor-handlers';
import { SimRequest, SimResponse, dropConnection, json, materialise, text } from './http-types';
import { SimCosmos } from './cosmos-handlers';
import { handleMarathon, relaunchSchedulerAfterTeardown } from './marathon-handlers';
import { handleMesos } from './mesos-handlers';
import { Scenario, loadScenario } from './scenario';
import { SimScheduler } from './sdk-scheduler';

/**
 * The simulated DC/OS cluster: a real HTTP server on 127.0.0.1 playing Admin
 * Router (auth, prefix routing) in front of Mesos, Marathon and Exhibitor, plus the
 * services at their own addresses, without Admin Router's prefixes, as a task inside
 * the cluster reaches them: the leading Mesos master (also where a 307 from a non-leader
 * points; leader.mesos:5050), Marathon (marathon.mesos:8080), Exhibitor (port 8181),
 * Cosmos (127.0.0.1:7070 on a master), and each SDK scheduler at its task's host and
 * port. Like open DC/OS, those answer without a token (janitor.py's documentation: "avoiding the
 * need to authenticate itself"); Enterprise's strict mode is not simulated there. Faults
 * are injected per request on the Admin Router listener.
 */

export interface SimOptions {
  /** Added to every request before it is answered. */
  latencyMs?: number;
  /** How long a Marathon deployment (app delete) takes. */
  deploymentMs?: number;
  /** How often Cosmos' uninstall loop looks at the plan (10 s in Cosmos). */
  cosmosLoopMs?: number;
  port?: number;
  /** Serve Admin Router over HTTPS with this key and certificate (for the TLS settings' tests). */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /**
   * `virtual` (the default): simulated time moves only when the test moves it, or by
   * `msPerRequest` for each request served. `real`: wall-clock timers (demo, sim.js, benchmarks).
   */
  clock?: ClockMode;
  msPerRequest?: number;
  /**
   * Default true: `/master/slaves` is made and written agent by agent (SimResponse.stream).
   * false: made whole, then sent (with a Content-Length), so that its making time
   * (`serveMs`) does not overlap the client's reading.
   */
  streamLargeAnswers?: boolean;
  /**
   * Benchmarks of read-only commands only (scripts/bench-scale.js): the bytes of each answer
   * to a GET (or to a Cosmos RPC that only reads, such as package/list) are kept and sent
   * again for the same request, until any other request arrives (then all are forgotten).
   * The client's time is then its own, not the simulator's JavaScript making 80 MB of
   * /master/slaves. Changes made by the clock alone (a relaunch, a deployment ending) are
   * not seen while an answer is kept.
   */
  replayReads?: boolean;
}

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

/** Admin Router, or a service at its own address, without Admin Router's prefix. */
export type Listener = 'admin-router' | 'leader' | 'marathon' | 'exhibitor' | 'cosmos' | 'scheduler';

export interface RequestLogEntry {
  method: string;
  /** The path as its listener received it (an Admin Router path on "admin-router"), query included. */
  url: string;
  status: number;
  authorization?: string;
  contentType?: string;
  userAgent?: string;
  body: string;
  /** Which listener: "admin-router", or a service at its own address ("leader" is the leading Mesos master). */
  listener: Listener;
  /** The simulator's own time to make and send the answer (latency excluded): benchmarks subtract it. */
  serveMs: number;
}

export class SimCluster {
  readonly requests: RequestLogEntry[] = [];
  readonly faults = {
    rules: [] as FaultRule[],
    latencyMs: 0,
    /** The next N /mesos requests answer 307 to the leader's own address. */
    leaderRedirects: 0,
    /** The next N /mesos requests answer 503 "No leader elected". */
    noLeader: 0,
    exhibitor: { mutationsDisabled: false } as ExhibitorFaults,
  };
  readonly violations: ExhibitorViolations = { rootDeleteAttempted: false };
  url = '';
  /** The leading Mesos master at its own address (leader.mesos:5050 in a cluster). */
  leaderUrl = '';
  /** Marathon, Exhibitor and Cosmos at their own addresses (marathon.mesos:8080, port 8181, 7070). */
  marathonUrl = '';
  exhibitorUrl = '';
  cosmosUrl = '';
  /**
   * Rewrites a body before it is sent (Admin Router path, body text): lets a test serve a
   * captured payload verbatim, or the same state as another tool would re-serialise it.
   */
  rewriteResponse?: (path: string, body: string) => string;
  /** Called after each request is answered and logged: lets a test change the cluster at an exact point. */
  onRequest?: (entry: RequestLogEntry) => void;
  /** The most POSTs served at once: the tests check the client's concurrency bound with it. */
  maxConcurrentPosts = 0;
  private concurrentPosts = 0;
  /** The most requests of any method being served at once, and the connections seen: the client's fairness. */
  maxConcurrentRequests = 0;
  private concurrentRequests = 0;
  readonly connections = new Set<unknown>();
  /** SDK schedulers by Marathon app id. */
  readonly schedulers = new Map<string, SimScheduler>();
  readonly cosmos: SimCosmos;
  private readonly cosmosLoopMs: number;
  readonly clock: SimClock;
  private readonly servers: http.Server[] = [];
  private readonly schedulerServers = new Map<string, http.Server>();
  private readonly deploymentMs: number;
  private readonly streamLargeAnswers: boolean;
  /** replayReads: sent answers by listener, scheduler and request line. */
  private readonly replayed: Map<string, SentAnswer> | undefined;

  private constructor(
    readonly state: ClusterState,
    options: SimOptions,
  ) {
    this.clock = state.clock;
    this.faults.latencyMs = options.latencyMs ?? 0;
    this.deploymentMs = options.deploymentMs ?? 300;
    this.streamLargeAnswers = options.streamLargeAnswers ?? true;
    this.replayed = options.replayReads ? new Map() : undefined;
    this.cosmosLoopMs = options.cosmosLoopMs ?? 200;
    this.cosmos = new SimCosmos(state, () => ({
      ...this.marathonOptions(),
      loopMs: this.cosmosLoopMs,
      planStatus: (app) => {
        const scheduler = this.schedulers.get(app.id);
        if (!scheduler || app.tasksRunning === 0) return undefined;
        return scheduler.handle({
          method: 'GET',
          path: '/v1/plans/deploy',
          query: new URLSearchParams(),
          body: '',
          headers: {},
        }).status;
      },
    }));
    state.onTornDown = (framework) => relaunchSchedulerAfterTeardown(state, framework, this.marathonOptions());
    for (const app of state.apps.values()) if (app.schedulerSpec) this.startScheduler(app.id);
  }

  /** Start (or restart, with a fresh plan and no overrides) the SDK scheduler of an app. */
  startScheduler(appId: string): SimScheduler {
    const app = this.state.apps.get(appId);
    if (!app?.schedulerSpec) throw new Error(`App ${appId} runs no SDK scheduler in scenario ${this.scenario.name}`);
    const existing = this.schedulers.get(appId);
    if (existing) {
      existing.restart();
      return existing;
    }
    const scheduler = new SimScheduler(this.state, app, app.schedulerSpec);
    this.schedulers.set(appId, scheduler);
    const ticks = this.clock.every(app.schedulerSpec.stepMs, () => {
      if (this.state.apps.get(appId) !== app) {
        ticks.cancel();
        this.schedulers.delete(appId);
        return;
      }
      if (app.tasksRunning > 0) scheduler.tick();
    });
    return scheduler;
  }

  /** The scheduler serving a service name (as in /service/<name>), if its app runs. */
  schedulerOf(serviceName: string): SimScheduler | undefined {
    const wanted = serviceName.replace(/^\/+/, '');
    return [...this.schedulers.values()].find((scheduler) => scheduler.serviceName.replace(/^\/+/, '') === wanted);
  }

  private marathonOptions() {
    return {
      deploymentMs: this.deploymentMs,
      later: (ms: number, work: () => void) => void this.clock.later(ms, work),
      restartScheduler: (appId: string) => {
        if (this.state.apps.get(appId)?.schedulerSpec) this.startScheduler(appId);
      },
    };
  }

  static async start(scenario: Scenario | string, options: SimOptions = {}): Promise<SimCluster> {
    const loaded = typeof scenario === 'string' ? loadScenario(scenario) : scenario;
    const clock = new SimClock(options.clock ?? 'virtual', options.msPerRequest ?? 0);
    const sim = new SimCluster(new ClusterState(loaded, clock), options);
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void sim.serve(req, res, 'admin-router');
    const adminRouter = options.tls
      ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler)
      : http.createServer(handler);
    sim.url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${await listen(adminRouter, options.port ?? 0)}`;
    sim.servers.push(adminRouter);
    const direct = async (
      listener: Listener,
      route: (req: http.IncomingMessage, res: http.ServerResponse) => void = (req, res) =>
        void sim.serve(req, res, listener),
    ) => {
      const server = http.createServer(route);
      sim.servers.push(server);
      return `http://127.0.0.1:${await listen(server, 0)}`;
    };
    sim.leaderUrl = await direct('leader');
    sim.marathonUrl = await direct('marathon');
    sim.exhibitorUrl = await direct('exhibitor');
    sim.cosmosUrl = await direct('cosmos');
    for (const app of sim.state.apps.values()) if (app.schedulerSpec) await sim.listenForScheduler(app.id);
    return sim;
  }

  /** Each SDK scheduler listens at its task's address; Marathon reports it in the app's tasks. */
  private async listenForScheduler(appId: string): Promise<void> {
    const app = this.state.apps.get(appId);
    if (!app) throw new Error(`No app ${appId} in scenario ${this.scenario.name}`);
    const server: http.Server = http.createServer((req, res) => {
      // A request on a connection kept alive to a task that has moved: nothing answers there any more.
      if (this.schedulerServers.get(appId) !== server) return void res.socket?.destroy();
      void this.serve(req, res, 'scheduler', appId);
    });
    this.servers.push(server);
    this.schedulerServers.set(appId, server);
    app.taskAddress = { host: '127.0.0.1', ports: [await listen(server, 0)] };
  }

  /**
   * The scheduler's task is relaunched elsewhere (another port): its old address refuses
   * new connections and drops requests on kept-alive ones (an answer already being sent
   * is finished), and Marathon reports the new one.
   */
  async relocateScheduler(appId: string): Promise<void> {
    const old = this.schedulerServers.get(appId);
    await this.listenForScheduler(appId);
    old?.close();
  }

  get scenario(): Scenario {
    return this.state.scenario;
  }

  addFault(rule: FaultRule): void {
    this.faults.rules.push({ ...rule });
  }

  setAgentState(agentId: string, agentState: 'registered' | 'recovered' | 'gone'): void {
    const agent = this.state.agents.get(agentId);
    if (!agent) throw new Error(`No agent ${agentId} in scenario ${this.scenario.name}`);
    agent.state = agentState;
  }

  /** Requests whose method and Admin Router path (without query) match. */
  requestsTo(method: string, pathPrefix: string): RequestLogEntry[] {
    return this.requests.filter((entry) => entry.method === method && entry.url.split('?')[0].startsWith(pathPrefix));
  }

  async stop(): Promise<void> {
    this.clock.stop();
    await Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
    );
  }

  private async serve(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    listener: Listener,
    schedulerAppId?: string,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://sim');
    const isPost = req.method === 'POST';
    if (isPost) this.maxConcurrentPosts = Math.max(this.maxConcurrentPosts, ++this.concurrentPosts);
    this.maxConcurrentRequests = Math.max(this.maxConcurrentRequests, ++this.concurrentRequests);
    this.connections.add(req.socket);
    if (this.faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.faults.latencyMs));
    this.clock.onRequest();
    // The cluster's clock, as Admin Router and the services state it in every answer (RFC 9110
    // Date): the CLI measures how long a framework has been gone against it, so a test that moves
    // the simulated time moves what the CLI sees.
    res.setHeader('Date', new Date(this.clock.now()).toUTCString());
    const serveStarted = process.hrtime.bigint();
    const fault = listener === 'admin-router' ? this.takeFault(req.method ?? 'GET', url.pathname) : undefined;
    const isRead = req.method === 'GET' || (req.method === 'POST' && COSMOS_READS.test(url.pathname));
    if (this.replayed && !isRead && req.method !== 'HEAD') this.replayed.clear();
    const replayKey =
      this.replayed && isRead && !fault
        ? `${listener} ${schedulerAppId ?? ''} ${req.method} ${req.url} ${req.headers.authorization ?? ''} ${body}`
        : undefined;
    const kept = replayKey ? this.replayed?.get(replayKey) : undefined;
    let response: SimResponse;
    try {
      if (kept) response = { status: kept.status };
      else if (fault && (fault.effect ?? 'status') === 'status') response = faultResponse(fault);
      else
        response =
          listener === 'admin-router'
            ? this.routeAdminRouter(req, url, body)
            : this.routeDirect(listener, req, url, body, schedulerAppId);
    } catch (error) {
      response = text(500, `Simulator error: ${(error as Error).message}`);
    }
    this.requests.push({
      method: req.method ?? 'GET',
      url: url.pathname + url.search,
      status: response.status,
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      userAgent: req.headers['user-agent'],
      body: body.length > 8192 ? `${body.slice(0, 8192)}…` : body,
      listener,
      serveMs: 0,
    });
    const entry = this.requests[this.requests.length - 1];
    if (isPost) this.concurrentPosts--;
    this.concurrentRequests--;
    this.onRequest?.(this.requests[this.requests.length - 1]);
    if (kept) {
      writeAnswer(res, kept, false);
      entry.serveMs = Number(process.hrtime.bigint() - serveStarted) / 1e6;
      return;
    }
    // A rewrite or a cut needs the whole text at once; so does an answer kept to be replayed.
    if ((this.rewriteResponse || fault?.effect === 'cut' || !this.streamLargeAnswers || replayKey) && response.stream)
      response = materialise(response);
    if (this.rewriteResponse && response.body !== undefined) {
      const body = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
      const headers =
        typeof response.body === 'string'
          ? response.headers
          : { 'Content-Type': 'application/json', ...response.headers };
      response = { ...response, headers, body: this.rewriteResponse(url.pathname, body) };
    }
    if (fault?.effect === 'hang') return;
    if (response.drop) {
      res.socket?.destroy();
      return;
    }
    if (fault?.effect === 'lose-answer') {
      res.socket?.destroy();
      return;
    }
    if (fault?.effect === 'cut') {
      cutMidway(res, response);
      return;
    }
    if (replayKey && this.replayed) {
      const answer = sentAnswer(response);
      this.replayed.set(replayKey, answer);
      writeAnswer(res, answer, false);
    } else send(res, response, req.method === 'HEAD');
    entry.serveMs = Number(process.hrtime.bigint() - serveStarted) / 1e6;
  }

  /** A service at its own address: its own paths, no Admin Router prefix, no token checked (open DC/OS). */
  private routeDirect(
    listener: Exclude<Listener, 'admin-router'>,
    req: http.IncomingMessage,
    url: URL,
    body: string,
    schedulerAppId?: string,
  ): SimResponse {
    const request: SimRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      body,
      headers: req.headers,
    };
    switch (listener) {
      case 'leader':
        return handleMesos(this.state, request);
      case 'marathon':
        return handleMarathon(this.state, request, this.marathonOptions());
      case 'exhibitor':
        if (!url.pathname.startsWith('/exhibitor/v1/')) return text(404, '');
        return handleExhibitor(
          this.state,
          { ...request, path: url.pathname.slice('/exhibitor/v1'.length) },
          this.faults.exhibitor,
          this.violations,
        );
      case 'cosmos':
        if (!url.pathname.startsWith('/package/')) return text(404, '');
        return this.cosmos.handle(url.pathname.slice('/package/'.length), request);
      case 'scheduler': {
        const app = schedulerAppId ? this.state.apps.get(schedulerAppId) : undefined;
        const scheduler = schedulerAppId ? this.schedulers.get(schedulerAppId) : undefined;
        // No task running there: nothing answers at that address any more.
        if (!app || app.tasksRunning === 0 || !scheduler) return dropConnection();
        return scheduler.handle(request);
      }
    }
  }

  private routeAdminRouter(req: http.IncomingMessage, url: URL, body: string): SimResponse {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const open =
      path === '/exhibitor/exhibitor/v1/cluster/status' ||
      path === '/acs/api/v1/auth/login' ||
      path === '/dcos-metadata/dcos-version.json';
    if (!open && !this.authorised(req)) return unauthorised();
    if (path === '/pkgpanda/active.buildinfo.full.json') return json(200, {});
    if (path === '/acs/api/v1/auth/login' && method === 'POST') return this.login(body);
    if (path === '/dcos-metadata/dcos-version.json') {
      return json(200, {
        version: this.scenario.dcosVersion,
        'dcos-variant': 'open',
        'dcos-image-commit': 'simulated',
        'bootstrap-id': 'simulated',
      });
    }

    const request = (prefix: string): SimRequest => ({
      method,
      path: path.slice(prefix.length) || '/',
      query: url.searchParams,
      body,
      headers: req.headers,
    });
    if (path.startsWith('/mesos/')) {
      if (this.faults.noLeader > 0) {
        this.faults.noLeader--;
        return text(503, 'No leader elected');
      }
      if (this.faults.leaderRedirects > 0) {
        this.faults.leaderRedirects--;
        // Protocol-relative, as Mesos sends it (docs/reference/mesos.md §1).
        const location = `//${new URL(this.leaderUrl).host}${path.slice('/mesos'.length)}${url.search}`;
        return { status: 307, headers: { Location: location } };
      }
      return handleMesos(this.state, request('/mesos'));
    }
    if (path.startsWith('/service/marathon/') || path.startsWith('/marathon/')) {
      const prefix = path.startsWith('/marathon/') ? '/marathon' : '/service/marathon';
      return handleMarathon(this.state, request(prefix), this.marathonOptions());
    }
    if (path.startsWith('/package/') || path.startsWith('/cosmos/service/')) {
      const operation = path.startsWith('/package/')
        ? path.slice('/package/'.length)
        : path.slice('/cosmos/service/'.length);
      return this.cosmos.handle(operation, request(''));
    }
    if (path.startsWith('/exhibitor/exhibitor/v1/')) {
      return handleExhibitor(this.state, request('/exhibitor/exhibitor/v1'), this.faults.exhibitor, this.violations);
    }
    if (path.startsWith('/service/')) return this.routeService(path.slice('/service/'.length), request);
    return {
      status: 404,
      body: '<html><body><h1>404 Not Found</h1></body></html>',
      headers: { 'Content-Type': 'text/html' },
    };
  }

  /**
   * Admin Router's /service/<name>/...: the longest prefix (up to 10 segments) that is
   * the DCOS_SERVICE_NAME of an app with a running task (docs/reference/sdk-plans.md §1).
   */
  private routeService(rest: string, request: (prefix: string) => SimRequest): SimResponse {
    const segments = rest.split('/');
    for (let length = Math.min(10, segments.length); length >= 1; length--) {
      const name = segments.slice(0, length).map(decodeURIComponent).join('/');
      const app = [...this.state.apps.values()].find(
        (candidate) =>
          (candidate.labels.DCOS_SERVICE_NAME ?? '').replace(/^\/+/, '') === name && candidate.tasksRunning > 0,
      );
      if (!app) continue;
      const scheduler = this.schedulers.get(app.id);
      if (!scheduler) return text(404, 'Not Found');
      const prefix = `/service/${segments.slice(0, length).join('/')}`;
      return scheduler.handle(request(prefix));
    }
    return text(404, '404 Not Found: service not found.');
  }

  private takeFault(method: string, path: string): FaultRule | undefined {
    const rule = this.faults.rules.find(
      (candidate) =>
        candidate.times > 0 &&
        (!candidate.method || candidate.method === method) &&
        path.startsWith(candidate.pathPrefix ?? '/'),
    );
    if (!rule) return undefined;
    rule.times--;
    return rule;
  }

  /**
   * Service login (docs/reference/dcos-cli-plugin.md §5): {uid, token} with an RS256 JWT
   * {uid, exp} signed by the account's key, or {uid, password}. The 401 body's exact
   * shape is not in the reference (unverified); clients should rely on the status.
   */
  private login(body: string): SimResponse {
    let request: { uid?: string; token?: string; password?: string };
    try {
      request = JSON.parse(body) as typeof request;
    } catch {
      return json(400, {
        title: 'Bad Request',
        description: 'Request body is not valid JSON',
        code: 'ERR_MALFORMED_JSON',
      });
    }
    const account = this.scenario.serviceAccounts.find((candidate) => candidate.uid === request.uid);
    const refused = json(
      401,
      { title: 'Unauthorized', description: 'Invalid credentials', code: 'ERR_INVALID_CREDENTIALS' },
      { 'WWW-Authenticate': 'acsjwt' },
    );
    if (!account) return refused;
    if (request.password !== undefined)
      return request.password === account.password ? json(200, { token: this.issuedToken() }) : refused;
    const [header, claims, signature] = (request.token ?? '').split('.');
    if (!header || !claims || !signature || !account.publicKey) return refused;
    const valid = crypto.verify(
      'RSA-SHA256',
      Buffer.from(`${header}.${claims}`),
      account.publicKey,
      Buffer.from(signature, 'base64url'),
    );
    let decoded: { uid?: string; exp?: number } = {};
    try {
      decoded = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as typeof decoded;
    } catch {
      return refused;
    }
    if (!valid || decoded.uid !== account.uid || !decoded.exp || decoded.exp * 1000 < Date.now()) return refused;
    return json(200, { token: this.issuedToken() });
  }

  private issuedToken(): string {
    return this.scenario.authToken ?? 'simulated-auth-token';
  }

  /** Admin Router takes `token=<jwt>` and also `Bearer <jwt>` (docs/reference/dcos-cli-plugin.md §5). */
  private authorised(req: http.IncomingMessage): boolean {
    const expected = this.scenario.authToken;
    if (!expected) return true;
    const header = req.headers.authorization ?? '';
    return header === `token=${expected}` || header === `Bearer ${expected}`;
  }
}

function unauthorised(): SimResponse {
  return {
    status: 401,
    body: '<html><head><title>401 Authorization Required</title></head><body><center><h1>401 Authorization Required</h1></center></body></html>',
    headers: { 'WWW-Authenticate': 'oauthjwt', 'Content-Type': 'text/html' },
  };
}

function faultResponse(rule: FaultRule): SimResponse {
  const status = rule.status ?? 503;
  if (status === 401) return unauthorised();
  return text(status, rule.body ?? `${status} Simulated fault`);
}

/** The headers and half the body, then a reset: what a dropped connection looks like to the client. */
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

/** Cosmos' RPCs that only read (POST, as all of Cosmos' are): replayReads keeps their answers too. */
const COSMOS_READS = /\/package\/(list|describe|search|list-versions|repository\/list)$/;

interface SentAnswer {
  status: number;
  headers: Record<string, string>;
  payload: Buffer;
}

/** The status, headers and bytes of a whole (not streamed) answer. */
function sentAnswer(response: SimResponse): SentAnswer {
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

function send(res: http.ServerResponse, response: SimResponse, headOnly: boolean): void {
  if (response.stream) return sendStreamed(res, response, headOnly);
  writeAnswer(res, sentAnswer(response), headOnly);
}

function writeAnswer(res: http.ServerResponse, answer: SentAnswer, headOnly: boolean): void {
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

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // Loopback only: the simulator must never be reachable from elsewhere.
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}
